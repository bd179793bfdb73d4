"""The read-only API: bearer tokens issued by staff (stored hashed, revocable), coverage and events as JSON, every
answer valid against the served OpenAPI description; missing, wrong or revoked tokens 401, bad dates 400."""

from __future__ import annotations

import hashlib
import re
from datetime import date, timedelta

import jsonschema
import pytest
from sqlalchemy import select

from parkportal.coverage import service
from parkportal.extensions import db
from parkportal.models import ApiToken

from . import coverage_support as park
from . import factories
from .event_support import make_event


@pytest.fixture
def token(app) -> str:
    """An active token."""
    with app.app_context():
        _row, secret = service.issue_token("区市场监管平台", None)
        db.session.commit()
    return secret


def bearer(secret: str) -> dict[str, str]:
    """The Authorization header for ``secret``."""
    return {"Authorization": f"Bearer {secret}"}


def check(client, response, path: str):
    """Validate ``response`` against the OpenAPI description's schema for ``path`` and its status."""
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"][path]["get"]
    declared = operation["responses"][str(response.status_code)]
    schema = {**declared["content"]["application/json"]["schema"], "components": spec["components"]}
    jsonschema.validate(response.get_json(), schema)


def test_coverage_figures_match_the_seeded_park_and_the_description(app, client, token):
    """GET /api/v1/coverage gives the contract's keys with the hand-computed figures, valid per the OpenAPI schema."""
    with app.app_context():
        park.seed()
        db.session.commit()
    response = client.get("/api/v1/coverage?from=2025-01-01&to=2025-12-31", headers=bearer(token))
    assert response.status_code == 200
    body = response.get_json()
    assert (body["from"], body["to"], body["roster"], body["served"], body["target"]) == (
        "2025-01-01",
        "2025-12-31",
        8,
        5,
        70,
    )
    assert body["rate"] == pytest.approx(0.625)
    assert body["touches"] == park.EXPECTED["touches"]
    check(client, response, "/coverage")


def test_events_lists_published_events_per_the_description(app, client, token):
    """GET /api/v1/events lists published events only, valid per the OpenAPI schema."""
    with app.app_context():
        shown = make_event(title="新《公司法》专题讲座", topics=("company_law",)).id
        make_event(status="draft")
        db.session.commit()
    response = client.get("/api/v1/events", headers=bearer(token))
    assert response.status_code == 200
    assert [e["id"] for e in response.get_json()["events"]] == [shown]
    assert response.get_json()["events"][0]["topics"] == ["company_law"]
    check(client, response, "/events")


def test_events_page_with_limit_and_next_reaches_every_published_event_once(app, client, token):
    """With ``limit``, each answer holds that many events and ``next`` leads on (keeping from/to) until the last page,
    whose ``next`` is null; every published event in the period comes exactly once, earliest first."""
    with app.app_context():
        made = [make_event(starts_in=timedelta(days=5 + day), title=f"讲座{day}").id for day in range(5)]
        make_event(starts_in=timedelta(days=400))  # outside the period asked for
        db.session.commit()
    seen, answers = [], 0
    today = date.today()
    url = f"/api/v1/events?from={today - timedelta(days=1)}&to={today + timedelta(days=30)}&limit=2"
    while url:
        response = client.get(url, headers=bearer(token))
        assert response.status_code == 200
        check(client, response, "/events")
        body = response.get_json()
        assert len(body["events"]) <= 2
        seen += [event["id"] for event in body["events"]]
        answers += 1
        url = body["next"] and body["next"].removeprefix("http://localhost")
        if url:
            assert "limit=2" in url and f"to={today + timedelta(days=30)}" in url
    assert seen == made and answers == 3


def test_events_fit_one_answer_by_default_and_refuse_a_bad_limit(app, client, token):
    """Without ``limit`` a demo-sized year (36 events) comes in one answer with ``next`` null; a limit out of range
    is a 400 naming the field, per the description."""
    with app.app_context():
        for day in range(36):
            make_event(starts_in=timedelta(days=1 + day))
        db.session.commit()
    body = client.get("/api/v1/events", headers=bearer(token)).get_json()
    assert len(body["events"]) == 36 and body["next"] is None
    for query, field in (("limit=0", "limit"), ("limit=501", "limit"), ("limit=ten", "limit")):
        response = client.get(f"/api/v1/events?{query}", headers=bearer(token))
        assert response.status_code == 400 and response.get_json()["field"] == field
        check(client, response, "/events")


@pytest.mark.parametrize("path", ["/coverage", "/events"])
def test_missing_wrong_and_revoked_tokens_get_401_json(app, client, token, path):
    """No token, a wrong one, another scheme or a revoked one: 401 with a JSON error, per the description."""
    url = f"/api/v1{path}"
    for headers in ({}, bearer("pp_wrong"), {"Authorization": f"Basic {token}"}):
        response = client.get(url, headers=headers)
        assert response.status_code == 401 and response.get_json()["error"] == "unauthorized"
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        check(client, response, path)
    with app.app_context():
        service.revoke_token(db.session.scalar(select(ApiToken)), None)
        db.session.commit()
    assert client.get(url, headers=bearer(token)).status_code == 401


@pytest.mark.parametrize("query", ["from=2025-02-30", "from=yesterday", "from=2025-06-01&to=2025-01-01"])
@pytest.mark.parametrize("path", ["/coverage", "/events"])
def test_bad_dates_get_400_json(client, token, path, query):
    """A malformed date or to before from: 400 with a JSON error naming the field, per the description."""
    response = client.get(f"/api/v1{path}?{query}", headers=bearer(token))
    assert response.status_code == 400
    assert response.get_json()["field"] in ("from", "to")
    check(client, response, path)


