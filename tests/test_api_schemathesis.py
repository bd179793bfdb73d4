"""Schemathesis against the served OpenAPI description: every operation, with and without a valid token, with data
that fits the description and data that doesn't, answers no 5xx, a status the description lists, JSON, and a body
and headers valid per the description.

The description is loaded the way a client would, from ``/api/v1/openapi.json``, through the WSGI app (no server).
Bounded and reproducible: a few dozen examples per case (``derandomize=True``, no example database), so the whole
module runs in seconds on either database.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from parkportal.coverage import service
from parkportal.extensions import db

from . import coverage_support as park
from .event_support import make_event

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES = 30


@pytest.fixture
def api_schema(app):
    """The API's description as served, read by schemathesis through the WSGI app."""
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


@pytest.fixture
def token(app) -> str:
    """An active token, and a park with figures and published events for the answers to hold."""
    with app.app_context():
        park.seed()
        for day in range(3):
            make_event(starts_in=timedelta(days=2 + day), topics=("company_law", "labor"))
        _row, secret = service.issue_token("区市场监管平台", None)
        db.session.commit()
    return secret


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=str)
@pytest.mark.parametrize("signed", [True, False], ids=["token", "no-token"])
def test_every_operation_answers_as_described(api_schema, token, mode, signed):
    """Every operation, with a valid token and without, with fitting and unfitting arguments: never a 5xx, always a
    documented status with a JSON body and the headers that the description says, valid per its schema."""
    headers = {"Authorization": f"Bearer {token}"} if signed else {}
    seen = set()

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    @given(case=api_schema.as_strategy(mode))
    def run(case):
        """Send one generated request (with this test's token, if any) and check its answer."""
        response = case.call(headers=headers)
        case.validate_response(response, checks=CHECKS, headers=headers)
        assert response.headers["content-type"][0].startswith("application/json"), response.headers
        seen.add((case.operation.path, response.status_code))

    run()
    paths = {path for path, _status in seen}
    assert paths == {"/coverage", "/events"}, seen
    if not signed:
        assert {status for _path, status in seen} == {401}, seen
    elif mode is GenerationMode.POSITIVE:
        assert {("/coverage", 200), ("/events", 200)} <= seen, seen
