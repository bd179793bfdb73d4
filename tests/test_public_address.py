"""Links that leave the portal (issue 19, point 1): every e-mail, calendar file, QR code and API answer is built on
the configured public address, whatever Host header the request carried; production without one refuses to start,
commands that send refuse to send, and ``TRUSTED_HOSTS`` may refuse other hosts outright."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import click
import pytest
from flask import render_template_string, url_for
from sqlalchemy import select

from parkportal import ROOT, create_app
from parkportal.core import notify
from parkportal.coverage.service import issue_token
from parkportal.events import checkin
from parkportal.extensions import db
from parkportal.models import Enterprise, OutboxMessage

from . import factories
from .booking_support import at, future_weekday, iso, working_lawyer
from .checkup_support import checkup_booking, full_answers
from .conftest import TEST_SECRET, english
from .event_support import make_event, registered

PUBLIC = "https://portal.example.cn"
EVIL = "evil.example"
URL = re.compile(r"https?://[^\s\"'<>)\]]+")


@pytest.fixture
def portal(make_app):
    """An app that knows its public address (``PORTAL_URL``, no ``SERVER_NAME``), as a production one does."""
    return make_app(PORTAL_URL=PUBLIC)


def hostile(client):
    """``client``, every request of which names the attacker's host in its Host header."""
    client.environ_base["HTTP_HOST"] = EVIL
    return client


def hostile_sign_in(app, email: str):
    """A client signed in as ``email`` through the real form, every request naming the attacker's host."""
    client = hostile(app.test_client())
    response = client.post("/auth/login", data={"email": email, "password": factories.PASSWORD})
    assert response.status_code == 303, response.data[:300]
    return client


def made(app, build, *names):
    """Run ``build()`` (factories) in an app context, commit, and return the named attributes of what it made."""
    with app.app_context():
        thing = build()
        db.session.commit()
        values = tuple(getattr(thing, name) for name in names)
    return values[0] if len(values) == 1 else values


def on_public_address_only(text: str) -> list[str]:
    """The URLs in ``text`` (calendar lines unfolded), each asserted to be on the public address, the attacker's host
    asserted to appear nowhere."""
    text = text.replace("\r\n ", "")
    assert EVIL not in text
    urls = URL.findall(text)
    assert all(url.startswith(PUBLIC + "/") for url in urls), urls
    return urls


def outbox_texts(app) -> list[str]:
    """Each outbox message as one text: subject, plain and HTML bodies, and its attachment."""
    with app.app_context():
        messages = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        return [
            "\n".join(
                [m.subject, m.body_text, m.body_html or "", (m.attachment or b"").decode("utf-8", errors="replace")]
            )
            for m in messages
        ]


def mailed_link(app, path_prefix: str) -> str:
    """The one link starting with ``PUBLIC + path_prefix`` in the outbox, which names no other host."""
    links = [url for text in outbox_texts(app) for url in on_public_address_only(text)]
    wanted = {url for url in links if url.startswith(PUBLIC + path_prefix)}
    assert len(wanted) == 1, links
    return wanted.pop()


# ------------------------------------------------------------------------------------------------------- e-mails


def test_password_reset_link_is_on_the_public_address_whatever_the_host(portal):
    """POST /auth/forgot with ``Host: evil.example`` e-mails a reset link on PORTAL_URL (it works there)."""
    email = made(portal, factories.staff, "email")
    assert hostile(portal.test_client()).post("/auth/forgot", data={"email": email}).status_code == 303
    link = mailed_link(portal, "/auth/reset/")
    assert portal.test_client().get(urlsplit(link).path).status_code == 200


def test_one_time_sign_in_link_is_on_the_public_address(portal):
    """A one-time sign-in link asked for with ``Host: evil.example`` is on PORTAL_URL."""
    email = made(portal, factories.staff, "email")
    assert hostile(portal.test_client()).post("/auth/login-link", data={"email": email}).status_code == 303
    mailed_link(portal, "/auth/login-link/")


def test_invitation_link_is_on_the_public_address(portal):
    """An enterprise's first user inviting a colleague over ``Host: evil.example`` sends a link on PORTAL_URL."""
    client = hostile_sign_in(portal, made(portal, factories.enterprise_user, "email"))
    response = client.post("/auth/invite", data={"name": "李四", "email": "lisi@jiangnan-zhizao.com"})
    assert response.status_code == 303, response.data[:300]
    mailed_link(portal, "/auth/invitation/")


def test_account_set_up_link_is_on_the_public_address(portal):
    """Staff creating a lawyer's account over ``Host: evil.example`` e-mails a set-up link on PORTAL_URL."""
    client = hostile_sign_in(portal, made(portal, factories.staff, "email"))
    data = {"role": "lawyer", "name": "孙律师", "email": "sun@changxin-law.cn", "phone": "", "title": ""}
    assert client.post("/admin/users/new", data=data).status_code == 303
    mailed_link(portal, "/auth/setup/")


