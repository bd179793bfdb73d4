"""Enterprise self-registration: validation next to each field, nothing written on failure, pending until verified."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import func, select

from parkportal.extensions import db
from parkportal.models import AuditLog, Enterprise, Notification, OutboxMessage, User

from . import factories
from .conftest import english


def registration(**overrides) -> dict[str, str]:
    """A complete, valid registration form; override what a test is about."""
    data = {
        "enterprise_name": "常州示例智能科技有限公司",
        "uscc": factories.uscc(),
        "industry": "software",
        "employees": "10-49",
        "contact_name": "李娜",
        "phone": "13912345678",
        "email": "lina@shili-tech.cn",
        "password": "Secret2024",
        "password_confirm": "Secret2024",
        "agree_privacy": "y",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def field_error(page: str, name: str) -> str | None:
    """The error message rendered right after the field ``name``, or ``None``."""
    match = re.search(rf'<small class="field-error" id="{name}-error" role="alert">(.*?)</small>', page, re.S)
    return html.unescape(match.group(1)).strip() if match else None


def input_value(page: str, name: str) -> str | None:
    """The value the page's input ``name`` carries."""
    tag = re.search(rf'<input[^>]*\bname="{name}"[^>]*>', page)
    if tag is None:
        return None
    value = re.search(r'\bvalue="([^"]*)"', tag.group(0))
    return html.unescape(value.group(1)) if value else None


def count(model) -> int:
    """How many rows ``model`` has."""
    return db.session.scalar(select(func.count()).select_from(model))


def bad_check_digit(code: str) -> str:
    """The same code with a wrong last (check) character."""
    return code[:-1] + ("1" if code[-1] != "1" else "2")


def _existing_uscc(app) -> str:
    with app.app_context():
        code = factories.enterprise().uscc
        db.session.commit()
    return code


def _existing_email(app) -> str:
    with app.app_context():
        email = factories.enterprise_user().email
        db.session.commit()
    return email


BAD_INPUTS = [
    pytest.param(
        "uscc",
        lambda app: {"uscc": bad_check_digit(factories.uscc())},
        "This is not a valid unified social credit code: please check every character.",
        id="uscc-check-digit",
    ),
    pytest.param(
        "uscc", lambda app: {"uscc": "91320404MA1234"}, "The code has 18 characters; you entered 14.", id="uscc-length"
    ),
    pytest.param(
        "uscc",
        lambda app: {"uscc": _existing_uscc(app)},
        "This enterprise is registered already. Ask its first user to invite you from the enterprise page.",
        id="uscc-registered",
    ),
    pytest.param(
        "password_confirm",
        lambda app: {"password_confirm": "Secret2025"},
        "The two passwords are not the same.",
        id="passwords-differ",
    ),
    pytest.param(
        "password",
        lambda app: {"password": "secretpassword", "password_confirm": "secretpassword"},
        "Use both letters and digits.",
        id="password-no-digit",
    ),
    pytest.param(
        "password",
        lambda app: {"password": "abc123", "password_confirm": "abc123"},
        "Use at least 8 characters.",
        id="password-short",
    ),
    pytest.param(
        "agree_privacy",
        lambda app: {"agree_privacy": None},
        "Please agree to the privacy notice to register.",
        id="no-privacy-consent",
    ),
    pytest.param("email", lambda app: {"email": "lina@"}, "Enter a valid e-mail address.", id="bad-email"),
    pytest.param(
        "email",
        lambda app: {"email": _existing_email(app).upper()},
        "This e-mail address can't be used for a new registration. If it is yours, sign in or reset your password; "
        "otherwise use another address.",
        id="email-taken",
    ),
    pytest.param(
        "phone",
        lambda app: {"phone": "1391234"},
        "Enter an 11-digit mobile number or a landline such as 0519-86001234.",
        id="bad-phone",
    ),
    pytest.param(
        "enterprise_name",
        lambda app: {"enterprise_name": "  "},
        "Enter the enterprise's registered name.",
        id="no-name",
    ),
]


