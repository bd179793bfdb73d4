"""Signing in and out, passwords, invitations, and staff's account administration."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

import parkportal
from parkportal.areas import vocabulary
from parkportal.auth import views as auth_views
from parkportal.extensions import db
from parkportal.models import AuditLog, OutboxMessage, User

from . import factories
from .conftest import AuthActions, english
from .test_registration import field_error, input_value


def make(app, factory, **kwargs):
    """Create a record through a factory, commit, and return its (id, email) when it is a user."""
    with app.app_context():
        obj = factory(**kwargs)
        db.session.commit()
        return obj.id, getattr(obj, "email", None)


def signed_in_user_id(client) -> int | None:
    """The user id Flask-Login keeps in this client's session."""
    with client.session_transaction() as sess:
        value = sess.get("_user_id")
    return int(value.split(":")[0]) if value else None


def last_mail(app, recipient: str) -> OutboxMessage:
    """The newest outbox message to ``recipient``."""
    with app.app_context():
        message = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.recipient == recipient).order_by(OutboxMessage.id.desc())
        ).first()
        assert message is not None, f"no mail to {recipient}"
        db.session.expunge(message)
        return message


def link_path(message: OutboxMessage) -> str:
    """The path of the (only) portal link in a message."""
    match = re.search(r"https?://[^/\s]+(/\S+)", message.body_text)
    assert match, message.body_text
    return match.group(1)


# -- sign in and out ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("factory", "home"),
    [
        (factories.enterprise_user, "/enterprises/mine"),
        (factories.lawyer, "/bookings/agenda"),
        (factories.staff, "/enterprises/"),
    ],
)
def test_login_sends_each_role_home(app, client, auth, factory, home):
    """Signing in with the right password opens the role's start page (303)."""
    user_id, email = make(app, factory)
    response = auth.login(email.upper())
    assert response.status_code == 303
    assert response.headers["Location"] == home
    assert signed_in_user_id(client) == user_id


