"""An event never takes more registrations than its capacity, under real concurrency, on SQLite and PostgreSQL.

Each attempt runs in its own thread with its own session and connection (an app with a larger pool, so many are
really in flight at once). The event's row lock serialises them; a CHECK on the seats and a unique
(event, enterprise) key would stop any that slipped past.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from parkportal.events import service
from parkportal.extensions import db
from parkportal.models import Event, Registration, User

from . import factories
from .conftest import english
from .event_support import make_event
from .test_booking_concurrency import run_concurrently

SIGN_UPS, PLACES = 100, 30


def racing_app(make_app):
    """An app on the test database whose pool lets 25 connections work at once."""
    return make_app(SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 25, "max_overflow": 0, "pool_timeout": 120})


def setup(app, enterprises: int, **event_kwargs) -> tuple[int, list[int]]:
    """A published event and ``enterprises`` verified enterprises with one user each; committed."""
    with app.app_context():
        event = make_event(**event_kwargs)
        users = [factories.enterprise_user() for _ in range(enterprises)]
        db.session.commit()
        return event.id, [u.id for u in users]


def sign_up(app, event_id: int, user_id: int):
    """One sign-up through the domain in its own app context, released by the barrier; returns the status."""

    def attempt(barrier):
        with app.app_context():
            user, event = db.session.get(User, user_id), db.session.get(Event, event_id)
            user.enterprise.status, event.status  # noqa: B018 - load now
            db.session.rollback()  # hold no transaction (and on SQLite no lock) while waiting
            barrier.wait()
            registration = service.register(event, None, 1, user.name, user)
            db.session.commit()
            return registration.status

    return attempt


def cancel(app, registration_id: int, user_id: int):
    """One cancellation in its own app context; returns "cancelled"."""

    def attempt(barrier):
        with app.app_context():
            user, registration = db.session.get(User, user_id), db.session.get(Registration, registration_id)
            user.enterprise_id, registration.event.status  # noqa: B018 - load now
            db.session.rollback()
            barrier.wait()
            service.cancel_registration(registration, user)
            db.session.commit()
            return "cancelled"

    return attempt


def registrations(app, event_id: int) -> list[tuple[int, str, int, int]]:
    """(position, status, seats held, enterprise) of each registration, in arrival order."""
    with app.app_context():
        rows = db.session.execute(
            select(Registration.position, Registration.status, Registration.seats_held, Registration.enterprise_id)
            .where(Registration.event_id == event_id)
            .order_by(Registration.position)
        ).all()
        return [tuple(row) for row in rows]


def seats(app, event_id: int) -> tuple[int, int]:
    """The event's (seats taken, arrivals) counters."""
    with app.app_context():
        event = db.session.get(Event, event_id)
        return event.seats_taken, event.arrivals


def test_hundred_concurrent_sign_ups_for_thirty_places(make_app):
    """100 enterprises sign up at once for 30 places: exactly 30 registered, 70 waitlisted, in arrival order."""
    app = racing_app(make_app)
    event_id, users = setup(app, SIGN_UPS, capacity=PLACES, seats_per_enterprise=1)
    results = run_concurrently([sign_up(app, event_id, uid) for uid in users])
    assert sorted(results) == ["registered"] * PLACES + ["waitlisted"] * (SIGN_UPS - PLACES), results
    rows = registrations(app, event_id)
    assert [position for position, *_ in rows] == list(range(1, SIGN_UPS + 1))
    assert [status for _, status, *_ in rows] == ["registered"] * PLACES + ["waitlisted"] * (SIGN_UPS - PLACES)
    assert sum(held for _, _, held, _ in rows) == PLACES
    assert seats(app, event_id) == (PLACES, SIGN_UPS)


def test_cancellations_racing_new_sign_ups_promote_the_waitlist_in_order(make_app):
    """10 registered cancel while 10 newcomers sign up: the 10 waiting move up, the newcomers wait behind them."""
    app = racing_app(make_app)
    event_id, users = setup(app, 30, capacity=10, seats_per_enterprise=1)
    with app.app_context():
        event = db.session.get(Event, event_id)
        made = [service.register(event, None, 1, "张三", db.session.get(User, uid)).id for uid in users[:20]]
        db.session.commit()
    attempts = [cancel(app, rid, uid) for rid, uid in zip(made[:10], users[:10], strict=True)] + [
        sign_up(app, event_id, uid) for uid in users[20:]
    ]
    results = run_concurrently(attempts)
    assert results[:10] == ["cancelled"] * 10 and results[10:] == ["waitlisted"] * 10, results
    rows = registrations(app, event_id)
    assert [status for _, status, *_ in rows[:10]] == ["cancelled"] * 10
    assert [status for _, status, *_ in rows[10:20]] == ["registered"] * 10
    assert [status for _, status, *_ in rows[20:]] == ["waitlisted"] * 10
    assert seats(app, event_id) == (10, 30)


def test_concurrent_http_sign_ups_fill_the_places_and_queue_the_rest(app, make_app):
    """20 signed-in enterprises POST the contract's sign-up at once for 5 places: 5 registered, 15 waitlisted."""
    racing = racing_app(make_app)
    event_id, users = setup(racing, 20, capacity=5, seats_per_enterprise=2, starts_in=timedelta(days=5))
    clients = []
    with racing.app_context():
        emails = [db.session.get(User, uid).email for uid in users]
    for email in emails:
        client = racing.test_client()
        assert client.post("/auth/login", data={"email": email, "password": factories.PASSWORD}).status_code == 303
        clients.append(english(client))

    def post(client):
        def attempt(barrier):
            barrier.wait()
            response = client.post(f"/events/{event_id}/register", data={"attendees": "1", "names": "张三"})
            return response.status_code

        return attempt

    assert run_concurrently([post(c) for c in clients]) == [303] * 20
    statuses = [status for _, status, *_ in registrations(racing, event_id)]
    assert statuses == ["registered"] * 5 + ["waitlisted"] * 15
    assert seats(racing, event_id) == (5, 20)


def test_one_enterprise_signing_up_twice_at_once_gets_one_registration(make_app):
    """Eight users of one enterprise sign up at once: one registration, seven clear refusals."""
    app = racing_app(make_app)
    with app.app_context():
        event = make_event(capacity=30)
        first = factories.enterprise_user()
        users = [first] + [factories.enterprise_user(first.enterprise) for _ in range(7)]
        db.session.commit()
        event_id, ids = event.id, [u.id for u in users]

    def attempt_for(uid):
        inner = sign_up(app, event_id, uid)

        def attempt(barrier):
            try:
                return inner(barrier)
            except service.Conflict:
                return "refused"

        return attempt

    results = run_concurrently([attempt_for(uid) for uid in ids])
    assert sorted(results) == ["refused"] * 7 + ["registered"], results
    assert seats(app, event_id) == (1, 1)
