"""The calendar, list, event and check-in pages run a constant number of queries, however many events and
registrations there are (no N+1)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from parkportal.extensions import db
from parkportal.timeutil import to_local, utcnow

from . import factories
from .conftest import AuthActions
from .event_support import make_event, registered
from .test_list_queries import counted


def add_events(app, anchor_id: int, own_enterprise_id: int, n: int) -> None:
    """``n`` more events in the anchor's month (each with topics and registrations, some the signed-in
    enterprise's) and ``n`` more registrations, one a check-in, on the anchor event."""
    from parkportal.models import Enterprise, Event

    with app.app_context():
        anchor = db.session.get(Event, anchor_id)
        own = db.session.get(Enterprise, own_enterprise_id)
        for k in range(n):
            event = make_event(
                starts_in=anchor.start_at - utcnow() + timedelta(hours=k + 1),
                topics=("labor", "contracts"),
            )
            registered(event, own if k % 2 else None)
            registered(event)
            status = "attended" if k % 2 else "registered"
            registered(anchor, status=status, attended_count=1 if status == "attended" else None)
        db.session.commit()


@pytest.mark.parametrize(
    ("role", "url"),
    [
        (None, "/events/?month={month}"),
        ("enterprise", "/events/?month={month}"),
        (None, "/events/?view=list"),
        (None, "/events/?date={day}"),
        ("enterprise", "/events/?date={day}"),
        ("enterprise", "/events/?view=list"),
        ("staff", "/events/?view=list"),
        ("enterprise", "/events/{event}"),
        ("staff", "/events/{event}"),
        ("staff", "/events/{event}/checkin"),
        ("staff", "/events/{event}/checkin?q=常州"),
        (None, "/events/feed.ics"),
    ],
)
def test_event_pages_query_a_constant_number_of_times(app, role, url):
    """Twice the events and registrations take exactly as many queries as before."""
    with app.app_context():
        user = factories.enterprise_user()
        staff = factories.staff()
        anchor = make_event(starts_in=timedelta(hours=30))
        lawyer = factories.lawyer()
        anchor.speakers = [lawyer]
        db.session.commit()
        emails = {"enterprise": user.email, "staff": staff.email}
        anchor_id, enterprise_id = anchor.id, user.enterprise_id
        month = to_local(anchor.start_at).strftime("%Y-%m")
        day = to_local(anchor.start_at).date().isoformat()
    client = app.test_client()
    if role:
        assert AuthActions(client).login(emails[role]).status_code == 303
    target = url.format(month=month, event=anchor_id, day=day)
    counts = []
    for _round in range(2):
        add_events(app, anchor_id, enterprise_id, 3)
        client.get(target)  # warm up (first-use caches)
        with counted(app) as count:
            response = client.get(target)
        assert response.status_code == 200
        counts.append(count[0])
    assert counts[0] == counts[1], counts
