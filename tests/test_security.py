"""CSRF, rate limiting, security headers and cookies, the secret key, and page-or-fragment answers."""

from __future__ import annotations

import re

import pytest

from parkportal import create_app
from parkportal.config import DEV_SECRET_KEY
from parkportal.extensions import db
from parkportal.web import safe_next

from . import factories
from .conftest import english

REAL_SECRET = "a-real-secret-key-for-production-0123456789"


def csrf_token(page: str) -> str:
    """The CSRF token a page carries in its forms."""
    match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page)
    assert match, "no csrf_token on the page"
    return match.group(1)


@pytest.fixture
def csrf_app(make_app):
    """An app with CSRF protection on, as in production."""
    return make_app(WTF_CSRF_ENABLED=True)


def _staff_email(app) -> str:
    with app.app_context():
        email = factories.staff().email
        db.session.commit()
    return email


def test_post_without_csrf_token_is_refused(csrf_app):
    """With CSRF on, a POST without a token answers the 400 error page and signs nobody in."""
    email = _staff_email(csrf_app)
    client = csrf_app.test_client()
    response = english(client).post("/auth/login", data={"email": email, "password": factories.PASSWORD})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Your form expired or came from elsewhere." in page
    assert "<html" in page
    with client.session_transaction() as sess:
        assert "_user_id" not in sess


def test_post_with_form_token_is_accepted(csrf_app):
    """The token from the form lets the POST through."""
    email = _staff_email(csrf_app)
    client = csrf_app.test_client()
    token = csrf_token(client.get("/auth/login").get_data(as_text=True))
    data = {"email": email, "password": factories.PASSWORD, "csrf_token": token}
    assert client.post("/auth/login", data=data).status_code == 303


def test_htmx_csrf_header_is_accepted(csrf_app):
    """htmx sends the token in the X-CSRFToken header (from <body hx-headers>), which is accepted."""
    email = _staff_email(csrf_app)
    client = csrf_app.test_client()
    page = client.get("/").get_data(as_text=True)
    header = re.search(r"hx-headers='\{\"X-CSRFToken\": \"([^\"]+)\"\}'", page)
    assert header, "body carries no hx-headers with the token"
    data = {"email": email, "password": factories.PASSWORD}
    assert client.post("/auth/login", data=data, headers={"X-CSRFToken": "wrong"}).status_code == 400
    response = client.post("/auth/login", data=data, headers={"X-CSRFToken": header.group(1), "HX-Request": "true"})
    assert response.status_code == 303


def test_logout_needs_csrf_too(csrf_app):
    """Even signing out is a POST with a token: a cross-site form can't sign a user out."""
    assert csrf_app.test_client().post("/auth/logout").status_code == 400


def test_sixth_rapid_failed_login_is_rate_limited(make_app):
    """Five failed sign-ins a minute are allowed; the sixth answers 429: the sign-in page offering a link instead."""
    app = make_app(RATELIMIT_ENABLED=True)
    client = english(app.test_client())
    data = {"email": "nobody@example.cn", "password": "Wrong-pass1"}
    for _ in range(5):
        assert client.post("/auth/login", data=data).status_code == 422
    response = client.post("/auth/login", data=data)
    assert response.status_code == 429
    assert "Too many failed attempts" in response.get_data(as_text=True)
    assert "E-mail me a sign-in link" in response.get_data(as_text=True)
    assert "<html" in response.get_data(as_text=True)


def test_rate_limit_setting_is_per_app(make_app, client):
    """RATELIMIT_ENABLED of one app doesn't switch rate limiting on or off for another app of the process."""
    limited = make_app(RATELIMIT_ENABLED=True)
    make_app(RATELIMIT_ENABLED=False)  # created last: must not switch the first one off
    data = {"email": "nobody@example.cn", "password": "Wrong-pass1"}
    codes = [limited.test_client().post("/auth/login", data=data).status_code for _ in range(6)]
    assert codes[-1] == 429
    assert all(client.post("/auth/login", data=data).status_code == 422 for _ in range(7))


def test_successful_logins_are_not_counted(make_app):
    """Only failed attempts count against the limit: a person who signs in often is not locked out."""
    app = make_app(RATELIMIT_ENABLED=True)
    email = _staff_email(app)
    for _ in range(7):
        client = app.test_client()
        assert client.post("/auth/login", data={"email": email, "password": factories.PASSWORD}).status_code == 303


def test_security_headers(client):
    """Pages carry a CSP without inline script, nosniff, a referrer policy and no framing."""
    response = client.get("/")
    csp = dict(part.strip().split(" ", 1) for part in response.headers["Content-Security-Policy"].split(";"))
    assert csp["script-src"] == "'self'"
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert "unsafe-eval" not in response.headers["Content-Security-Policy"]
    assert csp["frame-ancestors"] == "'none'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_pages_have_no_inline_script(client):
    """No page of the foundation relies on inline script (the CSP would block it)."""
    for url in ("/", "/auth/login", "/auth/register", "/auth/forgot"):
        page = client.get(url).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), url
        assert not re.search(r"\son[a-z]+=", page), url


