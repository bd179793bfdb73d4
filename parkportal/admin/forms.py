"""Forms of staff administration."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, StringField
from wtforms.validators import DataRequired, Email, Length, ValidationError

from .. import accounts
from ..auth.forms import strip, validate_phone
from ..availability.vocab import LAWYER_TITLES
from ..core import vocab
from ..fields import Form, MultiCheckboxField, SelectField


def validate_unused_email(form, field):
    """Nobody has an account with this address yet (said to staff, who create it for someone else)."""
    if accounts.find_user_by_email(field.data) is not None:
        raise ValidationError(_l("An account with this e-mail address exists already."))


class CreateUserForm(Form):
    """Staff create a lawyer or staff account; the person sets their own password from an invitation e-mail."""

    role = SelectField(
        _l("Role"),
        choices=vocab.select_choices({"lawyer": _l("Lawyer"), "staff": _l("Park staff")}),
        validators=[DataRequired(_l("Choose a role."))],
    )
    name = StringField(_l("Name"), filters=[strip], validators=[DataRequired(_l("Enter a name.")), Length(max=100)])
    email = EmailField(
        _l("E-mail"),
        filters=[strip],
        validators=[
            DataRequired(_l("Enter an e-mail address.")),
            Email(_l("Enter a valid e-mail address."), check_deliverability=False),
            validate_unused_email,
        ],
    )
    phone = StringField(_l("Phone"), filters=[strip], validators=[validate_phone])
    title = SelectField(
        _l("Title (lawyers)"), choices=vocab.select_choices(LAWYER_TITLES, blank=_l("No title")), default=""
    )
    specialties = MultiCheckboxField(_l("Specialties (lawyers)"), choices=vocab.select_choices(vocab.TOPICS))