def test_login_with_wrong_password_is_refused(app, client):
    """A wrong password re-renders the form with one message, the e-mail kept, nobody signed in."""
    _, email = make(app, factories.staff)
    response = english(client).post("/auth/login", data={"email": email, "password": "wrong-Passw0rd"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "The e-mail address or the password is wrong." in page
    assert input_value(page, "email") == email
    assert signed_in_user_id(client) is None


def test_unknown_email_gets_the_same_answer_as_a_wrong_password(client):
    """An unknown address is not revealed: the message is the one of a wrong password."""
    response = english(client).post("/auth/login", data={"email": "nobody@example.cn", "password": "whatever1"})
    assert response.status_code == 422
    assert "The e-mail address or the password is wrong." in response.get_data(as_text=True)


def test_unknown_email_costs_a_password_check_like_a_known_one(client, monkeypatch):
    """Signing in with an unknown address still checks a password hash, so timing doesn't reveal accounts."""
    checked = []
    monkeypatch.setattr(
        "parkportal.accounts.check_password_hash", lambda hashed, password: checked.append(password) or False
    )
    response = client.post("/auth/login", data={"email": "nobody@example.cn", "password": "whatever1"})
    assert response.status_code == 422
    assert checked == ["whatever1"]


def test_login_follows_a_local_next_only(app, auth):
    """``next`` is followed when it is a path on this site, ignored when it points elsewhere."""
    _, email = make(app, factories.staff)
    client = auth._client
    response = client.post("/auth/login?next=/admin/users", data={"email": email, "password": factories.PASSWORD})
    assert response.headers["Location"] == "/admin/users"
    client.post("/auth/logout")
    response = client.post(
        "/auth/login?next=https://evil.example/x", data={"email": email, "password": factories.PASSWORD}
    )
    assert response.headers["Location"] == "/enterprises/"


def test_login_renews_the_session(app, client):
    """Signing in starts a new session: data of the anonymous session is dropped, only the language is kept."""
    _, email = make(app, factories.staff)
    with client.session_transaction() as sess:
        sess["planted"] = "by an attacker"
        sess["lang"] = "en"
    before = client.get_cookie("session", domain="portal.test").value
    client.post("/auth/login", data={"email": email, "password": factories.PASSWORD})
    after = client.get_cookie("session", domain="portal.test").value
    assert after != before
    with client.session_transaction() as sess:
        assert "planted" not in sess
        assert sess["lang"] == "en"
        assert sess["_user_id"]


def test_logout_by_get_is_not_possible(enterprise_client):
    """GET /auth/logout answers 405 and leaves the user signed in."""
    assert enterprise_client.get("/auth/logout").status_code == 405
    assert signed_in_user_id(enterprise_client) == enterprise_client.user_id


def test_logout_by_post_signs_out(enterprise_client):
    """POST /auth/logout signs out; protected pages then ask to sign in."""
    response = enterprise_client.post("/auth/logout")
    assert response.status_code == 303
    assert signed_in_user_id(enterprise_client) is None
    assert enterprise_client.get("/enterprises/mine").headers["Location"].startswith("/auth/login")


def test_deactivated_user_cannot_sign_in(app, client):
    """A deactivated account is refused at sign-in with a message saying so."""
    user_id, email = make(app, factories.lawyer)
    with app.app_context():
        db.session.get(User, user_id).active = False
        db.session.commit()
    response = english(client).post("/auth/login", data={"email": email, "password": factories.PASSWORD})
    assert response.status_code == 422
    assert "This account has been deactivated." in response.get_data(as_text=True)
    assert signed_in_user_id(client) is None


# -- passwords ---------------------------------------------------------------------------------------------


def test_change_password_needs_the_current_one(app, enterprise_client):
    """A wrong current password is explained next to its field and nothing changes."""
    data = {"current_password": "not-it-1", "password": "NewSecret9", "password_confirm": "NewSecret9"}
    response = english(enterprise_client).post("/auth/password", data=data)
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "current_password") == "This is not your current password."
    with app.app_context():
        assert db.session.get(User, enterprise_client.user_id).check_password(factories.PASSWORD)


def test_change_password_validates_the_new_one(enterprise_client):
    """The new password must be strong and repeated identically."""
    data = {"current_password": factories.PASSWORD, "password": "short1", "password_confirm": "short2"}
    page = english(enterprise_client).post("/auth/password", data=data).get_data(as_text=True)
    assert field_error(page, "password") == "Use at least 8 characters."
    assert field_error(page, "password_confirm") == "The two passwords are not the same."


def test_change_password_signs_other_sessions_out(app, enterprise_client):
    """After a change the new password works, the old doesn't, and other sessions of the user are signed out."""
    with app.app_context():
        email = db.session.get(User, enterprise_client.user_id).email
    other = app.test_client()
    assert AuthActions(other).login(email).status_code == 303
    data = {"current_password": factories.PASSWORD, "password": "NewSecret9", "password_confirm": "NewSecret9"}
    assert enterprise_client.post("/auth/password", data=data).status_code == 303
    assert enterprise_client.get("/enterprises/mine").status_code == 200  # this session goes on
    assert other.get("/enterprises/mine").headers["Location"].startswith("/auth/login")
    fresh = app.test_client()
    assert AuthActions(fresh).login(email).status_code == 422
    assert AuthActions(fresh).login(email, "NewSecret9").status_code == 303
    with app.app_context():
        assert db.session.scalar(select(AuditLog.action).where(AuditLog.action == "user.password_changed"))


def test_forgotten_password_link_works_once(app, client):
    """The reset link from the outbox sets a new password, and a second use is refused."""
    user_id, email = make(app, factories.enterprise_user)
    response = english(client).post("/auth/forgot", data={"email": email})
    assert response.status_code == 303
    message = last_mail(app, email)
    path = link_path(message)
    assert path.startswith("/auth/reset/")
    assert client.get(path).status_code == 200
    response = client.post(path, data={"password": "Reset2024x", "password_confirm": "Reset2024x"})
    assert response.status_code == 303 and response.headers["Location"] == "/auth/login"
    assert AuthActions(client).login(email, "Reset2024x").status_code == 303
    client.post("/auth/logout")
    again = client.post(path, data={"password": "Again2024x", "password_confirm": "Again2024x"})
    assert again.status_code == 303 and again.headers["Location"] == "/auth/forgot"
    with app.app_context():
        assert db.session.get(User, user_id).check_password("Reset2024x")


def test_forgotten_password_link_expires(app, client, monkeypatch):
    """A reset link older than PASSWORD_RESET_MAX_AGE is refused."""
    _, email = make(app, factories.enterprise_user)
    client.post("/auth/forgot", data={"email": email})
    path = link_path(last_mail(app, email))
    later = time.time() + app.config["PASSWORD_RESET_MAX_AGE"] + 5
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: later)
    response = client.get(path)
    assert response.status_code == 303 and response.headers["Location"] == "/auth/forgot"