def test_notification_e_mail_links_to_the_public_address(portal):
    """Staff verifying an enterprise over ``Host: evil.example``: the enterprise's e-mail links to PORTAL_URL."""
    enterprise_id = made(portal, lambda: factories.enterprise_user(status="pending"), "enterprise_id")
    client = hostile_sign_in(portal, made(portal, factories.staff, "email"))
    assert client.post(f"/enterprises/{enterprise_id}/status", data={"status": "verified"}).status_code < 400
    with portal.app_context():
        assert db.session.get(Enterprise, enterprise_id).status == "verified"
    mailed_link(portal, "/")


# ------------------------------------------------------------------------------------ calendar files, QR, the API


def test_calendar_files_name_only_the_public_address(portal):
    """A booking's and an event's ``.ics``, the events feed and a lawyer's feed, fetched with
    ``Host: evil.example``: their URLs and UIDs are on PORTAL_URL."""
    with portal.app_context():
        user, lawyer = factories.enterprise_user(), working_lawyer()
        start = at(future_weekday(2, 2), "10:00")
        booking = factories.appointment(enterprise=user.enterprise, lawyer=lawyer, actor=user, start=start)
        event = make_event()
        db.session.commit()
        booking_id, event_id, feed, email = booking.id, event.id, lawyer.lawyer_profile.feed_token, user.email
    client = hostile_sign_in(portal, email)
    files = {
        f"/bookings/{booking_id}.ics": f"UID:appointment-{booking_id}@portal.example.cn",
        f"/events/{event_id}.ics": f"UID:event-{event_id}@portal.example.cn",
        "/events/feed.ics": f"UID:event-{event_id}@portal.example.cn",
        f"/availability/feed/{feed}.ics": f"UID:appointment-{booking_id}@portal.example.cn",
    }
    for path, uid in files.items():
        response = client.get(path)
        assert response.status_code == 200, path
        text = response.get_data(as_text=True)
        assert uid in text, path
        on_public_address_only(text)
    assert f"URL:{PUBLIC}/bookings/{booking_id}" in client.get(f"/bookings/{booking_id}.ics").get_data(as_text=True)


def test_lawyers_calendar_feed_address_is_on_the_public_address(portal):
    """The calendar-feed address a lawyer copies from /availability (asked with ``Host: evil.example``)."""
    with portal.app_context():
        lawyer = working_lawyer()
        db.session.commit()
        email, token = lawyer.email, lawyer.lawyer_profile.feed_token
    page = hostile_sign_in(portal, email).get("/availability").get_data(as_text=True)
    assert f'value="{PUBLIC}/availability/feed/{token}.ics"' in page
    assert EVIL not in page


def test_qr_check_in_link_is_on_the_public_address(portal):
    """The link a registration's QR code carries, made in a request with ``Host: evil.example``."""
    with portal.app_context():
        registration = registered(make_event())
        db.session.commit()
        with portal.test_request_context("/events/", headers={"Host": EVIL}):
            link = checkin.link(registration)
    assert link.startswith(PUBLIC + "/events/scan/")


