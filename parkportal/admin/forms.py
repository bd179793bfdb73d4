"""Forms of staff administration."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Email, Length

from .. import catalog
from ..auth.forms import PasswordPair, strip, validate_new_email, validate_phone


class CreateUserForm(PasswordPair, FlaskForm):
    """Staff create a lawyer or staff account."""

    role = SelectField(
        _l("Role"),
        choices=catalog.select_choices({"lawyer": _l("Lawyer"), "staff": _l("Park staff")}),
        validators=[DataRequired(_l("Choose a role."))],
    )
    name = StringField(_l("Name"), filters=[strip], validators=[DataRequired(_l("Enter a name.")), Length(max=100)])
    email = EmailField(
        _l("E-mail"),
        filters=[strip],
        validators=[
            DataRequired(_l("Enter an e-mail address.")),
            Email(_l("Enter a valid e-mail address."), check_deliverability=False),
            validate_new_email,
        ],
    )
    phone = StringField(_l("Phone"), filters=[strip], validators=[validate_phone])
    title = StringField(_l("Title (lawyers)"), filters=[strip], validators=[Length(max=100)])
    specialties = SelectMultipleField(_l("Specialties (lawyers)"), choices=catalog.select_choices(catalog.TOPICS))
