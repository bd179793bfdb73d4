"""The month grid at district scale: a cell names a few events and counts the rest, a phone lists the days with
events, and a day's page (``?date=YYYY-MM-DD``) lists every event of that day."""

from __future__ import annotations

import re
from datetime import time, timedelta

from parkportal.events.calendar import CELL_EVENTS
from parkportal.extensions import db
from parkportal.timeutil import local_datetime, local_today, utcnow

from .conftest import english
from .event_support import make_event

HX = {"HX-Request": "true"}


def _busy_day(app, count: int):
    """``count`` events on one day three weeks ahead (hours apart); returns the day and the event ids by start."""
    day = local_today() + timedelta(days=21)
    with app.app_context():
        ids = []
        for hour in range(count):
            start = local_datetime(day, time(8 + hour))
            ids.append(make_event(starts_in=start - utcnow(), hours=0.5, title=f"第{hour + 1}场讲座").id)
        db.session.commit()
    return day, ids


def test_a_busy_day_shows_a_few_titles_and_how_many_more(app, client):
    """A cell names the first events of its day and says how many more there are, linking to the day."""
    day, ids = _busy_day(app, CELL_EVENTS + 3)
    page = english(client).get(f"/events/?month={day.strftime('%Y-%m')}").get_data(as_text=True)
    grid = page.split('class="month-agenda"')[0]
    named = [int(i) for i in re.findall(r'class="cal-event[^"]*" data-event-id="(\d+)"', grid)]
    assert named == ids[:CELL_EVENTS]
    assert f'href="/events/?date={day.isoformat()}"' in grid and 'data-more="3"' in grid and "+3 more" in grid
    agenda = page.split('class="month-agenda"')[1]
    assert f'data-day="{day.isoformat()}"' in agenda and f"{CELL_EVENTS + 3} events" in agenda


def test_the_days_page_lists_every_event_of_that_day(app, client):
    """``?date=`` lists all the day's events as rows (with their places), and only that day's."""
    day, ids = _busy_day(app, CELL_EVENTS + 2)
    with app.app_context():
        next_day = local_datetime(day + timedelta(days=1), time(10))
        other = make_event(starts_in=next_day - utcnow()).id
        db.session.commit()
    response = client.get(f"/events/?date={day.isoformat()}")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert [int(i) for i in re.findall(r'class="event-row" data-event-id="(\d+)"', body)] == ids
    assert f'data-event-id="{other}"' not in body and f'data-day="{day.isoformat()}"' in body
    fragment = client.get(f"/events/?date={(day + timedelta(days=1)).isoformat()}", headers=HX).get_data(as_text=True)
    assert "<html" not in fragment and f'data-event-id="{other}"' in fragment


def test_a_bad_day_says_so_and_shows_the_month(client):
    """?date=2026-02-30 answers 422 with the format hint and this month's grid."""
    response = english(client).get("/events/?date=2026-02-30")
    assert response.status_code == 422 and "YYYY-MM-DD" in response.get_data(as_text=True)
    assert f'data-month="{local_today().strftime("%Y-%m")}"' in response.get_data(as_text=True)


def test_a_quiet_day_says_so(client):
    """A day without events says there are none."""
    body = english(client).get("/events/?date=2030-01-01").get_data(as_text=True)
    assert "No events on this day." in body


def test_the_longest_event_still_running_is_in_the_month_the_day_and_the_upcoming_list(app, client):
    """The queries bound the start by the longest an event may last (an index range): an event of that length that
    started just inside it still shows in this month's grid, today's page and the upcoming list; one that ended
    doesn't."""
    from parkportal.events.service import LONGEST

    with app.app_context():
        running = make_event(starts_in=-(LONGEST - timedelta(hours=2)), hours=LONGEST.total_seconds() / 3600).id
        ended = make_event(starts_in=-LONGEST, hours=1).id
        db.session.commit()
    today = local_today()
    pages = [
        client.get(f"/events/?month={today.strftime('%Y-%m')}").get_data(as_text=True).split('class="month-agenda"')[0],
        client.get(f"/events/?date={today.isoformat()}").get_data(as_text=True),
        client.get("/events/?view=list").get_data(as_text=True),
    ]
    for page in pages:
        assert f'data-event-id="{running}"' in page and f'data-event-id="{ended}"' not in page
