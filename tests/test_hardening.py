"""Hardening (issue 7): signing out ends the sign-in, the owner can't be locked out, input never gives a 500,
single-line text stays single-line, plain-text e-mails aren't escaped, search is literal, error pages survive a
database that refuses writes, and account existence doesn't leak. Each test runs on SQLite and PostgreSQL."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import event, func, select, text
from wtforms import DateField, IntegerField, StringField, TextAreaField

from parkportal import accounts
from parkportal.auth import tokens
from parkportal.core import notify
from parkportal.core.parsing import clean_line, clean_text, fit
from parkportal.core.search import like_pattern
from parkportal.extensions import db
from parkportal.fields import Form
from parkportal.models import AuditLog, Enterprise, OutboxMessage, SignIn

from . import factories
from .conftest import english

HOST = "portal.test"  # the test app's SERVER_NAME: the cookies' domain


def count(model) -> int:
    """Rows of ``model``."""
    return db.session.scalar(select(func.count()).select_from(model))


def sign_in(app, email: str, remember: bool = False):
    """A new client signed in as ``email`` through the real form."""
    client = app.test_client()
    data = {"email": email, "password": factories.PASSWORD}
    if remember:
        data["remember"] = "y"
    assert client.post("/auth/login", data=data).status_code == 303
    return client


def cookie(client, name: str, domain: str = HOST) -> str | None:
    """The value of the client's cookie ``name``."""
    found = client.get_cookie(name, domain=domain)
    return found.value if found else None


def with_cookies(app, domain: str = HOST, **cookies):
    """A fresh client holding only the given cookies (copied from another browser)."""
    client = app.test_client()
    for name, value in cookies.items():
        client.set_cookie(name, value, domain=domain)
    return client


def signed_in(client) -> bool:
    """Whether ``client`` reaches a page for signed-in users."""
    return client.get("/notifications/").status_code == 200


@pytest.fixture
def staff_email(app):
    """A staff account's address."""
    with app.app_context():
        email = factories.staff().email
        db.session.commit()
    return email


# ------------------------------------------------------------------------------------------------ 1 + 2 sessions


def test_remember_cookie_is_deleted_on_sign_out_and_dies_on_the_server(app, staff_email):
    """ "Stay signed in" then sign out: the remember cookie is deleted, and a copy of it (or of the session) no longer
    signs anyone in."""
    client = sign_in(app, staff_email, remember=True)
    remember, session_cookie = cookie(client, "remember_token"), cookie(client, "session")
    assert remember and session_cookie
    assert signed_in(with_cookies(app, remember_token=remember)), "the copied remember cookie alone signs in"
    assert client.post("/auth/logout").status_code == 303
    assert cookie(client, "remember_token") is None
    assert not signed_in(client)
    assert not signed_in(with_cookies(app, remember_token=remember))
    assert not signed_in(with_cookies(app, session=session_cookie))


def test_signing_out_ends_only_that_browser(app, staff_email):
    """Signing out on one device leaves the user's other devices signed in."""
    phone, desktop = sign_in(app, staff_email), sign_in(app, staff_email)
    phone.post("/auth/logout")
    assert not signed_in(phone) and signed_in(desktop)
    with app.app_context():
        assert count(SignIn) == 1


def test_sign_out_on_all_devices(app, staff_email):
    """ "Sign out on all devices" in the account menu ends every sign-in of the account, remembered ones too."""
    phone, desktop = sign_in(app, staff_email, remember=True), sign_in(app, staff_email)
    remember = cookie(phone, "remember_token")
    page = desktop.get("/notifications/").get_data(as_text=True)
    assert 'action="/auth/logout-everywhere"' in page
    assert desktop.post("/auth/logout-everywhere").status_code == 303
    assert not signed_in(phone) and not signed_in(desktop)
    assert not signed_in(with_cookies(app, remember_token=remember))
    with app.app_context():
        assert count(SignIn) == 0
        assert db.session.scalar(select(AuditLog.action)) == "user.signed_out_everywhere"


