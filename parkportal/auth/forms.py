"""Forms of the auth area; every rule of the input lives in a validator here."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, EqualTo, InputRequired, Length, Optional, ValidationError

from .. import accounts
from ..core import vocab
from ..enterprises import vocab as enterprise_vocab
from ..fields import Form, MultiCheckboxField, SelectField


def strip(value):
    """Trim surrounding white space of text input."""
    return value.strip() if isinstance(value, str) else value


def validate_password_strength(form, field):
    """At least 8 characters with letters and digits."""
    problem = accounts.password_problem(field.data or "")
    if problem == "short":
        raise ValidationError(_l("Use at least 8 characters."))
    if problem == "mix":
        raise ValidationError(_l("Use both letters and digits."))


def validate_phone(form, field):
    """A mainland mobile number or a landline with area code."""
    if field.data and not accounts.PHONE_RE.match(field.data.replace(" ", "")):
        raise ValidationError(_l("Enter an 11-digit mobile number or a landline such as 0519-86001234."))


def validate_new_email(form, field):
    """The address must not belong to an account already.

    Said without confirming that an account exists (nor whose): the person who owns the address knows what to do,
    and someone probing addresses learns no more than they can't use this one (refusals are rate-limited).
    """
    if accounts.find_user_by_email(field.data) is not None:
        raise ValidationError(
            _l(
                "This e-mail address can't be used for a new registration. If it is yours, sign in or "
                "reset your password; otherwise use another address."
            )
        )


def validate_invitee_email(form, field):
    """An invited colleague's address must not belong to an account already (said to the signed-in inviter)."""
    if accounts.find_user_by_email(field.data) is not None:
        raise ValidationError(_l("An account with this e-mail address exists already."))


