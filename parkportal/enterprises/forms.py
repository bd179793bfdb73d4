"""Forms of enterprises: an enterprise's own details, and staff's note when returning a registration."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..auth.forms import validate_phone
from ..core import vocab
from ..fields import Form, SelectField, strip
from . import vocab as enterprise_vocab


class ProfileForm(Form):
    """The enterprise's details its users keep up to date; name and USCC only until it is verified."""

    name = StringField(
        _l("Enterprise name"),
        filters=[strip],
        validators=[DataRequired(_l("Enter the enterprise's registered name.")), Length(max=200)],
    )
    uscc = StringField(
        _l("Unified social credit code"),
        filters=[strip],
        validators=[DataRequired(_l("Enter the 18-character unified social credit code.")), Length(max=22)],
        render_kw={"maxlength": 22, "autocapitalize": "characters", "spellcheck": "false"},
    )
    industry = SelectField(
        _l("Industry"),
        choices=vocab.select_choices(enterprise_vocab.INDUSTRIES),
        validators=[DataRequired(_l("Choose the industry."))],
    )
    employees = SelectField(
        _l("Employees"),
        choices=vocab.select_choices(enterprise_vocab.EMPLOYEE_BANDS),
        validators=[DataRequired(_l("Choose the number of employees."))],
    )
    contact_name = StringField(
        _l("Contact person"),
        filters=[strip],
        validators=[DataRequired(_l("Enter the contact person's name.")), Length(max=100)],
    )
    phone = StringField(
        _l("Phone"), filters=[strip], validators=[DataRequired(_l("Enter a phone number.")), validate_phone]
    )
    address = StringField(_l("Address in the park"), filters=[strip], validators=[Optional(), Length(max=200)])

    def fit(self, enterprise) -> ProfileForm:
        """Drop name and USCC when the enterprise can no longer change them itself."""
        if not enterprise.can_change_identity:
            del self.name
            del self.uscc
        return self

    def values(self) -> dict[str, str | None]:
        """The submitted values by field name."""
        return {name: field.data for name, field in self._fields.items() if name != "csrf_token"}


class RejectForm(Form):
    """Staff return a registration for correction, saying what to fix."""

    reason = TextAreaField(
        _l("What should the enterprise correct?"),
        filters=[strip],
        validators=[DataRequired(_l("Say what the enterprise should correct.")), Length(max=2000)],
        render_kw={"rows": 3},
    )


class RosterForm(Form):
    """Staff upload the park's roster (.xlsx, or .csv in UTF-8 or GBK) to preview it."""

    file = FileField(
        _l("Roster file"),
        validators=[FileRequired(_l("Choose the roster file (.xlsx or .csv)."))],
        render_kw={"accept": ".xlsx,.csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,text/csv"},
    )