def test_forgotten_password_for_unknown_email_answers_the_same(app, client):
    """An unknown address gets the same answer as a known one, and no mail is queued."""
    _, email = make(app, factories.enterprise_user)
    known = english(client).post("/auth/forgot", data={"email": email}, follow_redirects=True)
    unknown = english(app.test_client()).post(
        "/auth/forgot", data={"email": "nobody@example.cn"}, follow_redirects=True
    )
    flash = "If an account uses this address, we have sent it a link"
    assert flash in known.get_data(as_text=True) and flash in unknown.get_data(as_text=True)
    assert known.request.path == unknown.request.path == "/auth/login"
    with app.app_context():
        assert db.session.scalar(select(OutboxMessage.recipient)) == email
        assert len(db.session.scalars(select(OutboxMessage)).all()) == 1


def test_reset_link_with_bad_token_is_refused(client):
    """A forged reset token sends the user back to ask for a new link."""
    response = client.get("/auth/reset/forged.token.value")
    assert response.status_code == 303 and response.headers["Location"] == "/auth/forgot"


# -- invitations -------------------------------------------------------------------------------------------


def test_first_user_invites_a_colleague_who_joins_the_enterprise(app, enterprise_client):
    """The invitation link creates a user of the same enterprise, signed in; a used link is refused."""
    response = enterprise_client.post("/auth/invite", data={"name": "王强", "email": "WangQiang@example.cn"})
    assert response.status_code == 303
    message = last_mail(app, "WangQiang@example.cn")
    path = link_path(message)
    assert path.startswith("/auth/invitation/")
    colleague = app.test_client()
    page = colleague.get(path).get_data(as_text=True)
    assert "wangqiang@example.cn" in page
    assert 'href="/privacy"' in page
    data = {"name": "王强", "phone": "13800001111", "password": "Joined2024", "password_confirm": "Joined2024"}
    refused = english(colleague).post(path, data=data)  # the invitee agrees to the privacy notice too
    assert refused.status_code == 422 and "Please agree to the privacy notice" in refused.get_data(as_text=True)
    response = colleague.post(path, data={**data, "agree_privacy": "y"})
    assert response.status_code == 303 and response.headers["Location"] == "/enterprises/mine"
    with app.app_context():
        inviter = db.session.get(User, enterprise_client.user_id)
        joined = db.session.scalars(select(User).where(User.email == "wangqiang@example.cn")).one()
        assert joined.enterprise_id == inviter.enterprise_id
        assert joined.role == "enterprise" and not joined.is_first_user
        assert signed_in_user_id(colleague) == joined.id
        actions = set(db.session.scalars(select(AuditLog.action)))
        assert {"user.invited", "user.joined"} <= actions
    used = app.test_client().get(path)
    assert used.status_code == 303 and used.headers["Location"] == "/auth/login"


def test_invitation_accepted_twice_at_once_is_refused_cleanly(app, enterprise_client, monkeypatch):
    """When the same link is accepted in two tabs at once, the second gets a message, not a 500."""
    enterprise_client.post("/auth/invite", data={"name": "王强", "email": "twice@example.cn"})
    path = link_path(last_mail(app, "twice@example.cn"))
    data = {
        "name": "王强",
        "phone": "",
        "password": "Joined2024",
        "password_confirm": "Joined2024",
        "agree_privacy": "y",
    }
    first, second = app.test_client(), app.test_client()
    page = second.get(path)  # the second tab has the form open
    assert page.status_code == 200
    assert first.post(path, data=data).status_code == 303
    # The second tab's request got past the "used already" check before the first committed.
    monkeypatch.setattr(auth_views.accounts, "find_user_by_email", lambda email: None)
    response = second.post(path, data=data)
    assert response.status_code == 303 and response.headers["Location"] == "/auth/login"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User).where(User.email == "twice@example.cn")) == 1


def test_only_the_first_user_may_invite(app):
    """A colleague who joined later gets 403 on the invitation page."""
    with app.app_context():
        enterprise = factories.enterprise()
        factories.enterprise_user(enterprise)
        second = factories.enterprise_user(enterprise)
        db.session.commit()
        email = second.email
    client = app.test_client()
    AuthActions(client).login(email)
    assert client.get("/auth/invite").status_code == 403
    assert client.post("/auth/invite", data={"name": "x", "email": "x@example.cn"}).status_code == 403


def test_next_active_user_may_invite_when_the_first_is_deactivated(app):
    """When the first user leaves (is deactivated), the next active colleague can invite."""
    with app.app_context():
        enterprise = factories.enterprise()
        first = factories.enterprise_user(enterprise)
        second = factories.enterprise_user(enterprise)
        first.active = False
        db.session.commit()
        email = second.email
    client = app.test_client()
    AuthActions(client).login(email)
    assert client.get("/auth/invite").status_code == 200


