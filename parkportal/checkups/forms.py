"""Forms of checkups: a finding, issuing the report, a correction. (The questionnaire's fields come from its file.)"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from ..core import vocab
from ..core.parsing import parse_date
from ..fields import Form, SelectField, options, strip
from . import vocab as checkup_vocab


def optional_date(form, field):
    """Empty or a YYYY-MM-DD date."""
    if field.data and parse_date(field.data) is None:
        raise ValidationError(_l("Enter the date as YYYY-MM-DD, e.g. 2026-12-01."))


class FindingForm(Form):
    """The contract's fields: area (a legal topic), finding, basis, level, recommendation, deadline."""

    area = SelectField(
        _l("Area"),
        choices=options(vocab.choices(vocab.TOPICS, blank=_l("Choose…"))),
        validate_choice=False,
        validators=[DataRequired(_l("Choose the area from the list."))],
    )
    level = RadioField(
        _l("Risk level"),
        choices=options(vocab.choices(checkup_vocab.RISK_LEVELS)),
        validate_choice=False,
        validators=[DataRequired(_l("Choose the risk level: high, medium or low."))],
    )
    finding = TextAreaField(
        _l("Finding"),
        filters=[strip],
        validators=[DataRequired(_l("Describe the finding.")), Length(max=5000)],
        render_kw={"rows": 3},
    )
    basis = TextAreaField(_l("Legal basis"), filters=[strip], validators=[Length(max=5000)], render_kw={"rows": 2})
    recommendation = TextAreaField(
        _l("Recommendation"), filters=[strip], validators=[Length(max=5000)], render_kw={"rows": 3}
    )
    deadline = StringField(_l("Correct by"), filters=[strip], validators=[optional_date], render_kw={"type": "date"})


class IssueForm(Form):
    """Issue the report: the overall summary (and a follow-up date, by default the earliest deadline)."""

    summary = TextAreaField(
        _l("Summary for the enterprise"),
        filters=[strip],
        validators=[DataRequired(_l("Write a summary of the checkup for the enterprise.")), Length(max=5000)],
        render_kw={"rows": 5},
    )
    follow_up = StringField(
        _l("Follow-up on"),
        filters=[strip],
        validators=[optional_date],
        description=_l("Both sides are reminded on this day. Empty: the earliest deadline of an open finding."),
        render_kw={"type": "date"},
    )


class ReturnForm(Form):
    """The lawyer or staff send a reported correction back."""

    note = TextAreaField(
        _l("What is still missing"),
        filters=[strip],
        validators=[
            DataRequired(_l("Say what is still missing, so the enterprise knows what to do.")),
            Length(max=5000),
        ],
        render_kw={"rows": 2},
    )


class CorrectForm(Form):
    """The enterprise reports a finding corrected."""

    note = TextAreaField(
        _l("What was done"),
        filters=[strip],
        validators=[DataRequired(_l("Say briefly what was done to correct it.")), Length(max=5000)],
        render_kw={"rows": 2},
    )
