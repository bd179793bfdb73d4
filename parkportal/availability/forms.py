"""Forms of the availability editor: weekly ranges, date exceptions and specialties."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, StringField, TimeField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from ..core import vocab
from ..fields import Form, MultiCheckboxField, SelectField, options, strip
from . import slots as slot_rules
from . import vocab as availability_vocab
from .vocab import EXCEPTION_KINDS


def lawyer_choices(blank: str | None, with_plan: bool = False) -> list[tuple[str, str]]:
    """(id, name and title) of every active lawyer for a select, after an optional blank choice.

    ``with_plan``: only lawyers with any availability (booking never offers one who can't be booked).
    """
    choices = [("", blank)] if blank else []
    titles: dict[str, str] = {}  # each title translated once, however many lawyers hold it
    for ident, name, code in slot_rules.lawyer_names(with_plan=with_plan):
        if code and code not in titles:
            titles[code] = vocab.label(availability_vocab.LAWYER_TITLES, code)
        choices.append((str(ident), f"{name} {titles.get(code, '')}".strip()))
    return choices


#: Time inputs step by 30 minutes, the grid of bookings.
HALF_HOURS = {"step": "1800"}


def validate_half_hour(form, field):
    """Availability uses the 30-minute grid of bookings."""
    if field.data and (field.data.minute % 30 or field.data.second):
        raise ValidationError(_l("Use full or half hours, e.g. 09:00 or 13:30."))


class RuleForm(Form):
    """Add a weekly time range."""

    weekday = SelectField(_l("Weekday"), choices=options(availability_vocab.WEEKDAYS.items()))
    start_time = TimeField(
        _l("From"),
        validators=[InputRequired(_l("Enter a time such as 09:00.")), validate_half_hour],
        render_kw=HALF_HOURS,
    )
    end_time = TimeField(
        _l("To"),
        validators=[InputRequired(_l("Enter a time such as 17:00.")), validate_half_hour],
        render_kw=HALF_HOURS,
    )

    def validate_end_time(self, field):
        """The range ends after it starts."""
        if self.start_time.data and field.data and field.data <= self.start_time.data:
            raise ValidationError(_l("The end must be later than the start."))


class ExceptionForm(Form):
    """A date on which the weekly plan doesn't hold."""

    day = DateField(_l("Date"), validators=[InputRequired(_l("Enter a date."))])
    kind = SelectField(_l("Kind"), choices=options(vocab.choices(EXCEPTION_KINDS)))
    # Own ids: the weekly plan's form on the same page has start_time and end_time fields too.
    start_time = TimeField(
        _l("From"), id="exception_start_time", validators=[Optional(), validate_half_hour], render_kw=HALF_HOURS
    )
    end_time = TimeField(
        _l("To"), id="exception_end_time", validators=[Optional(), validate_half_hour], render_kw=HALF_HOURS
    )
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


class SpecialtiesForm(Form):
    """The legal topics the lawyer takes."""

    specialties = MultiCheckboxField(_l("Specialties"), choices=options(vocab.choices(vocab.TOPICS)))


class RoomForm(Form):
    """The lawyer's default video meeting room, used for video calls confirmed without a link."""

    video_room = StringField(
        _l("Default video meeting room"),
        filters=[strip],
        validators=[Length(max=500)],
        description=_l("An https:// link, e.g. your personal Tencent Meeting room. Leave it empty to remove it."),
        render_kw={"type": "url", "inputmode": "url", "placeholder": "https://"},
    )