@pytest.mark.parametrize(("field", "make_overrides", "message"), BAD_INPUTS)
def test_bad_input_is_explained_next_to_the_field_and_kept(app, client, field, make_overrides, message):
    """Each bad input re-renders the form (422) with its message next to the field, keeping what was typed."""
    data = registration(**make_overrides(app))
    with app.app_context():
        users_before, enterprises_before = count(User), count(Enterprise)
    response = english(client).post("/auth/register", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert field_error(page, field) == message
    assert input_value(page, "enterprise_name") == data["enterprise_name"].strip()
    assert input_value(page, "contact_name") == data["contact_name"]
    assert input_value(page, "phone") == data["phone"]
    assert input_value(page, "email") == data["email"]
    if field != "uscc":
        assert input_value(page, "uscc") == data["uscc"]
    assert 'value="software" selected' in page or 'selected value="software"' in page
    with app.app_context():
        assert (count(User), count(Enterprise)) == (users_before, enterprises_before)


def test_bad_uscc_is_kept_as_typed(client):
    """A wrong code comes back in the field exactly as typed, so it can be corrected."""
    typed = bad_check_digit(factories.uscc())
    page = english(client).post("/auth/register", data=registration(uscc=typed)).get_data(as_text=True)
    assert input_value(page, "uscc") == typed


def test_every_missing_field_has_its_own_message(client):
    """An empty form names what to fill in at each field."""
    page = english(client).post("/auth/register", data={}).get_data(as_text=True)
    assert field_error(page, "enterprise_name") == "Enter the enterprise's registered name."
    assert field_error(page, "uscc") == "Enter the 18-character unified social credit code."
    assert field_error(page, "industry") == "Choose the industry."
    assert field_error(page, "employees") == "Choose the number of employees."
    assert field_error(page, "contact_name") == "Enter your name."
    assert field_error(page, "phone") == "Enter a phone number."
    assert field_error(page, "email") == "Enter your e-mail address."
    assert field_error(page, "password") == "Choose a password."
    assert field_error(page, "agree_privacy") == "Please agree to the privacy notice to register."


def test_failed_registration_writes_no_rows(app, client):
    """A refused registration leaves no enterprise, user, audit or outbox row behind."""
    client.post("/auth/register", data=registration(password_confirm="Different1"))
    with app.app_context():
        assert count(Enterprise) == 0
        assert count(User) == 0
        assert count(AuditLog) == 0
        assert count(OutboxMessage) == 0


def test_successful_registration_creates_pending_enterprise_and_signs_in(app, client):
    """Registering creates a pending, self-registered enterprise and its first user, signed in at once."""
    data = registration(uscc=" " + factories.uscc().lower() + " ", email="Lina@Shili-Tech.cn")
    response = english(client).post("/auth/register", data=data)
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/enterprises/mine")
    with app.app_context():
        enterprise = db.session.scalars(select(Enterprise)).one()
        assert enterprise.status == "pending"
        assert enterprise.source == "self_registered"
        assert enterprise.uscc == data["uscc"].strip().upper()
        assert enterprise.name == data["enterprise_name"]
        assert (enterprise.industry, enterprise.employees) == ("software", "10-49")
        user = db.session.scalars(select(User)).one()
        assert user.enterprise_id == enterprise.id and user.role == "enterprise" and user.is_first_user
        assert user.email == "lina@shili-tech.cn"
        assert user.check_password(data["password"])
        assert db.session.scalar(select(AuditLog.action)) == "enterprise.registered"
    page = client.get("/enterprises/mine").get_data(as_text=True)
    assert 'data-enterprise-status="pending"' in page
    assert "Verification pending." in page
    assert "Welcome! Your enterprise is registered." in page


def test_signed_in_user_is_sent_home_from_registration(enterprise_client):
    """A signed-in user who opens the registration page goes to their own page instead."""
    response = enterprise_client.get("/auth/register")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/enterprises/mine")


def test_staff_verification_notifies_and_audits(app, client, staff_client):
    """Staff verify a registration: the enterprise is verified, its user notified in-app and by e-mail, audited."""
    client.post("/auth/register", data=registration())
    with app.app_context():
        enterprise = db.session.scalars(select(Enterprise)).one()
        enterprise_id, user_id = enterprise.id, enterprise.users[0].id
    response = staff_client.post(f"/enterprises/{enterprise_id}/status", data={"status": "verified"})
    assert response.status_code == 303
    with app.app_context():
        enterprise = db.session.get(Enterprise, enterprise_id)
        assert enterprise.status == "verified" and enterprise.verified_at is not None
        note = db.session.scalars(select(Notification)).one()
        assert note.user_id == user_id and note.link == "/enterprises/mine"
        mail = db.session.scalars(select(OutboxMessage)).one()
        assert mail.recipient == "lina@shili-tech.cn" and mail.status == "pending"
        assert enterprise.name in mail.subject
        entry = db.session.scalars(select(AuditLog).where(AuditLog.action == "enterprise.verified")).one()
        assert (entry.actor_id, entry.object_id) == (staff_client.user_id, enterprise_id)
        assert entry.details == {"previous": "pending"}
    page = client.get("/enterprises/mine").get_data(as_text=True)
    assert 'data-enterprise-status="verified"' in page


def test_verifying_twice_notifies_once(app, client, staff_client):
    """Verifying an enterprise that is verified already sends no second notification."""
    client.post("/auth/register", data=registration())
    with app.app_context():
        enterprise_id = db.session.scalar(select(Enterprise.id))
    for _ in range(2):
        staff_client.post(f"/enterprises/{enterprise_id}/status", data={"status": "verified"})
    with app.app_context():
        assert count(Notification) == 1
        assert count(OutboxMessage) == 1


def test_unknown_status_is_refused(app, staff_client):
    """A made-up status is a bad request and changes nothing."""
    with app.app_context():
        enterprise = factories.enterprise(status="pending")
        db.session.commit()
        enterprise_id = enterprise.id
    response = staff_client.post(f"/enterprises/{enterprise_id}/status", data={"status": "deleted"})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.get(Enterprise, enterprise_id).status == "pending"