def test_a_new_password_from_a_reset_link_ends_every_sign_in(app, staff_email):
    """Resetting the password by e-mail signs every browser out (the old password may be known to someone)."""
    browser = sign_in(app, staff_email, remember=True)
    with app.app_context():
        token = tokens.password_reset_token(accounts.find_user_by_email(staff_email))
    new = {"password": "Brand-new-pass9", "password_confirm": "Brand-new-pass9"}
    assert app.test_client().post(f"/auth/reset/{token}", data=new).status_code == 303
    assert not signed_in(browser)


# --------------------------------------------------------------------------------------------- 3 no lock-out


@pytest.fixture
def limited_app(make_app):
    """An app with rate limits on: three failed sign-ins per account per hour."""
    return make_app(RATELIMIT_ENABLED=True, LOGIN_ACCOUNT_RATE_LIMIT="3 per hour", LOGIN_RATE_LIMIT="100 per minute")


def _guess(app, email: str, times: int) -> list[int]:
    """``times`` wrong passwords for ``email`` from as many addresses; their status codes."""
    client = english(app.test_client())
    return [
        client.post(
            "/auth/login",
            data={"email": email, "password": "Wrong-pass1"},
            environ_base={"REMOTE_ADDR": f"10.9.0.{n}"},
        ).status_code
        for n in range(1, times + 1)
    ]


def test_throttled_owner_signs_in_with_a_one_time_link(limited_app):
    """While guessing keeps the password sign-in closed, the page offers a link by e-mail, and the link signs the
    owner in exactly once; the owner is warned once per throttle window."""
    app = limited_app
    email = _staff_email(app)
    assert _guess(app, email, 5) == [422, 422, 422, 429, 429]
    owner = english(app.test_client())
    page = owner.post("/auth/login", data={"email": email, "password": factories.PASSWORD})
    body = page.get_data(as_text=True)
    assert page.status_code == 429  # still slowed down, the right password included
    assert "E-mail me a sign-in link" in body and 'action="/auth/login-link"' in body
    with app.app_context():
        warnings = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == email)).all()
        assert [w.subject for w in warnings] == ["Many wrong passwords for your account"]  # once, not per attempt
    assert owner.post("/auth/login-link", data={"email": email}).status_code == 303
    with app.app_context():
        mail = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
        path = re.search(r"https?://[^/\s]+(/auth/login-link/\S+)", mail.body_text).group(1)
    confirm = owner.get(path)
    assert confirm.status_code == 200 and not signed_in(owner)  # opening the link (a mail scanner) signs nobody in
    assert owner.post(path).status_code == 303
    assert signed_in(owner)
    again = app.test_client().post(path)
    assert again.status_code == 303 and again.headers["Location"].endswith("/auth/login-link")
    with app.app_context():
        assert "user.signed_in_by_link" in db.session.scalars(select(AuditLog.action)).all()


def _staff_email(app) -> str:
    with app.app_context():
        email = factories.staff(locale="en").email
        db.session.commit()
    return email


def test_login_link_for_an_unknown_address_answers_the_same_and_sends_nothing(app, client):
    """Asking for a sign-in link tells nothing about whether the address has an account."""
    response = english(client).post("/auth/login-link", data={"email": "nobody@example.cn"})
    assert response.status_code == 303
    with app.app_context():
        assert count(OutboxMessage) == 0


def test_a_forged_or_stale_sign_in_link_is_refused(app, staff_email, client):
    """A link made before the owner signed in another way no longer works."""
    with app.app_context():
        token = tokens.login_link_token(accounts.find_user_by_email(staff_email))
    sign_in(app, staff_email)
    assert client.post(f"/auth/login-link/{token}").headers["Location"].endswith("/auth/login-link")
    assert client.post("/auth/login-link/forged").headers["Location"].endswith("/auth/login-link")
    assert not signed_in(client)


# ------------------------------------------------------------------------------------------------- 4 + 5 input


