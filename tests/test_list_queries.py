"""List pages run a constant number of queries, however many rows they show (no N+1)."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event

from parkportal.extensions import db
from parkportal.models import Enterprise, User
from parkportal.timeutil import local_today, week_bounds

from . import factories
from .booking_support import at, future_weekday, working_lawyer
from .conftest import sign_in


@contextmanager
def counted(app):
    """Count the SQL statements run inside the block; yields a one-element list holding the count."""
    with app.app_context():
        engine = db.engine
    count = [0]

    def tally(*_args):
        count[0] += 1

    event.listen(engine, "before_cursor_execute", tally)
    try:
        yield count
    finally:
        event.remove(engine, "before_cursor_execute", tally)


def add_bookings(app, lawyer_id: int, enterprise_id: int, round_: int, n: int) -> None:
    """``n`` bookings of the lawyer, each with another enterprise (and n of the enterprise's own), in every list."""
    with app.app_context():
        lawyer, own = db.session.get(User, lawyer_id), db.session.get(Enterprise, enterprise_id)
        week_start, _ = week_bounds(local_today())
        for k in range(n):
            other = factories.enterprise()
            slot = round_ * n + k
            for enterprise, start, status in (
                (other, week_start + timedelta(hours=slot), "confirmed"),  # this week / waiting for outcome
                (other, at(future_weekday(1, weeks_ahead=2), "09:00") + timedelta(hours=slot), "requested"),
                (own, at(future_weekday(1, weeks_ahead=3), "09:00") + timedelta(hours=slot), "confirmed"),
                (own, week_start - timedelta(days=7) + timedelta(hours=slot), "completed"),
            ):
                factories.appointment(
                    enterprise=enterprise,
                    service=("consultation", "labor", "contract_review")[k % 3],
                    lawyer=lawyer,
                    start=start,
                    status=status,
                )
        db.session.commit()


@pytest.mark.parametrize(
    ("role", "url"),
    [
        ("enterprise", "/bookings/"),
        ("lawyer", "/bookings/"),
        ("lawyer", "/bookings/agenda"),
        ("staff", "/bookings/all"),
        (None, "/availability/feed/{token}.ics"),
    ],
)
def test_booking_lists_query_a_constant_number_of_times(app, role, url):
    """Twice the rows (each with another enterprise) take exactly as many queries as before."""
    with app.app_context():
        lawyer = working_lawyer()
        user = factories.enterprise_user()
        staff = factories.staff()
        db.session.commit()
        ids = lawyer.id, user.enterprise_id
        emails = {"enterprise": user.email, "lawyer": lawyer.email, "staff": staff.email}
        url = url.format(token=lawyer.lawyer_profile.feed_token)
    client = sign_in(app, emails[role]) if role is not None else app.test_client()
    counts = []
    for round_, n in enumerate((2, 4)):
        add_bookings(app, *ids, round_=round_ * 2, n=n)
        with counted(app) as count:
            response = client.get(url)
        assert response.status_code == 200
        counts.append(count[0])
    assert counts[0] == counts[1], counts