def test_tokens_are_stored_hashed_and_issued_by_staff(app, staff_client, enterprise_client):
    """Staff issue a named token on the tokens page: shown once, stored only as its SHA-256; others get 403."""
    page = staff_client.post("/coverage/tokens", data={"name": "钟楼区数据平台"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    secret = html.split("<pre><code>")[1].split("</code>")[0]
    with app.app_context():
        row = db.session.scalar(select(ApiToken))
        assert row.name == "钟楼区数据平台" and row.digest == hashlib.sha256(secret.encode()).hexdigest()
        assert secret not in (row.digest, row.prefix)
        token_id = row.id
    assert secret not in staff_client.get("/coverage/tokens").get_data(as_text=True)
    assert staff_client.get("/api/v1/coverage", headers=bearer(secret)).status_code == 200
    assert enterprise_client.post("/coverage/tokens", data={"name": "x"}).status_code == 403
    assert staff_client.post(f"/coverage/tokens/{token_id}/revoke").status_code == 303
    assert staff_client.get("/api/v1/coverage", headers=bearer(secret)).status_code == 401


def test_issue_token_cli_prints_the_token_as_its_last_line(app, runner):
    """`flask issue-token --name N` prints a working token as its last line."""
    result = runner.invoke(args=["issue-token", "--name", "园区大屏"])
    assert result.exit_code == 0, result.output
    secret = result.output.strip().splitlines()[-1]
    response = app.test_client().get("/api/v1/coverage", headers=bearer(secret))
    assert response.status_code == 200
    assert runner.invoke(args=["issue-token", "--name", "  "]).exit_code != 0


def test_a_session_does_not_open_the_api(staff_client):
    """A signed-in staff member without a bearer token gets 401 too (the API trusts tokens, not cookies)."""
    assert staff_client.get("/api/v1/coverage").status_code == 401


def test_openapi_description_names_every_api_route(app, client):
    """Every /api/v1 route but the description itself is a path of the description."""
    spec = client.get("/api/v1/openapi.json").get_json()
    routes = {
        rule.rule.removeprefix("/api/v1") for rule in app.url_map.iter_rules() if rule.endpoint.startswith("api.")
    }
    assert routes - {"/openapi.json"} == set(spec["paths"])
    assert factories  # the module's data comes through the factories


def test_event_times_are_rfc3339_date_times_with_seconds(app, client, token):
    """An event's start and end are RFC 3339 date-times (seconds and offset), as the description's format says."""
    with app.app_context():
        make_event(starts_in=timedelta(days=3))
        db.session.commit()
    response = client.get("/api/v1/events", headers=bearer(token))
    event = response.get_json()["events"][0]
    for moment in (event["start"], event["end"]):
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00", moment), moment
    check(client, response, "/events")


def parameter_schema(client, path: str, name: str) -> dict:
    """The schema the served description gives the query argument ``name`` of ``path``."""
    spec = client.get("/api/v1/openapi.json").get_json()
    parameters = spec["paths"][path]["get"]["parameters"]
    return next(parameter["schema"] for parameter in parameters if parameter["name"] == name)


@pytest.mark.parametrize(
    ("path", "name", "value"),
    [
        *[
            (path, name, value)
            for path in ("/coverage", "/events")
            for name in ("from", "to")
            for value in ("", "1999-12-31", "2000-01-01", "2025-02-28", "2025-02-30", "2100-12-31", "2101-01-01")
        ],
        ("/events", "limit", 0),
        ("/events", "limit", 1),
        ("/events", "limit", 500),
        ("/events", "limit", 501),
        ("/events", "page", 0),
        ("/events", "page", 1),
        ("/events", "page", 100_000),
        ("/events", "page", 100_001),
    ],
)
def test_the_description_takes_the_arguments_the_server_takes(client, token, path, name, value):
    """Each query argument's schema in the description accepts exactly what the server answers 200 to: days of
    2000–2100 (as ``core.parsing`` bounds them) or empty (as if absent), ``limit`` 1–500, ``page`` 1–100000."""
    schema = parameter_schema(client, path, name)
    described = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).is_valid(value)
    widest = {"from": ("to", "2100-12-31"), "to": ("from", "2000-01-01")}  # the other end: never before this one
    query = {name: str(value), **dict([widest[name]] if name in widest else [])}
    response = client.get(f"/api/v1{path}", query_string=query, headers=bearer(token))
    assert (response.status_code == 200) == described, (response.status_code, response.get_json())
    check(client, response, path)


@pytest.mark.parametrize("path", ["/coverage", "/events"])
def test_every_operation_describes_every_error_the_api_answers(client, path):
    """Each operation lists every status the API can refuse with (400, 401, 404, 405, 429, 500, 503), each the one
    ``Error`` shape; a 401 carries ``WWW-Authenticate``, a 405 ``Allow`` and a 429 ``Retry-After``."""
    spec = client.get("/api/v1/openapi.json").get_json()
    responses = spec["paths"][path]["get"]["responses"]
    assert {"400", "401", "404", "405", "429", "500", "503"} <= set(responses)
    for status, response in responses.items():
        if status != "200":
            assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
    for status, header in (("401", "WWW-Authenticate"), ("405", "Allow"), ("429", "Retry-After")):
        assert responses[status]["headers"][header]["required"] is True
