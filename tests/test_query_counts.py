"""Pages run the same number of SQL statements whatever the amount of data: no query per row, per lawyer or per day.

Driven by the guard table (``tests/test_guard.py``): every GET page that answers 200 to a role is requested with
a small data set and again after the data has grown about five times (more lawyers, enterprises, bookings in every
state, notifications, audit entries, events and registrations); the counts must be equal. New areas' pages join
by their guard rows.
"""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from sqlalchemy import event, insert

from parkportal.core import audit
from parkportal.events.service import register
from parkportal.extensions import db
from parkportal.models import AuditLog, Notification, User
from parkportal.timeutil import utcnow

from . import factories
from .booking_support import at, future_weekday, working_lawyer
from .event_support import make_event
from .test_guard import EXPECTED, ROLES, bystander, client_for, url_for_rule  # noqa: F401 (the fixture)

#: Pages whose count depends on something other than the amount of data (none so far).
EXEMPT: set[str] = set()


def pages(role: str) -> list[str]:
    """The guard table's GET endpoints that answer ``role`` with 200."""
    index = ROLES.index(role)
    return sorted(
        endpoint
        for (endpoint, method), expected in EXPECTED.items()
        if method == "GET" and expected[index] == 200 and endpoint not in EXEMPT and endpoint != "static"
    )