def test_api_addresses_are_on_the_public_address(portal):
    """``/api/v1/events``' event ``url`` and ``next`` and the OpenAPI ``servers``, asked with ``Host: evil.example``."""
    with portal.app_context():
        make_event(starts_in=timedelta(days=3))
        make_event(starts_in=timedelta(days=4))
        _, token = issue_token("政务数据平台", None)
        db.session.commit()
    client = hostile(portal.test_client())
    body = client.get("/api/v1/events?limit=1", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert body["next"].startswith(PUBLIC + "/api/v1/events?")
    assert body["events"][0]["url"].startswith(PUBLIC + "/events/")
    servers = client.get("/api/v1/openapi.json").get_json()["servers"]
    assert [server["url"] for server in servers] == [PUBLIC + "/api/v1"]


# --------------------------------------------------------------------------------------------------- the class


def test_every_external_url_is_built_on_the_public_address(portal):
    """Every route of the URL map, built external in a request with ``Host: evil.example`` (in Python and in Jinja)
    and outside a request, is on PORTAL_URL: no call site can build a link on the request's host."""
    rules = [rule for rule in portal.url_map.iter_rules() if rule.endpoint != "static"]
    with portal.test_request_context("/", headers={"Host": EVIL}):
        for rule in rules:
            values = {name: 1 if name.endswith("_id") else "x" for name in rule.arguments}
            assert url_for(rule.endpoint, _external=True, **values).startswith(PUBLIC + "/"), rule.rule
        assert render_template_string("{{ url_for('main.index', _external=True) }}") == PUBLIC + "/"
        assert url_for("main.index") == "/"  # paths inside a request stay paths
    with portal.app_context():
        assert url_for("auth.login") == PUBLIC + "/auth/login"


def test_portal_url_with_a_path_and_port_is_kept(make_app):
    """A public address with a port and a path prefix is what links start with."""
    app = make_app(PORTAL_URL="https://park.example.cn:8443/portal/")
    with app.test_request_context("/", headers={"Host": EVIL}):
        assert url_for("auth.login", _external=True) == "https://park.example.cn:8443/portal/auth/login"


def test_portal_url_wins_over_server_name(make_app):
    """With both set, links follow PORTAL_URL; with only SERVER_NAME, it and PREFERRED_URL_SCHEME serve."""
    both = make_app(PORTAL_URL=PUBLIC, SERVER_NAME="internal.example")
    with both.test_request_context("/", headers={"Host": EVIL}):
        assert url_for("main.index", _external=True) == PUBLIC + "/"
    named = make_app(SERVER_NAME="portal.example.cn", PREFERRED_URL_SCHEME="https")
    with named.test_request_context("/", headers={"Host": EVIL}):
        assert url_for("main.index", _external=True) == PUBLIC + "/"


E_MAIL_TEMPLATES = {f"emails/{path.name}" for path in (ROOT / "templates" / "emails").glob("[!_]*.html")}


def test_outbox_after_a_realistic_sequence_names_only_the_public_address(make_app, monkeypatch):
    """Sign-in guessing, a reset, a sign-in link, an invitation, a new account, a verification and a rejection, a
    booking, an event sign-up and its cancellation, a finished checkup questionnaire, every request with
    ``Host: evil.example``: every e-mail template was rendered, and nothing in the outbox (attachments included)
    names another host."""
    app = make_app(
        PORTAL_URL=PUBLIC, RATELIMIT_ENABLED=True, LOGIN_ACCOUNT_RATE_LIMIT="3 per hour", LOGIN_RATE_LIMIT="99 per hour"
    )
    rendered: set[str] = set()
    render_block = notify.render_email_block

    def recording(template_name, block, **context):
        """Note which e-mail template was rendered."""
        rendered.add(template_name)
        return render_block(template_name, block, **context)

    monkeypatch.setattr(notify, "render_email_block", recording)
    with app.app_context():
        staff, guessed = factories.staff(), factories.staff()
        first = factories.enterprise_user(status="verified")
        pending, to_correct = factories.enterprise_user(status="pending"), factories.enterprise_user(status="pending")
        lawyer = working_lawyer()
        event = make_event()
        checkup = checkup_booking(first, lawyer)
        db.session.commit()
        emails = staff.email, guessed.email, first.email
        ids = pending.enterprise_id, to_correct.enterprise_id, lawyer.id, event.id, checkup.id
    staff_email, guessed_email, first_email = emails
    pending_id, to_correct_id, lawyer_id, event_id, checkup_id = ids

    visitor = hostile(english(app.test_client()))
    for n in range(1, 5):  # wrong passwords from four addresses: the owner is warned
        data = {"email": guessed_email, "password": "Wrong-pass1"}
        visitor.post("/auth/login", data=data, environ_base={"REMOTE_ADDR": f"10.9.0.{n}", "HTTP_HOST": EVIL})
    assert visitor.post("/auth/forgot", data={"email": staff_email}).status_code == 303
    assert visitor.post("/auth/login-link", data={"email": staff_email}).status_code == 303

    officer = hostile_sign_in(app, staff_email)
    new_user = {"role": "lawyer", "name": "孙律师", "email": "sun@changxin-law.cn", "phone": "", "title": ""}
    assert officer.post("/admin/users/new", data=new_user).status_code == 303
    assert officer.post(f"/enterprises/{pending_id}/status", data={"status": "verified"}).status_code < 400
    assert officer.post(f"/enterprises/{to_correct_id}/reject", data={"reason": "营业执照照片不清晰"}).status_code < 400

    enterprise = hostile_sign_in(app, first_email)
    assert enterprise.post("/auth/invite", data={"name": "李四", "email": "lisi@example.cn"}).status_code == 303
    booking = {
        "service": "consultation",
        "start": iso(future_weekday(3, 2), "10:00"),
        "lawyer_id": str(lawyer_id),
        "mode": "onsite",
        "topic": "labor",
        "description": "劳动合同续签",
    }
    assert enterprise.post("/bookings/new", data=booking).status_code == 303
    signed_up = enterprise.post(f"/events/{event_id}/register", data={"attendees": "1", "names": "张三"})
    assert signed_up.status_code < 400, signed_up.get_data(as_text=True)[-3000:]
    assert officer.post(f"/events/{event_id}/cancel-event", data={"reason": "场地检修"}).status_code == 303
    finished = enterprise.post(f"/checkups/{checkup_id}/answers", data={**full_answers(), "finish": "1"})
    assert finished.status_code == 303

    assert len(E_MAIL_TEMPLATES) >= 10 and rendered == E_MAIL_TEMPLATES, E_MAIL_TEMPLATES - rendered
    texts = outbox_texts(app)
    assert len(texts) >= len(E_MAIL_TEMPLATES)
    assert any("BEGIN:VCALENDAR" in text for text in texts)  # the attachments were walked too
    for text in texts:
        on_public_address_only(text)


# ---------------------------------------------------------------------------------------------- production


def test_production_refuses_to_start_without_a_public_address(app):
    """Outside debug and testing, neither PORTAL_URL nor SERVER_NAME: the factory refuses, saying what to set."""
    config = {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "SECRET_KEY": TEST_SECRET * 2}
    with pytest.raises(RuntimeError, match="set PORTAL_URL"):
        create_app(config)


@pytest.mark.parametrize("address", ["portal.example.cn", "ftp://portal.example.cn", "https://", "https://a:b/"])
def test_a_malformed_public_address_is_refused(app, address):
    """A PORTAL_URL that is no full http(s) address stops even a testing app, naming the value."""
    config = {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "SECRET_KEY": TEST_SECRET}
    with pytest.raises(RuntimeError, match="full public address"):
        create_app({**config, "TESTING": True, "PORTAL_URL": address})


def test_development_apps_fall_back_to_the_development_address(make_app):
    """A testing (or debug) app with no address builds links on ``http://127.0.0.1:5000``, never the request's."""
    app = make_app()
    with app.test_request_context("/", headers={"Host": EVIL}):
        assert url_for("main.index", _external=True) == "http://127.0.0.1:5000/"


@pytest.mark.parametrize("command", [["send-outbox"], ["send-reminders"]])
def test_commands_that_send_refuse_without_a_public_address(app, monkeypatch, command):
    """``send-outbox`` and ``send-reminders`` in production without an address: a clear message, exit status 1,
    nothing sent."""
    for key in ("PORTAL_URL", "SERVER_NAME"):
        monkeypatch.delenv(key, raising=False)
    config = {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "SECRET_KEY": TEST_SECRET * 2}
    with click.Context(click.Command(command[0]), info_name=command[0]):  # the factory, as the command builds it
        production = create_app(config)
    try:
        with production.app_context():
            db.session.add(OutboxMessage(recipient="a@example.cn", subject="s", body_text="t"))
            db.session.commit()
        result = production.test_cli_runner().invoke(args=command)
        assert result.exit_code == 1
        assert "set PORTAL_URL" in result.output and "Traceback" not in result.output
        with production.app_context():
            assert db.session.scalars(select(OutboxMessage.status)).all() == ["pending"]
    finally:
        with production.app_context():
            db.session.remove()
            db.engine.dispose()


def test_trusted_hosts_refuses_other_hosts_with_the_portal_page(make_app):
    """With TRUSTED_HOSTS set, a request naming another host answers 400 with the portal's own error page."""
    app = make_app(PORTAL_URL=PUBLIC, TRUSTED_HOSTS=["portal.example.cn"])
    refused = hostile(app.test_client()).get("/auth/login")
    assert refused.status_code == 400
    assert 'href="/auth/login"' in refused.get_data(as_text=True)  # the full page, its links paths on the portal
    assert app.test_client().get("/auth/login", base_url=PUBLIC).status_code == 200


def test_trusted_hosts_is_off_unless_set(portal):
    """Without TRUSTED_HOSTS any Host is answered (the links don't depend on it)."""
    assert portal.config["TRUSTED_HOSTS"] is None
    assert hostile(portal.test_client()).get("/auth/login").status_code == 200


#: Reading the request's host or full address; ``request.url_rule`` and the like don't match.
HOST_READS = re.compile(r"request\.(host_url|url_root|root_url|base_url|url|host|full_path)\b")


def test_nothing_reads_the_requests_host_for_output():
    """No module or template reads the request's host or full address, except the one comparison that keeps a
    return path (from the referrer) on the site."""
    found = [
        (str(path.relative_to(ROOT)), line.strip())
        for path in [*(ROOT / "parkportal").rglob("*.py"), *(ROOT / "templates").rglob("*.html")]
        for line in path.read_text(encoding="utf-8").splitlines()
        if HOST_READS.search(line)
    ]
    assert found == [("parkportal/templating.py", "if parts.netloc and parts.netloc != request.host:")]