@pytest.mark.parametrize(
    "data",
    [
        {"email": "staff\x00@example.cn", "password": "Passw0rd-test"},
        {"email": "a@example.cn", "password": "pass\x00word"},
        {"email": "a@example.cn\x1b[2J", "password": "x"},
    ],
    ids=["nul-email", "nul-password", "escape"],
)
def test_control_characters_in_a_sign_in_are_a_bad_request(app, client, data):
    """NUL and other control characters in any field are refused (400) before the database sees them."""
    assert client.post("/auth/login", data=data).status_code == 400


@pytest.mark.parametrize(
    "query", ["q=%00", "status=%1b", "%00=1", "page=1%0a"], ids=["nul-value", "escape", "nul-name", "newline"]
)
def test_control_characters_in_a_query_are_a_bad_request(staff_client, query):
    """No query argument (name or value) may hold control characters."""
    assert staff_client.get(f"/enterprises/?{query}").status_code == 400


def test_control_characters_in_a_path_are_a_bad_request(client):
    """A NUL in a URL variable (a feed token) never reaches a query."""
    assert client.get("/availability/feed/abc%00def.ics").status_code == 400


@pytest.mark.parametrize("page", ["99999999999999999999999", "9" * 5000, "-1", "١٢", "abc"])
def test_page_numbers_beyond_any_page_are_not_a_crash(staff_client, page):
    """Page numbers beyond 64 bits, thousands of digits, negative or in other digits: no 500."""
    assert staff_client.get(f"/enterprises/?page={page}").status_code in (200, 404)


@pytest.mark.parametrize("name", ["_external", "_scheme", "_anchor", "_method", "enterprise_id"])
def test_query_names_the_url_builder_treats_specially_are_kept_as_plain_query(app, staff_client, name):
    """``page_url`` appends the query as it came: ``_scheme=javascript`` can't change the links (or 500)."""
    with app.app_context():
        for n in range(30):
            factories.enterprise(name=f"常州分页{n:02d}号有限公司")
        db.session.commit()
    response = staff_client.get(f"/enterprises/?{name}=javascript&q=分页")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    links = re.findall(r'href="([^"]*page=2[^"]*)"', page)
    assert links and all(link.startswith("/enterprises/?") for link in links)
    assert "javascript:" not in page


@pytest.mark.parametrize("employees", ["²", "１２", "9" * 5000, "0"])
def test_odd_head_counts_are_explained(client, employees):
    """A head count in non-ASCII digits or with thousands of digits is a field error, not a 500."""
    data = {
        "enterprise_name": "常州测试有限公司",
        "uscc": factories.uscc(),
        "industry": "software",
        "employees": employees,
        "contact_name": "张伟",
        "phone": "13800000000",
        "email": "new@example.cn",
        "password": "Passw0rd-new",
        "password_confirm": "Passw0rd-new",
        "agree_privacy": "y",
    }
    assert client.post("/auth/register", data=data).status_code in (303, 422)


class _Sample(Form):
    """Every kind of field the base form bounds."""

    name = StringField()
    note = TextAreaField()
    day = DateField()
    number = IntegerField()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("day", "0001-01-01"),
        ("day", "9999-12-31"),
        ("number", "9" * 30),
        ("number", "-" + "9" * 12),
        ("name", "长" * 256),
        ("note", "x" * 20_001),
    ],
)
def test_the_base_form_refuses_what_no_column_can_hold(app, field, value):
    """Dates outside 2000–2100, numbers beyond a database integer and text without a limit of its own are refused."""
    from werkzeug.datastructures import MultiDict

    with app.test_request_context():
        form = _Sample(formdata=MultiDict({field: value}), meta={"csrf": False})
        assert not form.validate()
        assert form[field].errors


def test_single_line_fields_fold_line_breaks_and_text_areas_keep_them(app):
    """CR/LF and tabs become one space in a single-line field; a text area keeps its lines; other control
    characters are dropped from both."""
    from werkzeug.datastructures import MultiDict

    with app.test_request_context():
        form = _Sample(
            formdata=MultiDict({"name": "张\r\n伟\tBcc: x@evil.example\x85", "note": "line 1\r\nline 2\x07"}),
            meta={"csrf": False},
        )
        assert form.name.data == "张 伟 Bcc: x@evil.example "
        assert form.note.data == "line 1\nline 2"


