"""The month grid of the public calendar and the queries behind the calendar and the list (views only render).

Each page runs a fixed number of queries, however many events and registrations there are: events with their
topics (one ``selectinload``), and for a signed-in enterprise its registrations for the shown events.
"""

from __future__ import annotations

import calendar as pycalendar
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from ..core import access, vocab
from ..extensions import db
from ..models import Event, EventTopic, Registration, User
from ..timeutil import local_datetime, local_zone
from .service import LONGEST
from .vocab import EVENT_CATEGORIES

#: What a list row shows besides the event: loaded with the list, not per row.
LIST_OPTIONS = (selectinload(Event.topic_rows),)
#: What a month grid's cell shows of an event (a compact link, read as a plain row): nothing else is read.
CELL_COLUMNS = (Event.title, Event.category, Event.status, Event.start_at, Event.end_at)
#: Events a grid cell names; more are counted ("+3 more") and listed on the day's page.
CELL_EVENTS = 2


@dataclass
class Day:
    """One cell of the month grid."""

    day: date
    in_month: bool
    is_today: bool
    events: list[Event] = field(default_factory=list)

    @property
    def shown(self) -> list[Event]:
        """The events the cell names."""
        return self.events[:CELL_EVENTS]

    @property
    def more(self) -> int:
        """How many more run that day (listed on the day's page)."""
        return max(len(self.events) - CELL_EVENTS, 0)


def month_bounds(month: date) -> tuple[date, date]:
    """The first day of ``month`` and of the month after."""
    first = month.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following


def shift_month(month: date, months: int) -> date:
    """The first day of the month ``months`` away from ``month``."""
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def grid(month: date, events: list[Event], today: date) -> list[list[Day]]:
    """The weeks (Monday first) covering ``month``; each day holds the events that run on it, by start time."""
    weeks = pycalendar.Calendar(firstweekday=0).monthdatescalendar(month.year, month.month)
    days = {d: Day(d, d.month == month.month, d == today) for week in weeks for d in week}
    zone = local_zone()
    for event in sorted(events, key=lambda e: e.start_at):
        first = event.start_at.astimezone(zone).date()
        last = (event.end_at - timedelta(seconds=1)).astimezone(zone).date()
        probe = max(first, weeks[0][0])
        while probe <= min(last, weeks[-1][-1]):
            days[probe].events.append(event)
            probe += timedelta(days=1)
    return [[days[d] for d in week] for week in weeks]


def busy_days(weeks: list[list[Day]]) -> list[Day]:
    """The month's days with events (the phone's list of days, each leading to that day's events)."""
    return [cell for week in weeks for cell in week if cell.in_month and cell.events]


def visible(user: User | None, *options) -> Select:
    """Events ``user`` may see (visitors: published and cancelled ones; staff: drafts too), with what a list row
    shows unless other loader ``options`` are given."""
    condition = access.clause(Event, user) if user is not None and user.is_authenticated else Event.public()
    return select(Event).where(condition).options(*(options or LIST_OPTIONS))


def filtered(query: Select, topic: str, category: str) -> Select:
    """``query`` narrowed to one legal topic and one category (unknown codes are ignored)."""
    if topic in vocab.TOPICS:
        query = query.where(Event.id.in_(select(EventTopic.event_id).where(EventTopic.topic == topic)))
    if category in EVENT_CATEGORIES:
        query = query.where(Event.category == category)
    return query


def in_range(
    user: User | None, first: date, until: date, topic: str = "", category: str = "", *, cells: bool = False
) -> list[Event]:
    """The events running at any time from ``first`` up to (not including) ``until``, local days (``cells``: only
    what a month grid's cell shows)."""
    start, end = local_datetime(first, time()), local_datetime(until, time())
    query = visible(user)
    if cells:  # plain rows of the cell's columns: a month at district scale holds a couple of hundred events
        query = query.with_only_columns(Event.id, *CELL_COLUMNS).options()
    query = filtered(query, topic, category).where(
        Event.start_at < end, Event.start_at > start - LONGEST, Event.end_at > start
    )
    query = query.order_by(Event.start_at, Event.id)
    return list(db.session.execute(query).all() if cells else db.session.scalars(query))


def listing(user: User | None, period: str, now: datetime, topic: str = "", category: str = "") -> Select:
    """Upcoming events (not yet ended, soonest first) or past ones (latest first)."""
    query = filtered(visible(user), topic, category)
    if period == "past":
        return query.where(Event.end_at <= now).order_by(Event.start_at.desc(), Event.id.desc())
    return query.where(Event.end_at > now, Event.start_at > now - LONGEST).order_by(Event.start_at, Event.id)


def my_registrations(user: User | None, event_ids: list[int]) -> dict[int, Registration]:
    """The signed-in enterprise's registration for each of these events (by event id)."""
    if user is None or not user.is_authenticated or not user.is_enterprise or not event_ids:
        return {}
    rows = db.session.scalars(
        select(Registration).where(
            Registration.event_id.in_(event_ids), Registration.enterprise_id == (user.enterprise_id or -1)
        )
    )
    return {row.event_id: row for row in rows}
