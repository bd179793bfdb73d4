"""Forms of events; the input's own rules live in validators, the event rules in ``service``."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from ..core import vocab
from ..core.parsing import parse_id, parse_int
from ..fields import Form, MultiCheckboxField, SelectField, options, strip
from ..timeutil import parse_local_iso
from . import vocab as event_vocab
from .service import MAX_PEOPLE


def local_time(form, field):
    """Empty, or a local date and time such as 2026-12-01T14:00 (the browser's datetime-local format)."""
    field.moment = None
    if not field.data:
        return
    try:
        field.moment = parse_local_iso(field.data.replace(" ", "T", 1))
    except ValueError:
        raise ValidationError(_l("Enter a date and time, e.g. 2026-12-01 14:00.")) from None


def whole_number(maximum: int):
    """Empty, or a whole number from 1 to ``maximum`` (kept as ``field.number``)."""

    def check(form, field):
        field.number = None
        if not field.data:
            return
        field.number = parse_int(field.data, 1, maximum)
        if field.number is None:
            raise ValidationError(_l("Enter a whole number from 1 to %(max)d.", max=maximum))

    return check


def record_id(form, field):
    """Empty or a record's id."""
    if field.data and parse_id(field.data) is None:
        raise ValidationError(_l("Choose from the list."))


class EventForm(Form):
    """An event: the public contract's fields title, description, category, topics, start, end, location,
    capacity, seats_per_enterprise, registration_deadline, status (and online_url, speakers)."""

    title = StringField(
        _l("Title"),
        filters=[strip],
        validators=[DataRequired(_l("Give the event a title.")), Length(max=200)],
    )
    category = SelectField(
        _l("Category"),
        choices=options(vocab.choices(event_vocab.EVENT_CATEGORIES, blank=_l("Choose…"))),
        validate_choice=False,
        validators=[DataRequired(_l("Choose a category from the list."))],
    )
    topics = MultiCheckboxField(_l("Legal topics"), choices=options(vocab.choices(vocab.TOPICS)), validate_choice=False)
    start = StringField(_l("Starts"), filters=[strip], validators=[local_time], render_kw={"type": "datetime-local"})
    end = StringField(_l("Ends"), filters=[strip], validators=[local_time], render_kw={"type": "datetime-local"})
    location = StringField(_l("Place"), filters=[strip], validators=[Length(max=200)])
    online_url = StringField(
        _l("Online link"),
        filters=[strip],
        validators=[Length(max=500)],
        render_kw={"type": "url", "placeholder": "https://"},
    )
    capacity = StringField(
        _l("Capacity (seats)"),
        filters=[strip],
        validators=[whole_number(100_000)],
        render_kw={"inputmode": "numeric"},
    )
    seats_per_enterprise = StringField(
        _l("Seats per enterprise"),
        filters=[strip],
        default="2",
        validators=[whole_number(MAX_PEOPLE)],
        render_kw={"inputmode": "numeric"},
    )
    registration_deadline = StringField(
        _l("Registration closes"),
        filters=[strip],
        validators=[local_time],
        render_kw={"type": "datetime-local"},
    )
    speakers = MultiCheckboxField(_l("Speakers"), choices=[], validate_choice=False)
    description = TextAreaField(
        _l("Description (Markdown)"),
        filters=[strip],
        validators=[Length(max=20_000)],
        render_kw={"rows": 8},
    )
    status = RadioField(
        _l("Status"),
        choices=options([("draft", _l("Draft (only staff see it)")), ("published", _l("Published"))]),
        default="draft",
        validate_choice=False,
    )


class RegisterForm(Form):
    """Sign up: the contract's attendees (a number) and names; staff also choose the enterprise."""

    enterprise_id = StringField(_l("Enterprise"), validators=[Optional(), record_id])
    attendees = StringField(
        _l("Number of attendees"),
        filters=[strip],
        default="1",
        validators=[DataRequired(_l("Enter how many people will come (at least 1).")), whole_number(MAX_PEOPLE)],
        render_kw={"inputmode": "numeric"},
    )
    names = TextAreaField(
        _l("Names of the attendees"),
        filters=[strip],
        validators=[Length(max=2000)],
        render_kw={"rows": 2},
    )


class CancelEventForm(Form):
    """Call an event off, with a reason for those registered."""

    reason = TextAreaField(_l("Reason (sent to those registered)"), filters=[strip], validators=[Length(max=2000)])


class CheckInForm(Form):
    """How many people of the registration came."""

    attended_count = StringField(
        _l("People present"),
        filters=[strip],
        validators=[DataRequired(_l("Enter how many people came.")), whole_number(MAX_PEOPLE)],
        render_kw={"inputmode": "numeric"},
    )


class WalkInForm(CheckInForm):
    """An enterprise that came without registering."""

    enterprise_id = StringField(
        _l("Enterprise"), validators=[DataRequired(_l("Choose the enterprise from the search results.")), record_id]
    )
    names = TextAreaField(_l("Names"), filters=[strip], validators=[Length(max=2000)], render_kw={"rows": 2})


class RateForm(Form):
    """The one question after the event."""

    rating = RadioField(
        _l("How useful was the event for your enterprise?"),
        choices=options([(n, str(n)) for n in range(1, 6)]),
        validate_choice=False,
        validators=[DataRequired(_l("Choose a rating from 1 to 5."))],
    )