def test_a_registered_name_with_line_breaks_is_stored_on_one_line(app, client):
    """Names typed with line breaks are stored on one line, so every e-mail that carries them can be sent."""
    data = {
        "enterprise_name": "常州换行\r\n科技有限公司",
        "uscc": factories.uscc(),
        "industry": "software",
        "employees": "10-49",
        "contact_name": "张\n伟",
        "phone": "13800000000",
        "email": "lines@example.cn",
        "password": "Passw0rd-new",
        "password_confirm": "Passw0rd-new",
        "agree_privacy": "y",
    }
    assert client.post("/auth/register", data=data).status_code == 303
    with app.app_context():
        enterprise = db.session.scalar(select(Enterprise))
        assert (enterprise.name, enterprise.contact_name) == ("常州换行 科技有限公司", "张 伟")


def test_text_helpers():
    """``clean_line``, ``clean_text`` and ``fit`` do what the forms and composed strings rely on."""
    assert clean_line(["a\nb", 3]) == ["a b", 3]
    assert clean_text("a\r\nb\x00") == "a\nb"
    assert fit("abcdef", 4) == "abc…" and fit("abc", 4) == "abc"


def test_composed_strings_fit_their_columns(app):
    """An e-mail subject and a notification built from the longest names still fit their columns."""
    with app.app_context():
        enterprise = factories.enterprise(name="长" * 200)
        user = factories.enterprise_user(enterprise, name="名" * 100)
        note = notify.notify(
            user,
            lambda: "通知" * 300,
            email_template="emails/invitation",
            inviter=user,
            enterprise=enterprise,
            name=user.name,
        )
        db.session.commit()
        message = db.session.scalar(select(OutboxMessage))
        assert len(message.subject) <= 255 and len(note.text) <= 500


# -------------------------------------------------------------------------------------- 6 plain-text e-mails


def test_plain_text_e_mail_is_not_html_escaped(app):
    """Subjects and text bodies show & " ' as typed; the HTML part still escapes them."""
    name = 'A&B "Q" O\'Brien <x>'
    with app.app_context():
        user = factories.staff(name=name, locale="en")
        message = notify.queue_email(user.email, "emails/password_reset", locale="en", user=user, link="http://x/")
        assert name in message.body_text
        assert "&amp;" not in message.body_text and "&#39;" not in message.body_text
        assert "A&amp;B" in message.body_html and "&lt;x&gt;" in message.body_html
        invitation = notify.compose_email(
            "a@b.cn",
            "emails/invitation",
            locale="en",
            inviter=user,
            enterprise=factories.enterprise(name="R&D 'X'"),
            name="N",
            link="http://x/",
        )
        assert "&amp;" not in invitation.subject + invitation.body_text
        db.session.rollback()


# ----------------------------------------------------------------------------------------------- 7 search


