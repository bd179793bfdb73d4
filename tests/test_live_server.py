"""The gunicorn harness serves the test database with several workers and spreads requests over them."""

from __future__ import annotations

from parkportal.extensions import db

from . import factories
from .live_server import Visitor


def test_several_workers_serve_the_test_database(app, live_server):
    """The server answers /healthz, sees what the test committed, and new connections reach more than one worker."""
    with app.app_context():
        factories.enterprise_user(email="someone@example.com", status="verified")
        db.session.commit()
    server = live_server(workers=4)
    visitor = Visitor(server.url)
    assert visitor.get("/healthz").status == 200
    visitor.get("/auth/login")
    answer = visitor.post("/auth/login", {"email": "someone@example.com", "password": factories.PASSWORD})
    assert answer.status == 303  # signed in: the user the test made is in the served database, CSRF passed
    for _ in range(20):
        visitor.get("/healthz")
    assert len(server.worker_pids("/healthz")) >= 2