def test_session_cookie_flags_in_testing(client):
    """The session cookie is HttpOnly and SameSite=Lax."""
    with client.session_transaction() as sess:
        sess["lang"] = "en"
    response = client.post("/language", data={"lang": "zh_CN"})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_session_cookie_is_secure_outside_debug_and_testing(app):
    """A production app (not testing, real secret) sends the session and remember cookies with Secure."""
    production = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "SECRET_KEY": REAL_SECRET,
            "SESSION_COOKIE_SECURE": None,  # the default (instance/config.py of `make run` sets False)
            "RATELIMIT_ENABLED": False,
            "PORTAL_URL": "https://portal.example.cn",  # production refuses to start without its address
        }
    )
    try:
        assert production.config["SESSION_COOKIE_SECURE"] is True
        assert production.config["REMEMBER_COOKIE_SECURE"] is True
        cookie = production.test_client().get("/auth/login").headers["Set-Cookie"]
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    finally:
        with production.app_context():
            db.engine.dispose()


@pytest.mark.parametrize("secret", [DEV_SECRET_KEY, None, "", "too-short"])
def test_app_refuses_to_start_without_a_real_secret(app, secret):
    """Outside debug and testing, a missing, built-in or short SECRET_KEY stops the app with a clear message."""
    with pytest.raises(RuntimeError, match="refuses to start without a real SECRET_KEY"):
        create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "SECRET_KEY": secret})


def test_testing_app_may_use_the_development_secret(make_app):
    """Tests and debug runs may use the built-in development secret."""
    assert make_app(SECRET_KEY=DEV_SECRET_KEY).config["SECRET_KEY"] == DEV_SECRET_KEY


def test_htmx_search_returns_a_fragment(app, staff_client):
    """An htmx request to the enterprise search gets only the results, varied on HX-Request."""
    with app.app_context():
        factories.enterprise(name="常州云帆信息技术有限公司")
        factories.enterprise(name="常州通达物流有限公司")
        db.session.commit()
    response = staff_client.get("/enterprises/?q=云帆", headers={"HX-Request": "true"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in page
    assert "常州云帆信息技术有限公司" in page and "常州通达物流有限公司" not in page
    assert "HX-Request" in response.headers["Vary"]
    full = staff_client.get("/enterprises/?q=云帆")
    assert "<html" in full.get_data(as_text=True)
    assert "HX-Request" in full.headers["Vary"]


def test_boosted_navigation_gets_the_whole_page(staff_client):
    """A boosted link (hx-boost) wants the whole page, not the fragment."""
    response = staff_client.get("/enterprises/", headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert "<html" in response.get_data(as_text=True)


@pytest.mark.parametrize("url", ["/", "/auth/login", "/auth/register"])
def test_html_pages_vary_on_hx_request(client, url):
    """Pages that may answer htmx differently say so in Vary, and aren't cached."""
    response = client.get(url)
    assert "HX-Request" in response.headers["Vary"]
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    "target", ["/\\evil.example/x", "/\\/evil.example", "\\\\evil.example", "/\t/evil.example", "/\n/evil.example"]
)
def test_redirect_targets_that_browsers_read_as_another_host_are_refused(target):
    """A backslash or control character can turn a path into ``//host`` in a browser: never a redirect target."""
    assert safe_next(target) is None
    assert safe_next("/bookings/?page=2") == "/bookings/?page=2"


def test_reset_links_for_one_account_are_limited_from_any_address(make_app):
    """Asking reset links for one person from many addresses stops at the limit (no flooding their mailbox); the
    same address asking for others' links is limited per address too."""
    app = make_app(RATELIMIT_ENABLED=True, PASSWORD_RESET_RATE_LIMIT="3 per hour")
    client = english(app.test_client())
    codes = [
        client.post(
            "/auth/forgot", data={"email": "Target@example.cn"}, environ_base={"REMOTE_ADDR": f"10.0.0.{n}"}
        ).status_code
        for n in range(1, 5)
    ]
    assert codes == [303, 303, 303, 429]
    again = {"email": " target@EXAMPLE.cn"}
    assert client.post("/auth/forgot", data=again, environ_base={"REMOTE_ADDR": "10.0.1.1"}).status_code == 429
    others = [
        client.post(
            "/auth/forgot", data={"email": f"person{n}@example.cn"}, environ_base={"REMOTE_ADDR": "10.0.2.1"}
        ).status_code
        for n in range(4)
    ]
    assert others == [303, 303, 303, 429]


def test_failed_logins_are_limited_per_account_from_any_address(make_app):
    """Guessing one account's password from many addresses is stopped too; other accounts stay open."""
    app = make_app(RATELIMIT_ENABLED=True, LOGIN_ACCOUNT_RATE_LIMIT="3 per hour")
    client = english(app.test_client())
    data = {"email": "Target@example.cn", "password": "Wrong-pass1"}
    codes = [
        client.post("/auth/login", data=data, environ_base={"REMOTE_ADDR": f"10.0.0.{n}"}).status_code
        for n in range(1, 5)
    ]
    assert codes == [422, 422, 422, 429]
    same_account = dict(data, email=" target@EXAMPLE.cn")
    assert client.post("/auth/login", data=same_account, environ_base={"REMOTE_ADDR": "10.0.1.1"}).status_code == 429
    other = dict(data, email="someone-else@example.cn")
    assert client.post("/auth/login", data=other, environ_base={"REMOTE_ADDR": "10.0.1.2"}).status_code == 422
