"""Error pages: a whole page for a browser, a message fragment (retargeted) for htmx, never a stack trace."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import ServiceUnavailable, Unauthorized

from parkportal.extensions import db
from parkportal.models import Enterprise

from . import factories
from .conftest import english

HTMX = {"HX-Request": "true"}


def assert_full_page(response, code: int, title: str) -> None:
    """The response is the whole error page for ``code``."""
    page = response.get_data(as_text=True)
    assert response.status_code == code
    assert "<html" in page
    assert f"{code} · {title}" in page
    assert "HX-Retarget" not in response.headers
    assert "Traceback" not in page


def assert_fragment(response, code: int, title: str) -> None:
    """The response is only the message, retargeted to the page's message area."""
    page = response.get_data(as_text=True)
    assert response.status_code == code
    assert "<html" not in page
    assert title in page
    assert 'class="flash flash-error"' in page
    assert response.headers["HX-Retarget"] == "#messages"
    assert response.headers["HX-Reswap"] == "innerHTML"
    assert "Traceback" not in page


@pytest.fixture
def enterprise_id(app) -> int:
    """An enterprise on the roster."""
    with app.app_context():
        enterprise = factories.enterprise()
        db.session.commit()
        return enterprise.id


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_400(staff_client, enterprise_id, htmx):
    """A request the app can't use answers 400."""
    response = english(staff_client).post(
        f"/enterprises/{enterprise_id}/status", data={"status": "nonsense"}, headers=HTMX if htmx else {}
    )
    (assert_fragment if htmx else assert_full_page)(response, 400, "Bad request")


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_403(enterprise_client, htmx):
    """A page of another role answers 403."""
    response = english(enterprise_client).get("/admin/users", headers=HTMX if htmx else {})
    (assert_fragment if htmx else assert_full_page)(response, 403, "Not allowed")


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_404(client, htmx):
    """An unknown address answers 404."""
    response = english(client).get("/no/such/page", headers=HTMX if htmx else {})
    (assert_fragment if htmx else assert_full_page)(response, 404, "Not found")


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_405(client, htmx):
    """A GET to a POST-only address answers 405 with the error page, whose ``Allow`` names the methods it takes."""
    response = english(client).get("/auth/logout", headers=HTMX if htmx else {})
    (assert_fragment if htmx else assert_full_page)(response, 405, "Wrong request method")
    assert "POST" in {name.strip() for name in response.headers["Allow"].split(",")}


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_413_when_the_body_exceeds_max_content_length(make_app, htmx):
    """A request body over MAX_CONTENT_LENGTH answers 413."""
    app = make_app(MAX_CONTENT_LENGTH=1024)
    client = english(app.test_client())
    response = client.post(
        "/auth/login", data={"email": "a@b.cn", "password": "x" * 4096}, headers=HTMX if htmx else {}
    )
    (assert_fragment if htmx else assert_full_page)(response, 413, "File too large")
    assert client.post("/auth/login", data={"email": "a@b.cn", "password": "x" * 100}).status_code == 422


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_429(make_app, htmx):
    """Too many reset requests answer the 429 page (the sign-in page has its own, see test_hardening)."""
    app = make_app(RATELIMIT_ENABLED=True)
    client = english(app.test_client())
    data = {"email": "nobody@example.cn"}
    for _ in range(10):
        client.post("/auth/forgot", data=data)
    response = client.post("/auth/forgot", data=data, headers=HTMX if htmx else {})
    (assert_fragment if htmx else assert_full_page)(response, 429, "Too many attempts")


@pytest.fixture
def failing_app(make_app):
    """An app (errors not propagated to the test) with a route that writes and then fails."""
    app = make_app(PROPAGATE_TEST_ERRORS=False, PROPAGATE_EXCEPTIONS=False)

    def boom():
        db.session.add(Enterprise(name="half-done", uscc=factories.uscc(), industry="other"))
        db.session.flush()
        raise RuntimeError("secret internal detail")

    app.add_url_rule("/boom", "boom", boom)
    return app


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_an_http_error_keeps_its_headers(make_app, htmx):
    """The error page of an HTTP error keeps the error's own headers (a 503's ``Retry-After``, a 401's
    ``WWW-Authenticate``), for a page and a fragment alike."""
    app = make_app()

    def busy():
        raise ServiceUnavailable(retry_after=30)

    def challenge():
        raise Unauthorized(www_authenticate=WWWAuthenticate("basic", {"realm": "parkportal"}))

    app.add_url_rule("/busy", "busy", busy)
    app.add_url_rule("/challenge", "challenge", challenge)
    client = english(app.test_client())
    response = client.get("/busy", headers=HTMX if htmx else {})
    (assert_fragment if htmx else assert_full_page)(response, 503, "Temporarily unavailable")
    assert response.headers["Retry-After"] == "30"
    response = client.get("/challenge", headers=HTMX if htmx else {})
    assert response.status_code == 401 and response.headers["WWW-Authenticate"].startswith("Basic")


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_500_shows_no_stack_trace_and_saves_nothing(failing_app, htmx):
    """An unexpected error answers the 500 page, without details, and rolls the request back."""
    response = english(failing_app.test_client()).get("/boom", headers=HTMX if htmx else {})
    (assert_fragment if htmx else assert_full_page)(response, 500, "Something went wrong")
    assert "secret internal detail" not in response.get_data(as_text=True)
    with failing_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Enterprise)) == 0


def test_error_pages_speak_the_default_language_markup(client):
    """The full error page is a normal page of the portal (navigation, lang attribute)."""
    page = client.get("/no/such/page").get_data(as_text=True)
    assert 'lang="zh-CN"' in page
    assert 'href="/auth/login"' in page


HUGE = "9" * 25


@pytest.mark.parametrize(
    ("url", "code"),
    [
        (f"/bookings/{HUGE}", 404),
        (f"/bookings/{HUGE}.ics", 404),
        (f"/enterprises/{HUGE}", 404),
        (f"/bookings/slots?service=consultation&date=2026-12-08&lawyer={HUGE}", 422),
        ("/bookings/slots?service=consultation&date=2026-12-08&lawyer=%C2%B2", 422),  # "²" is a digit to isdigit()
        (f"/bookings/slots?service=consultation&date=2026-12-08&reschedule={HUGE}", 404),
        (f"/bookings/all?lawyer={HUGE}&enterprise={HUGE}", 200),
        (f"/availability?lawyer={HUGE}", 404),
    ],
)
def test_ids_beyond_any_record_are_not_found_not_a_crash(staff_client, url, code):
    """A number too large for an id (or a digit that isn't 0-9) in a URL answers like a missing record, not 500."""
    assert staff_client.get(url).status_code == code


def test_a_booking_form_with_a_huge_enterprise_id_is_explained(staff_client):
    """Staff posting an enterprise id beyond any record get the form back with a message, not a 500."""
    response = staff_client.post("/bookings/new", data={"enterprise_id": HUGE, "service": "consultation"})
    assert response.status_code == 422
