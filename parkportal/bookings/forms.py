"""Forms of bookings; the input's own rules live in validators, the booking rules in ``service``."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from ..core import vocab
from ..core.parsing import parse_id
from ..fields import Form, SelectField, options, strip
from ..timeutil import parse_local_iso
from . import vocab as booking_vocab


def validate_start(form, field):
    """An ISO 8601 local time such as 2026-12-01T09:30."""
    if not field.data:
        return
    try:
        form.start_at = parse_local_iso(field.data)
    except ValueError:
        form.start_at = None
        raise ValidationError(_l("Choose one of the offered times.")) from None


def validate_id(form, field):
    """Empty or a whole number (a record's id)."""
    if field.data and parse_id(field.data) is None:
        raise ValidationError(_l("Choose from the list."))


class SlotForm(Form):
    """A start chosen in the slot picker (``date`` shows the picker's day), optionally with a lawyer.

    ``start_at`` is the aware start once ``start`` is valid.
    """

    start_at = None

    date = StringField(_l("Day"), render_kw={"type": "date"})
    lawyer_id = SelectField(_l("Lawyer"), validate_choice=False, validators=[validate_id], choices=[])
    start = StringField(
        _l("Time"),
        filters=[strip],
        validators=[DataRequired(_l("Choose one of the free times.")), validate_start],
    )


class BookingForm(SlotForm):
    """Book a service: the public contract's fields service, start, lawyer_id, mode, topic, description."""

    enterprise_id = SelectField(
        _l("Enterprise"), validate_choice=False, validators=[Optional(), validate_id], choices=[]
    )
    service = SelectField(
        _l("Service"), validate_choice=False, validators=[DataRequired(_l("Choose a service."))], choices=[]
    )
    topic = SelectField(
        _l("Legal topic"),
        choices=options(vocab.choices(vocab.TOPICS, blank=_l("Choose…"))),
        validate_choice=False,
        validators=[DataRequired(_l("Choose the legal topic of your question."))],
    )
    mode = RadioField(
        _l("How would you like to meet?"),
        choices=options(vocab.choices(booking_vocab.MODES)),
        validate_choice=False,
        validators=[DataRequired(_l("Choose how you would like to meet."))],
    )
    slot_lawyer = HiddenField(validators=[validate_id])  # the lawyer the picker showed at the chosen time
    description = TextAreaField(
        _l("Describe your question"),
        filters=[strip],
        validators=[Length(max=2000, message=_l("Please keep it under 2000 characters."))],
        render_kw={"rows": 4},
    )


class RescheduleForm(SlotForm):
    """Move a booking: a new start and why (the lawyer and staff must say; for staff also another lawyer)."""

    reason = TextAreaField(
        _l("Reason, for the other side"),
        filters=[strip],
        validators=[Length(max=2000, message=_l("Please keep it under 2000 characters."))],
        render_kw={"rows": 2},
    )


class ConfirmForm(Form):
    """The lawyer confirms a request; for a video call with the meeting link (else their default room)."""

    meeting_link = StringField(
        _l("Meeting link (video calls)"),
        filters=[strip],
        validators=[Length(max=500)],
        description=_l("An https:// link to the video meeting. Leave it empty to use your default meeting room."),
        render_kw={"type": "url", "inputmode": "url", "placeholder": "https://"},
    )


class DeclineForm(Form):
    """The lawyer declines a request, saying why."""

    reason = TextAreaField(
        _l("Reason, for the enterprise"),
        filters=[strip],
        validators=[Length(max=2000)],
        description=_l("Tell the enterprise why you decline, so it can find other help."),
        render_kw={"rows": 2, "required": True},
    )


class CompleteForm(Form):
    """The lawyer completes an appointment with a summary for the enterprise and private notes."""

    summary = TextAreaField(
        _l("Summary for the enterprise"),
        filters=[strip],
        validators=[
            DataRequired(_l("Write a summary for the enterprise: it is sent to them and can't be empty.")),
            Length(max=5000),
        ],
        render_kw={"rows": 4},
    )
    private_notes = TextAreaField(
        _l("Private notes (only you see them)"),
        filters=[strip],
        validators=[Length(max=5000)],
        render_kw={"rows": 3},
    )


class AddSummaryForm(Form):
    """The lawyer adds to the summary of a completed appointment."""

    summary = TextAreaField(
        _l("Addition to the summary"),
        filters=[strip],
        validators=[DataRequired(_l("Write what you want to add.")), Length(max=5000)],
        render_kw={"rows": 3},
    )


class RateForm(Form):
    """The enterprise rates a completed service on the 好差评 scale (and may change it for a few days)."""

    rating = RadioField(
        _l("How satisfied are you?"),
        choices=options((str(code), text) for code, text in booking_vocab.RATINGS.items()),
        validators=[InputRequired(_l("Choose how satisfied you are."))],
    )
    comment = TextAreaField(_l("Comment (optional)"), filters=[strip], validators=[Length(max=2000)])
