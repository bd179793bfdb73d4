"""Two staff import the same roster at the same moment: neither gets a 500, nothing is duplicated, on SQLite and
PostgreSQL. Each import runs in its own thread with its own client, session and connection, released together.

On SQLite the writers queue (``BEGIN IMMEDIATE``) and the later one finds the enterprises already there (unchanged);
on PostgreSQL both plan before either commits, the unique code lets one insert, and the other is told so (409) with
nothing written (``core.locking.insert_or_lose``).
"""

from __future__ import annotations

from sqlalchemy import func, select

from parkportal.extensions import db
from parkportal.models import Enterprise

from . import factories
from .conftest import english
from .test_booking_concurrency import run_concurrently
from .test_roster import token_of, upload, xlsx

IMPORTS, ROWS = 4, 300


def test_the_same_roster_imported_at_once_is_imported_once_and_the_others_are_told(make_app):
    """Four applies of one roster at once: each answers 303 (imported, or nothing left to do) or 409 ("just imported
    by someone else"), never 500; every enterprise exists once."""
    app = make_app(PROPAGATE_TEST_ERRORS=False, SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 10, "max_overflow": 0})
    with app.app_context():
        email = factories.staff().email
        db.session.commit()
    codes = [factories.uscc() for _ in range(ROWS)]
    data = xlsx([[code, f"常州并发导入{n}号有限公司", "制造", 10, "", "", ""] for n, code in enumerate(codes)])
    clients, tokens = [], []
    for _ in range(IMPORTS):
        client = english(app.test_client())
        client.post("/auth/login", data={"email": email, "password": factories.PASSWORD})
        preview = upload(client, data)
        assert preview.status_code == 200
        clients.append(client)
        tokens.append(token_of(preview.get_data(as_text=True)))

    def apply(client, token):
        def attempt(barrier):
            barrier.wait()
            response = client.post(f"/enterprises/roster/{token}/apply")
            return response.status_code, response.get_data(as_text=True)

        return attempt

    results = run_concurrently([apply(client, token) for client, token in zip(clients, tokens, strict=True)])
    statuses = [result[0] if isinstance(result, tuple) else result for result in results]
    assert set(statuses) <= {303, 409} and 303 in statuses, statuses
    for status, html in results:
        if status == 409:
            assert "were just imported or registered by someone else" in html
    with app.app_context():
        stored = db.session.scalar(select(func.count()).select_from(Enterprise).where(Enterprise.uscc.in_(codes)))
        distinct = db.session.scalar(select(func.count(func.distinct(Enterprise.uscc))))
        assert stored == distinct == ROWS
