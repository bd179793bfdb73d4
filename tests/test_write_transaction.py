"""A GET that records something (a download, a view) commits it safely under concurrency, on both databases.

``core.locking.write_transaction()`` ends the GET's read transaction and writes in its own short write transaction.
A test-only route records one row per request; many concurrent GETs, each with its own connection, must each be
recorded exactly once — none lost, none twice, no "database is locked", every answer 200.
"""

from __future__ import annotations

import pytest
from flask import request
from sqlalchemy import func, select

from parkportal.core import audit, locking
from parkportal.extensions import db
from parkportal.models import AuditLog

from .test_booking_concurrency import run_concurrently

N = 24
ACTION = "test.visit"


def visits() -> int:
    """How many visits are recorded."""
    return db.session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == ACTION))


def record_visit():
    """A GET that reads, then records the visit ``n`` (reading again inside the write, as a real logger might)."""
    before = visits()  # the GET's own read transaction (deferred on SQLite)
    with locking.write_transaction():
        seen = visits()
        audit.record(ACTION, actor=None, n=int(request.args["n"]), seen=seen)
    return {"before": before}


@pytest.fixture
def recording_app(make_app):
    """An app with the test-only route ``GET /_test/visit?n=…`` (registered before its first request)."""
    app = make_app()
    app.add_url_rule("/_test/visit", "test_visit", record_visit, methods=["GET"])
    return app


def test_concurrent_gets_that_write_are_each_recorded_once(recording_app):
    """24 simultaneous GETs each record their visit exactly once: all 200, none lost, no "database is locked"."""

    def visit(n):
        client = recording_app.test_client()

        def attempt(barrier):
            barrier.wait()
            response = client.get(f"/_test/visit?n={n}")
            return response.status_code

        return attempt

    results = run_concurrently([visit(n) for n in range(N)])
    assert results == [200] * N, results
    with recording_app.app_context():
        recorded = sorted(entry.details["n"] for entry in db.session.scalars(select(AuditLog)))
    assert recorded == list(range(N))


def test_a_failing_block_rolls_back_only_itself(recording_app):
    """What the block wrote is undone when it fails; what the GET committed before stays."""

    def failing():
        with locking.write_transaction():
            audit.record(ACTION, actor=None, n=1)
        with pytest.raises(RuntimeError), locking.write_transaction():
            audit.record(ACTION, actor=None, n=2)
            raise RuntimeError("disk full")
        return "ok"

    recording_app.add_url_rule("/_test/failing", "test_failing", failing)
    assert recording_app.test_client().get("/_test/failing").status_code == 200
    with recording_app.app_context():
        assert [entry.details["n"] for entry in db.session.scalars(select(AuditLog))] == [1]