def test_invitation_to_an_existing_address_is_refused(app, enterprise_client):
    """One can't invite an address that has an account already."""
    _, email = make(app, factories.lawyer)
    response = english(enterprise_client).post("/auth/invite", data={"name": "x", "email": email})
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "email").startswith("An account with this e-mail address")


def test_forged_invitation_is_refused(client):
    """A tampered invitation token leads nowhere."""
    response = client.get("/auth/invitation/not-a-real-token")
    assert response.status_code == 303 and response.headers["Location"] == "/"


# -- staff administration ----------------------------------------------------------------------------------


def _setup_link(app, email: str) -> str:
    """The set-password link (path) in the invitation e-mail sent to ``email``."""
    with app.app_context():
        mail = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == email)).one()
    return "/auth/setup/" + re.search(r"/auth/setup/(\S+)", mail.body_text).group(1)


def test_staff_create_a_lawyer_account_who_sets_their_own_password(app, staff_client):
    """Staff create a lawyer (title as a code) without typing a password; the lawyer gets an invitation e-mail,
    sets a password through its link once (a second use is refused) and signs in; the audit log records it."""
    data = {
        "role": "lawyer",
        "name": "孙律师",
        "email": "sun@changxin-law.cn",
        "phone": "13700001234",
        "title": "senior_associate",
        "specialties": ["labor", "contracts"],
    }
    assert 'name="password"' not in staff_client.get("/admin/users/new").get_data(as_text=True)
    response = staff_client.post("/admin/users/new", data=data)
    assert response.status_code == 303
    with app.app_context():
        lawyer = db.session.scalars(select(User).where(User.email == "sun@changxin-law.cn")).one()
        assert lawyer.role == "lawyer"
        assert lawyer.lawyer_profile.title == "senior_associate"
        assert lawyer.lawyer_profile.specialty_list == ["labor", "contracts"]
        entry = db.session.scalars(select(AuditLog).where(AuditLog.action == "user.created")).one()
        assert (entry.actor_id, entry.object_id) == (staff_client.user_id, lawyer.id)
    link = _setup_link(app, "sun@changxin-law.cn")
    visitor = app.test_client()
    assert visitor.get(link).status_code == 200
    assert visitor.post(link, data={"password": "weak", "password_confirm": "weak"}).status_code == 422
    done = visitor.post(link, data={"password": "Lawyer2024", "password_confirm": "Lawyer2024"})
    assert done.status_code == 303
    assert app.test_client().get(link).status_code == 303  # used once: sent away
    assert AuthActions(app.test_client()).login("sun@changxin-law.cn", "Lawyer2024").status_code == 303


def test_staff_create_a_staff_account(app, staff_client):
    """Staff create another staff account (no lawyer profile)."""
    data = {
        "role": "staff",
        "name": "钱敏",
        "email": "qianmin@fudu-park.gov.cn",
        "password": "Staff20245",
        "password_confirm": "Staff20245",
    }
    assert staff_client.post("/admin/users/new", data=data).status_code == 303
    with app.app_context():
        user = db.session.scalars(select(User).where(User.email == "qianmin@fudu-park.gov.cn")).one()
        assert user.role == "staff" and user.lawyer_profile is None