class PasswordPair:
    """The password and its confirmation, shared by every form that sets a password."""

    password = PasswordField(
        _l("Password"),
        validators=[InputRequired(_l("Choose a password.")), validate_password_strength],
        render_kw={"autocomplete": "new-password"},
    )
    password_confirm = PasswordField(
        _l("Repeat the password"),
        validators=[
            InputRequired(_l("Repeat the password.")),
            EqualTo("password", message=_l("The two passwords are not the same.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )


#: The consent asked at registration and when accepting an invitation (the notice is at /privacy).
PRIVACY_CONSENT = _l(
    "I agree that the park service station and its partner law firm process these data to provide legal services."
)


class RegistrationForm(PasswordPair, Form):
    """An enterprise registers itself and its first user."""

    enterprise_name = StringField(
        _l("Enterprise name"),
        filters=[strip],
        validators=[DataRequired(_l("Enter the enterprise's registered name.")), Length(max=200)],
    )
    uscc = StringField(
        _l("Unified social credit code"),
        filters=[strip],
        validators=[DataRequired(_l("Enter the 18-character unified social credit code."))],
        render_kw={"maxlength": 22, "autocapitalize": "characters", "spellcheck": "false"},
    )
    industry = SelectField(
        _l("Industry"),
        choices=vocab.select_choices(enterprise_vocab.INDUSTRIES, blank=_l("Choose…")),
        validate_choice=False,
        validators=[DataRequired(_l("Choose the industry."))],
    )
    employees = SelectField(
        _l("Employees"),
        choices=vocab.select_choices(enterprise_vocab.EMPLOYEE_BANDS, blank=_l("Choose…")),
        validate_choice=False,
        validators=[DataRequired(_l("Choose the number of employees."))],
    )
    contact_name = StringField(
        _l("Contact person"),
        filters=[strip],
        validators=[DataRequired(_l("Enter your name.")), Length(max=100)],
        render_kw={"autocomplete": "name"},
    )
    phone = StringField(
        _l("Phone"),
        filters=[strip],
        validators=[DataRequired(_l("Enter a phone number.")), validate_phone],
        render_kw={"autocomplete": "tel", "inputmode": "tel"},
    )
    email = EmailField(
        _l("E-mail"),
        filters=[strip],
        validators=[
            DataRequired(_l("Enter your e-mail address.")),
            Email(_l("Enter a valid e-mail address."), check_deliverability=False),
            validate_new_email,
        ],
        render_kw={"autocomplete": "email"},
    )
    agree_privacy = BooleanField(
        PRIVACY_CONSENT, validators=[DataRequired(_l("Please agree to the privacy notice to register."))]
    )

    needs = MultiCheckboxField(
        _l("Legal topics your enterprise needs help with (optional)"), choices=vocab.select_choices(vocab.TOPICS)
    )
    needs_note = TextAreaField(
        _l("What legal help do you need? (optional)"),
        filters=[strip],
        validators=[Optional(), Length(max=1000)],
        render_kw={"rows": 2},
    )

    def validate_uscc(self, field):
        """Valid check digit, and not registered already."""
        code = accounts.clean_uscc(field.data)
        if not accounts.uscc_is_valid(code):
            if len(code) != 18:
                raise ValidationError(_l("The code has 18 characters; you entered %(n)d.", n=len(code)))
            raise ValidationError(_l("This is not a valid unified social credit code: please check every character."))
        if accounts.find_enterprise_by_uscc(code) is not None:
            raise ValidationError(
                _l("This enterprise is registered already. Ask its first user to invite you from the enterprise page.")
            )

    def validate_industry(self, field):
        """A known industry (a code, or words we recognise)."""
        code = enterprise_vocab.industry_code(field.data)
        if code is None:
            raise ValidationError(_l("Choose the industry."))
        field.data = code

    def validate_employees(self, field):
        """A band, or a head count that we turn into a band."""
        band = enterprise_vocab.employee_band(field.data)
        if band is None:
            raise ValidationError(_l("Choose the number of employees."))
        field.data = band


class LoginForm(Form):
    """Sign in with e-mail and password."""

    email = EmailField(
        _l("E-mail"),
        filters=[strip],
        validators=[DataRequired(_l("Enter your e-mail address."))],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Enter your password."))],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(_l("Stay signed in on this device"))


class ChangePasswordForm(PasswordPair, Form):
    """Change one's own password."""

    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(_l("Enter your current password."))],
        render_kw={"autocomplete": "current-password"},
    )


def address_field(**render_kw) -> EmailField:
    """The one e-mail address a form asks for to send a link to."""
    return EmailField(
        _l("E-mail"),
        filters=[strip],
        validators=[
            DataRequired(_l("Enter your e-mail address.")),
            Email(_l("Enter a valid e-mail address."), check_deliverability=False),
        ],
        render_kw=render_kw or None,
    )


class ForgotPasswordForm(Form):
    """Ask for a password-reset link."""

    email = address_field()


class ResetPasswordForm(PasswordPair, Form):
    """Set a new password from a reset link."""


class LoginLinkForm(Form):
    """Ask for a one-time sign-in link by e-mail."""

    email = address_field(autocomplete="username")


class ConfirmForm(Form):
    """A button that confirms an action a link leads to (its CSRF token is the only field)."""


class InviteForm(Form):
    """The enterprise's first user invites a colleague."""

    name = StringField(
        _l("Colleague's name"), filters=[strip], validators=[DataRequired(_l("Enter a name.")), Length(max=100)]
    )
    email = EmailField(
        _l("Colleague's e-mail"),
        filters=[strip],
        validators=[
            DataRequired(_l("Enter an e-mail address.")),
            Email(_l("Enter a valid e-mail address."), check_deliverability=False),
            validate_invitee_email,
        ],
    )


class AcceptInvitationForm(PasswordPair, Form):
    """A colleague accepts an invitation and chooses a password."""

    name = StringField(
        _l("Your name"), filters=[strip], validators=[DataRequired(_l("Enter your name.")), Length(max=100)]
    )
    phone = StringField(_l("Phone"), filters=[strip], validators=[validate_phone])
    agree_privacy = BooleanField(
        PRIVACY_CONSENT, validators=[DataRequired(_l("Please agree to the privacy notice to create your account."))]
    )