def grow(signed_in: dict[str, int], size: int, salt: int) -> None:
    """Add ``size`` of each kind of record around the signed-in users (each row with its own lawyer/enterprise)."""
    users = {role: db.session.get(User, ident) for role, ident in signed_in.items()}
    mine = users["enterprise"].enterprise if "enterprise" in users else factories.enterprise(status="verified")
    own_lawyer = users.get("lawyer") or working_lawyer()
    now = utcnow().replace(second=0, microsecond=0)
    for index in range(size):
        lawyer = working_lawyer()
        other = factories.enterprise_user(status="verified")
        hours = salt * 1000 + index * 3
        for status in ("completed", "cancelled", "no_show", "declined"):
            hours += 1
            factories.appointment(
                enterprise=mine, lawyer=lawyer, status=status, start=now - timedelta(days=2, hours=hours)
            )
        factories.appointment(enterprise=other.enterprise, lawyer=own_lawyer, status="completed",
                              start=now - timedelta(days=3, hours=hours))  # fmt: skip
        ahead = at(future_weekday(1 + index % 5, 1 + index // 5), "09:00") + timedelta(hours=salt)
        factories.appointment(enterprise=other.enterprise, lawyer=own_lawyer, status="confirmed", start=ahead)
        factories.appointment(enterprise=mine, lawyer=lawyer, status="requested",
                              start=at(future_weekday(1 + index % 5, 2), "10:00"))  # fmt: skip
        factories.appointment(enterprise=other.enterprise, lawyer=None, status="requested",
                              start=at(future_weekday(2), "11:00") + timedelta(days=7 * salt + index))  # fmt: skip
        audit.record("booking.created", other.enterprise, actor=lawyer, lawyer_id=lawyer.id)
        ev = make_event()
        register(ev, mine, 1, "张三", users.get("enterprise") or other)
        register(ev, other.enterprise, 1, "李四", other)
    rows = [
        {"user_id": user.id, "text": f"通知 {salt}-{i}", "link": "/bookings/", "read_at": None if i % 2 else now}
        for user in users.values()
        for i in range(size * 3)
    ]
    if rows:
        db.session.execute(insert(Notification), rows)
    db.session.execute(
        insert(AuditLog),
        [{"actor_id": own_lawyer.id, "action": "booking.confirmed", "object_type": "appointment", "object_id": i}
         for i in range(size * 3)],
    )  # fmt: skip
    db.session.commit()


def count(app, client, url: str) -> tuple[int, int]:
    """The response status and the SQL statements the request ran."""
    seen = []

    def listener(*_args):
        seen.append(1)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", listener)
    try:
        status = client.get(url).status_code
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return status, len(seen)


@pytest.mark.parametrize("role", ROLES)
def test_pages_run_as_many_queries_with_five_times_the_data(request, app, bystander, role, monkeypatch):  # noqa: F811
    """Every page of the role runs the same number of queries with small data and with about five times more."""
    # /healthz writes its probe at most every HEALTHZ_WRITE_INTERVAL seconds: on every call here, so the two counts
    # don't depend on how long the pages before it took.
    monkeypatch.setitem(app.config, "HEALTHZ_WRITE_INTERVAL", 0)
    client = client_for(request, app, role)
    signed_in = {name: request.getfixturevalue(f"{name}_client").user_id for name in ("enterprise", "lawyer", "staff")}
    with app.app_context():
        urls = {endpoint: url_for_rule(app, endpoint, bystander) for endpoint in pages(role)}
        grow(signed_in, 2, salt=1)
    for url in urls.values():  # warm up: caches, the questionnaire stored on first use, …
        client.get(url)
    small = {endpoint: count(app, client, url) for endpoint, url in urls.items()}
    with app.app_context():
        grow(signed_in, 8, salt=2)
    for url in urls.values():  # again: caches keyed by the data's version (coverage) were invalidated by growing
        client.get(url)
    large = {endpoint: count(app, client, url) for endpoint, url in urls.items()}
    assert all(status == 200 for status, _ in small.values()), small
    differ = {
        endpoint: (small[endpoint][1], large[endpoint][1]) for endpoint in urls if small[endpoint] != large[endpoint]
    }
    assert not differ, f"queries (small, large) that grow with the data: {differ}"


def test_slot_and_month_pickers_query_per_range_not_per_lawyer_or_day(app, enterprise_client):
    """The slot picker (with a full day, so it also looks for the next free day) and the month picker run as many
    queries with two lawyers as with eight, each with bookings."""
    day = future_weekday(2, 2)
    with app.app_context():
        enterprise = db.session.get(User, enterprise_client.user_id).enterprise
        enterprise.status = "verified"
        full = working_lawyer(start=time(9), end=time(10))  # one hour on working days: booked out below
        db.session.commit()
        full_id = full.id

    def add_lawyers(number: int) -> None:
        with app.app_context():
            for index in range(number):
                start = at(day, "09:00") + timedelta(hours=index % 6)
                factories.appointment(enterprise=factories.enterprise(status="verified"), lawyer=working_lawyer(),
                                      status="confirmed", start=start)  # fmt: skip
            db.session.commit()

    def book_out() -> None:
        with app.app_context():
            lawyer = db.session.get(User, full_id)
            for offset in range(22):
                for hhmm in ("09:00", "09:30"):
                    start = at(day + timedelta(days=offset), hhmm)
                    if start.isoweekday() <= 5:
                        factories.appointment(enterprise=factories.enterprise(status="verified"), lawyer=lawyer,
                                              status="confirmed", start=start)  # fmt: skip
            db.session.commit()

    urls = [
        f"/bookings/slots?service=consultation&date={day}",
        f"/bookings/slots?service=consultation&date={day}&lawyer={full_id}",  # booked out: the next free day is sought
        f"/bookings/days?service=consultation&month={day:%Y-%m}",
        f"/bookings/days?service=consultation&month={day:%Y-%m}&lawyer={full_id}",
        f"/bookings/new?service=consultation&date={day}",
    ]
    add_lawyers(2)
    book_out()
    for url in urls:
        enterprise_client.get(url)
    small = {url: count(app, enterprise_client, url) for url in urls}
    add_lawyers(6)
    large = {url: count(app, enterprise_client, url) for url in urls}
    assert all(status == 200 for status, _ in small.values()), small
    assert small == large
    assert "data-start" not in enterprise_client.get(urls[1]).get_data(as_text=True)  # really booked out
