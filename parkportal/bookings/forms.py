"""Forms of bookings; the input's own rules live in validators, the booking rules in ``service``."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from .. import catalog
from ..fields import MultiCheckboxField
from ..timeutil import parse_local_iso
from ..web import parse_id


def options(pairs) -> list[SelectChoice]:
    """WTForms choices from (value, label) pairs (WTForms 3.3 deprecates plain tuples)."""
    return [SelectChoice(str(value), label) for value, label in pairs]


def strip(value):
    """Trim surrounding white space of text input."""
    return value.strip() if isinstance(value, str) else value


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


def validate_half_hour(form, field):
    """Availability uses the 30-minute grid of bookings."""
    if field.data and (field.data.minute % 30 or field.data.second):
        raise ValidationError(_l("Use full or half hours, e.g. 09:00 or 13:30."))


class BookingForm(FlaskForm):
    """Book a service: the public contract's fields service, start, lawyer_id, mode, topic, description."""

    start_at = None

    enterprise_id = SelectField(
        _l("Enterprise"), validate_choice=False, validators=[Optional(), validate_id], choices=[]
    )
    service = SelectField(
        _l("Service"), validate_choice=False, validators=[DataRequired(_l("Choose a service."))], choices=[]
    )
    date = StringField(_l("Day"), render_kw={"type": "date"})
    lawyer_id = SelectField(_l("Lawyer"), validate_choice=False, validators=[validate_id], choices=[])
    start = StringField(
        _l("Time"),
        filters=[strip],
        validators=[DataRequired(_l("Choose one of the free times.")), validate_start],
    )
    topic = SelectField(
        _l("Legal topic"),
        choices=options(catalog.choices(catalog.TOPICS, blank=_l("Choose…"))),
        validate_choice=False,
        validators=[DataRequired(_l("Choose the legal topic of your question."))],
    )
    mode = RadioField(
        _l("How would you like to meet?"),
        choices=options(catalog.choices(catalog.MODES)),
        validate_choice=False,
        validators=[DataRequired(_l("Choose how you would like to meet."))],
    )
    description = TextAreaField(
        _l("Describe your question"),
        filters=[strip],
        validators=[Length(max=2000, message=_l("Please keep it under 2000 characters."))],
        render_kw={"rows": 4},
    )


class RescheduleForm(FlaskForm):
    """Move a booking: a new start (and, for staff, another lawyer)."""

    start_at = None

    date = StringField(_l("Day"), render_kw={"type": "date"})
    lawyer_id = SelectField(_l("Lawyer"), validate_choice=False, validators=[validate_id], choices=[])
    start = StringField(
        _l("Time"),
        filters=[strip],
        validators=[DataRequired(_l("Choose one of the free times.")), validate_start],
    )


class DeclineForm(FlaskForm):
    """The lawyer declines a request, saying why."""

    reason = TextAreaField(
        _l("Reason, for the enterprise"),
        filters=[strip],
        validators=[Length(max=2000)],
        description=_l("Tell the enterprise why you decline, so it can find other help."),
        render_kw={"rows": 2, "required": True},
    )


class CompleteForm(FlaskForm):
    """The lawyer completes an appointment with a summary for the enterprise and private notes."""

    summary = TextAreaField(
        _l("Summary for the enterprise"),
        filters=[strip],
        validators=[Length(max=5000)],
        render_kw={"rows": 4},
    )
    private_notes = TextAreaField(
        _l("Private notes (only you see them)"),
        filters=[strip],
        validators=[Length(max=5000)],
        render_kw={"rows": 3},
    )


class RateForm(FlaskForm):
    """The enterprise rates a completed service once."""

    rating = RadioField(
        _l("Rating"),
        choices=options((str(n), str(n)) for n in range(5, 0, -1)),
        validators=[InputRequired(_l("Choose a rating from 1 to 5."))],
    )
    comment = TextAreaField(_l("Comment (optional)"), filters=[strip], validators=[Length(max=2000)])


class RuleForm(FlaskForm):
    """Add a weekly time range."""

    weekday = SelectField(_l("Weekday"), choices=options(catalog.WEEKDAYS.items()))
    start_time = TimeField(
        _l("From"), validators=[InputRequired(_l("Enter a time such as 09:00.")), validate_half_hour]
    )
    end_time = TimeField(_l("To"), validators=[InputRequired(_l("Enter a time such as 17:00.")), validate_half_hour])

    def validate_end_time(self, field):
        """The range ends after it starts."""
        if self.start_time.data and field.data and field.data <= self.start_time.data:
            raise ValidationError(_l("The end must be later than the start."))


EXCEPTION_KINDS = {"off": _l("Time off"), "extra": _l("Extra hours")}


class ExceptionForm(FlaskForm):
    """A date on which the weekly plan doesn't hold."""

    day = DateField(_l("Date"), validators=[InputRequired(_l("Enter a date."))])
    kind = SelectField(_l("Kind"), choices=options(catalog.choices(EXCEPTION_KINDS)))
    # Own ids: the weekly plan's form on the same page has start_time and end_time fields too.
    start_time = TimeField(_l("From"), id="exception_start_time", validators=[Optional(), validate_half_hour])
    end_time = TimeField(_l("To"), id="exception_end_time", validators=[Optional(), validate_half_hour])
    note = StringField(_l("Note"), filters=[strip], validators=[Length(max=200)])

    def validate(self, extra_validators=None) -> bool:
        """Each field's own rules, then the two times together: both or neither, end after start.

        This can't be an inline ``validate_end_time``: ``Optional()`` ends an empty field's chain before inline
        validators run, so an empty end time (or both empty for extra hours) would pass unchecked.
        """
        valid = super().validate(extra_validators)
        if self.start_time.errors or self.end_time.errors:
            return False
        start, end = self.start_time.data, self.end_time.data
        missing = self.start_time if start is None else self.end_time if end is None else None
        if missing is not None and self.kind.data == "extra":
            missing.errors.append(_l("Extra hours need a start and an end."))
        elif (start is None) != (end is None):
            missing.errors.append(_l("Enter both times, or neither for a whole day off."))
        elif start is not None and end <= start:
            self.end_time.errors.append(_l("The end must be later than the start."))
        else:
            return valid
        return False


class SpecialtiesForm(FlaskForm):
    """The legal topics the lawyer takes."""

    specialties = MultiCheckboxField(_l("Specialties"), choices=options(catalog.choices(catalog.TOPICS)))