def test_staff_account_form_validates(app, staff_client):
    """The account form refuses an enterprise role, a taken address and an unknown title, with messages."""
    _, taken = make(app, factories.lawyer)
    data = {"role": "enterprise", "name": "", "email": taken, "title": "专职律师"}
    response = english(staff_client).post("/admin/users/new", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert field_error(page, "role") == "Not a valid choice."
    assert field_error(page, "name") == "Enter a name."
    assert field_error(page, "email") == "An account with this e-mail address exists already."  # not "sign in"
    assert field_error(page, "title") == "Not a valid choice."  # titles are codes now
    with app.app_context():
        assert len(db.session.scalars(select(User)).all()) == 2


def test_staff_choose_a_lawyers_specialties_with_check_boxes(app, staff_client):
    """The account form offers the specialties as check boxes and stores the ones ticked."""
    page = staff_client.get("/admin/users/new").get_data(as_text=True)
    assert 'type="checkbox"' in page and 'value="labor"' in page
    data = {
        "role": "lawyer",
        "name": "孙律师",
        "email": "sun2@changxin-law.cn",
        "specialties": ["labor", "ip"],
    }
    assert staff_client.post("/admin/users/new", data=data).status_code == 303
    with app.app_context():
        lawyer = db.session.scalars(select(User).where(User.email == "sun2@changxin-law.cn")).one()
        assert lawyer.lawyer_profile.specialty_list == ["labor", "ip"]


def test_an_archived_enterprise_cannot_invite(app, enterprise_client):
    """Once the enterprise is archived, its first user is offered no invitation and the page refuses."""
    with app.app_context():
        user = db.session.get(User, enterprise_client.user_id)
        user.enterprise.status = "archived"
        db.session.commit()
    assert "/auth/invite" not in enterprise_client.get("/enterprises/mine").get_data(as_text=True)
    assert enterprise_client.get("/auth/invite").status_code == 403


def test_staff_deactivate_a_user_who_is_signed_out(app, staff_client):
    """Deactivating signs the user out everywhere, blocks sign-in, is audited; reactivating restores access."""
    lawyer_id, email = make(app, factories.lawyer)
    lawyer = app.test_client()
    AuthActions(lawyer).login(email)
    response = staff_client.post(f"/admin/users/{lawyer_id}/active", data={"active": "0"})
    assert response.status_code == 303
    assert lawyer.get("/notifications/").headers["Location"].startswith("/auth/login")
    assert AuthActions(app.test_client()).login(email).status_code == 422
    staff_client.post(f"/admin/users/{lawyer_id}/active", data={"active": "1"})
    assert AuthActions(app.test_client()).login(email).status_code == 303
    with app.app_context():
        actions = list(db.session.scalars(select(AuditLog.action).order_by(AuditLog.id)))
        assert actions == ["user.deactivated", "user.activated"]


def test_staff_cannot_deactivate_themselves(app, staff_client):
    """Staff can't lock themselves out."""
    staff_client.post(f"/admin/users/{staff_client.user_id}/active", data={"active": "0"})
    with app.app_context():
        assert db.session.get(User, staff_client.user_id).active


def test_every_staff_action_is_audited(app, staff_client):
    """Verify, archive, reopen, create and deactivate each write an audit entry naming the staff member."""
    with app.app_context():
        enterprise = factories.enterprise(status="pending")
        lawyer = factories.lawyer()
        db.session.commit()
        enterprise_id, lawyer_id = enterprise.id, lawyer.id
    for status in ("verified", "archived", "pending"):
        staff_client.post(f"/enterprises/{enterprise_id}/status", data={"status": status})
    staff_client.post(f"/admin/users/{lawyer_id}/active", data={"active": "0"})
    staff_client.post(
        "/admin/users/new",
        data={"role": "staff", "name": "n", "email": "n@x.cn", "password": "Abcdefg1", "password_confirm": "Abcdefg1"},
    )
    with app.app_context():
        entries = db.session.scalars(select(AuditLog).order_by(AuditLog.id)).all()
        assert [e.action for e in entries] == [
            "enterprise.verified",
            "enterprise.archived",
            "enterprise.pending",
            "user.deactivated",
            "user.created",
        ]
        assert {e.actor_id for e in entries} == {staff_client.user_id}
    page = staff_client.get("/admin/audit").get_data(as_text=True)
    assert "enterprise.archived" in page and "user.deactivated" in page


def test_session_keeps_language_over_logout(app, client):
    """Signing out keeps the chosen language but nothing else of the session."""
    _, email = make(app, factories.staff)
    english(client)
    AuthActions(client).login(email)
    client.post("/auth/logout")
    with client.session_transaction() as sess:
        assert dict(sess).get("lang") == "en"
        assert "_user_id" not in sess


def test_every_audited_action_has_a_label_for_staff(app):
    """Each action code written anywhere in the code has a translatable label in the audit log."""
    catalog = vocabulary()
    source = "\n".join(p.read_text() for p in Path(parkportal.__file__).parent.rglob("*.py"))
    codes = set(re.findall(r'audit\.record\(\s*"([a-z_]+\.[a-z_]+)"', source))
    codes |= {f"enterprise.{status}" for status in catalog.ENTERPRISE_STATUSES}
    codes |= {"user.deactivated", "booking.rescheduled", "booking.created"}
    assert len(codes) > 20 and not codes - set(catalog.AUDIT_ACTIONS)


def test_audit_log_reads_as_sentences(app, staff_client):
    """Staff read "Enterprise verified" and "Enterprise", not the stored codes."""
    with app.app_context():
        enterprise = factories.enterprise(status="pending")
        db.session.commit()
        enterprise_id = enterprise.id
    staff_client.post(f"/enterprises/{enterprise_id}/status", data={"status": "verified"})
    page = english(staff_client).get("/admin/audit").get_data(as_text=True)
    assert "Enterprise verified" in page and f"Enterprise #{enterprise_id}" in page
