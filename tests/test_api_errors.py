"""Every answer under /api/ is JSON in the one error shape the OpenAPI description documents — whatever refused the
request (the token, the arguments, the router, the method, the body's size, CSRF, the rate limit, an exception,
database trouble) — the token is checked before any argument, and refused tokens are rate-limited per address."""

from __future__ import annotations

import jsonschema
import pytest
from flask import Flask
from werkzeug.exceptions import ServiceUnavailable

from parkportal import errors
from parkportal.api.errors import CODES
from parkportal.api.openapi import spec

from .test_coverage_api import bearer, check, token  # noqa: F401 - the fixture is used here

API_PATHS = ["/coverage", "/events"]


def assert_error(response, status: int, code: str | None = None) -> dict:
    """``response`` is a JSON error of ``status`` in the description's ``Error`` shape; returns its body."""
    assert response.status_code == status, response.get_data(as_text=True)[:200]
    assert response.mimetype == "application/json"
    body = response.get_json()
    document = spec()
    jsonschema.validate(body, {**document["components"]["schemas"]["Error"], "components": document["components"]})
    assert body["error"] == (code or CODES[status])
    return body


@pytest.mark.parametrize(
    "query",
    ["page=0", "page=-1", "page=abc", "page=" + "9" * 30, "from=%01", "to=a%00b", "x%1b=1", "limit=0", "from=1999-1"],
)
@pytest.mark.parametrize("path", API_PATHS)
def test_without_a_token_every_argument_error_is_a_401(client, path, query):
    """A caller without a token learns nothing from its arguments: an impossible page, a control character or a bad
    date answers the same JSON 401 (with its ``WWW-Authenticate``) as a plain request, per the description."""
    for headers in ({}, bearer("pp_wrong")):
        response = client.get(f"/api/v1{path}?{query}", headers=headers)
        assert_error(response, 401)
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        check(client, response, path)


@pytest.mark.parametrize("page", ["0", "-1", "abc", "9" * 30, "100001"])
@pytest.mark.parametrize("path", API_PATHS)
def test_with_a_token_an_impossible_page_is_a_json_404(client, token, path, page):  # noqa: F811 - the fixture
    """With a token, a page no list can have is the portal's 404 — in JSON, per the description."""
    response = client.get(f"/api/v1{path}?page={page}", headers=bearer(token))
    assert_error(response, 404)
    check(client, response, path)


@pytest.mark.parametrize("query", ["from=%01", "to=2025-01-01%0d%0a", "x%1b=1", "from=2025-01-01&q=a%00b"])
@pytest.mark.parametrize("path", API_PATHS)
def test_with_a_token_control_characters_are_a_json_400(client, token, path, query):  # noqa: F811 - the fixture
    """With a token, a control character in a query name or value answers a JSON 400, per the description."""
    response = client.get(f"/api/v1{path}?{query}", headers=bearer(token))
    assert_error(response, 400)
    check(client, response, path)


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
@pytest.mark.parametrize("path", [*API_PATHS, "/openapi.json"])
def test_other_methods_are_a_json_405_with_allow(client, token, path, method):  # noqa: F811 - the fixture
    """A method the path doesn't take answers a JSON 405 whose ``Allow`` names GET, with or without a token."""
    for headers in ({}, bearer(token)):
        response = client.open(f"/api/v1{path}", method=method, headers=headers)
        assert_error(response, 405)
        assert "GET" in {name.strip() for name in response.headers["Allow"].split(",")}
        assert method not in response.headers["Allow"]
        if path != "/openapi.json":
            check(client, response, path)


@pytest.mark.parametrize("url", ["/api", "/api/", "/api/v1", "/api/v1/", "/api/v1/nothing", "/api/v2/coverage"])
def test_addresses_under_the_api_that_match_no_route_are_a_json_404(client, token, url):  # noqa: F811 - the fixture
    """A path under /api/ that names nothing is a JSON 404 too (with or without a token), not the HTML page."""
    for headers in ({}, bearer(token)):
        assert_error(client.get(url, headers=headers), 404)
    assert client.get("/apix").mimetype == "text/html"  # only the API's own paths