def test_search_matches_percent_and_underscore_literally(app, staff_client):
    """ "100%" finds the enterprise with "100%" in its name, not every one; "_" is a character, not a wildcard."""
    with app.app_context():
        factories.enterprise(name="常州100%质量有限公司")
        factories.enterprise(name="常州1000质量有限公司")
        factories.enterprise(name="常州A_B有限公司")
        factories.enterprise(name="常州AXB有限公司")
        db.session.commit()
    found = staff_client.get("/enterprises/?q=100%25", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "常州100%质量有限公司" in found and "常州1000质量有限公司" not in found
    found = staff_client.get("/enterprises/?q=A_B", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "常州A_B有限公司" in found and "常州AXB有限公司" not in found
    assert like_pattern("a\\b%_") == "%a\\\\b\\%\\_%"


# ------------------------------------------------------------------------------------- 8 a read-only database


@pytest.fixture
def read_only_app(make_app):
    """An app whose database connections refuse every write (as a read-only replica or a full disk would)."""
    app = make_app(PROPAGATE_TEST_ERRORS=False, PROPAGATE_EXCEPTIONS=False)
    with app.app_context():
        engine = db.engine
        engine.dispose()

        @event.listens_for(engine, "connect")
        def read_only(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            if engine.dialect.name == "sqlite":
                cursor.execute("PRAGMA query_only = ON")
            else:
                cursor.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
            cursor.close()
            if engine.dialect.name != "sqlite":
                dbapi_connection.commit()

    return app


def test_sign_in_on_a_read_only_database_shows_the_portal_error_page(read_only_app, staff_email):
    """The sign-in's write fails: the answer is the portal's own 503 page (its navigation renders), not Werkzeug's."""
    client = english(read_only_app.test_client())
    response = client.post("/auth/login", data={"email": staff_email, "password": factories.PASSWORD})
    page = response.get_data(as_text=True)
    assert response.status_code == 503 and response.headers["Retry-After"] == "30"
    assert "Temporarily unavailable" in page and "nothing was saved" in page
    assert "Service Unavailable" not in page


def test_healthz_reports_a_database_that_refuses_writes(read_only_app, client):
    """/healthz answers 503 "read-only" when the database answers but can't write; 200 otherwise."""
    response = read_only_app.test_client().get("/healthz")
    assert response.status_code == 503 and response.get_json() == {"status": "error", "db": "read-only"}
    assert client.get("/healthz").get_json() == {"status": "ok", "db": "ok"}


def test_error_page_renders_after_a_failed_flush(make_app, staff_email):
    """A view whose write fails leaves a session needing a rollback; the error page (with the user's unread
    count in the navigation) still renders."""
    app = make_app(PROPAGATE_TEST_ERRORS=False, PROPAGATE_EXCEPTIONS=False)

    def broken():
        db.session.execute(text("INSERT INTO no_such_table VALUES (1)"))

    app.add_url_rule("/broken", "broken", broken)
    client = app.test_client()
    assert client.post("/auth/login", data={"email": staff_email, "password": factories.PASSWORD}).status_code == 303
    response = english(client).get("/broken")
    assert response.status_code == 500 and "Something went wrong" in response.get_data(as_text=True)


# ----------------------------------------------------------------------------------------- 9 existence leaks


def test_password_reset_does_the_same_work_for_known_and_unknown_addresses(app, client, staff_email, monkeypatch):
    """A reset request for an unknown address makes a token and renders the e-mail like one for a known address
    (so its timing tells nothing); only the known address gets the e-mail."""
    calls = []
    real_token, real_render = tokens.password_reset_token, notify.render_email_block
    monkeypatch.setattr(tokens, "password_reset_token", lambda user: calls.append("token") or real_token(user))
    monkeypatch.setattr(notify, "render_email_block", lambda *a, **k: calls.append("render") or real_render(*a, **k))
    client.post("/auth/forgot", data={"email": staff_email})
    known, calls[:] = list(calls), []
    client.post("/auth/forgot", data={"email": "nobody@example.cn"})
    assert calls == known and "token" in known and "render" in known
    with app.app_context():
        assert db.session.scalars(select(OutboxMessage.recipient)).all() == [staff_email]


def test_registration_with_a_known_address_does_not_confirm_the_account(app, client, staff_email):
    """The refusal helps the owner (sign in or reset) without saying an account exists or whose it is."""
    data = {"email": staff_email.upper(), "enterprise_name": "常州X有限公司", "uscc": factories.uscc()}
    page = html.unescape(english(client).post("/auth/register", data=data).get_data(as_text=True))
    assert "can't be used for a new registration" in page
    assert "account with this e-mail address exists" not in page and "Sign in instead" not in page


# ------------------------------------------------------------------------------------- dates at the ends


@pytest.mark.parametrize("query", ["from=0001-01-01", "to=9999-12-31"])
def test_staff_booking_list_with_dates_python_cant_shift(staff_client, query):
    """Dates at the ends of what Python holds are a hint on the staff list, not a 500."""
    assert staff_client.get(f"/bookings/all?{query}").status_code in (200, 422)