def test_a_body_over_max_content_length_is_a_json_413(make_app):
    """A body larger than MAX_CONTENT_LENGTH sent to the API answers a JSON 413."""
    client = make_app(MAX_CONTENT_LENGTH=1024).test_client()
    response = client.post("/api/v1/events", data={"x": "y" * 4096})
    assert_error(response, 413)


def test_a_csrf_refusal_under_the_api_is_json(make_app):
    """The central CSRF check refusing an unsafe request under /api/ answers JSON (through ``render_error``)."""
    app = make_app(WTF_CSRF_ENABLED=True)
    app.add_url_rule("/api/v1/_probe", "api_probe", lambda: "never", methods=["POST"])
    response = app.test_client().post("/api/v1/_probe", data={"x": "1"})
    body = assert_error(response, 400)
    assert body["message"]


@pytest.fixture
def broken_api(make_app, monkeypatch):
    """An app (errors not propagated to the test) whose coverage figures raise what ``raise_`` is set to."""
    app = make_app(PROPAGATE_TEST_ERRORS=False, PROPAGATE_EXCEPTIONS=False)
    raised: dict[str, BaseException] = {}

    def summary(*_args, **_kwargs):
        raise raised["error"]

    monkeypatch.setattr("parkportal.coverage.metrics.summary", summary)
    return app, raised


def test_an_unexpected_error_is_a_json_500_without_detail(broken_api, token):  # noqa: F811 - the fixture
    """An exception in an API view answers a JSON 500 that says nothing of the exception, per the description."""
    app, raised = broken_api
    raised["error"] = RuntimeError("secret internal detail")
    client = app.test_client()
    response = client.get("/api/v1/coverage", headers=bearer(token))
    assert_error(response, 500)
    assert "secret internal detail" not in response.get_data(as_text=True)
    check(client, response, "/coverage")


def test_database_trouble_is_a_json_503_that_keeps_retry_after(broken_api, token):  # noqa: F811 - the fixture
    """A 503 raised in an API view (as database trouble is answered) is JSON and keeps its ``Retry-After``."""
    app, raised = broken_api
    raised["error"] = ServiceUnavailable(retry_after=30)
    client = app.test_client()
    response = client.get("/api/v1/coverage", headers=bearer(token))
    assert_error(response, 503)
    assert response.headers["Retry-After"] == "30"
    check(client, response, "/coverage")


@pytest.mark.parametrize("status", sorted(CODES))
def test_every_error_the_portal_renders_under_the_api_is_json(app: Flask, status):
    """``errors.render_error`` of any status, for any path under /api/, answers the JSON error shape with the
    error's headers — so every error path (CSRF, database trouble, …) answers JSON there without knowing of it."""
    with app.test_request_context("/api/v1/anything"):
        response = app.make_response(errors.render_error(status, headers=[("Retry-After", "5")]))
    assert_error(response, status)
    assert response.headers["Retry-After"] == "5"


def test_refused_tokens_are_rate_limited_per_address(make_app, token):  # noqa: F811 - the fixture
    """After API_TOKEN_RATE_LIMIT refused tokens an address gets a JSON 429 with ``Retry-After`` (also with a good
    token: the address is throttled); good tokens don't count, and other addresses go on."""
    client = make_app(RATELIMIT_ENABLED=True, API_TOKEN_RATE_LIMIT="3 per minute").test_client()
    guesser = {"REMOTE_ADDR": "10.9.0.1"}
    for _ in range(5):
        assert client.get("/api/v1/coverage", headers=bearer(token), environ_base=guesser).status_code == 200
    for path in ("/coverage", "/events", "/events"):
        assert_error(client.get(f"/api/v1{path}", headers=bearer("pp_guess"), environ_base=guesser), 401)
    for headers in (bearer("pp_guess"), bearer(token)):
        response = client.get("/api/v1/events", headers=headers, environ_base=guesser)
        assert_error(response, 429)
        assert int(response.headers["Retry-After"]) > 0
        check(client, response, "/events")
    other = {"REMOTE_ADDR": "10.9.0.2"}
    assert client.get("/api/v1/events", headers=bearer(token), environ_base=other).status_code == 200
