"""Coverage arithmetic: every figure of the dashboard, the exports, the API and the yearly report, each one GROUP BY
over the touches union (``touches.py``) or the rows it names — never rows loaded and counted in Python.

Definitions (also on the dashboard and in the README):
- **active roster**: enterprises not archived (verified, pending or returned for correction);
- **served**: active enterprises with at least one touch in the period, each counted once;
- **rate**: served ÷ active roster; the **target** is ``COVERAGE_TARGET`` served enterprises a year;
- **touches by channel** count every touch (also of enterprises archived since);
- **events held**: published events that started in the period (and have started by now);
- **people reached**: the people counted at the door (``attended_count``) of attended registrations of those events;
- **copies distributed**: downloads by enterprise users plus the printed copies handed out (their number);
- **average rating**: booking feedback (1–5) on appointments completed in the period and event ratings (1–5) of
  attended registrations of events in the period, together; each is also shown alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Select, and_, distinct, func, select

from ..core.search import contains
from ..events.vocab import EventStatus, RegStatus
from ..extensions import db
from ..models import Appointment, Enterprise, Event, Feedback, Finding, Need, PrintedCopy, Registration
from ..timeutil import utcnow
from .touches import _in, held_events, touches, utc_bounds
from .vocab import CHANNELS

ARCHIVED = "archived"


def active() -> object:
    """The condition "on the active roster" (not archived)."""
    return Enterprise.status != ARCHIVED


@dataclass
class Rating:
    """An average of 1–5 ratings and how many there were."""

    count: int = 0
    total: int = 0

    @property
    def average(self) -> float | None:
        """The mean rating, or ``None`` without ratings."""
        return self.total / self.count if self.count else None


@dataclass
class Summary:
    """The headline figures of a period."""

    start: date | None
    end: date | None
    roster: int
    served: int
    target: int
    touches: dict[str, int]
    served_by_channel: dict[str, int]
    events_held: int
    people_reached: int
    copies_distributed: int
    printed_copies: int
    booking_rating: Rating
    event_rating: Rating
    open_needs: int = 0
    extra: dict = field(default_factory=dict)

    @property
    def rate(self) -> float:
        """Served ÷ active roster (0 for an empty roster)."""
        return self.served / self.roster if self.roster else 0.0

    @property
    def target_share(self) -> float:
        """Served ÷ target."""
        return self.served / self.target if self.target else 0.0

    @property
    def total_touches(self) -> int:
        """Touches in every channel."""
        return sum(self.touches.values())

    @property
    def rating(self) -> Rating:
        """Booking feedback and event ratings together."""
        return Rating(
            self.booking_rating.count + self.event_rating.count, self.booking_rating.total + self.event_rating.total
        )


def roster_count() -> int:
    """Active roster enterprises."""
    return db.session.scalar(select(func.count()).select_from(Enterprise).where(active())) or 0


def served_count(start: date | None, end: date | None) -> int:
    """Active enterprises with a touch in the period, each once."""
    touch = touches(start, end)
    return (
        db.session.scalar(
            select(func.count(distinct(touch.c.enterprise_id)))
            .select_from(touch)
            .join(Enterprise, Enterprise.id == touch.c.enterprise_id)
            .where(active())
        )
        or 0
    )


def by_channel(start: date | None, end: date | None) -> tuple[dict[str, int], dict[str, int]]:
    """Touches per channel, and enterprises touched per channel (every channel present, zero when none)."""
    touch = touches(start, end)
    rows = db.session.execute(
        select(touch.c.channel, func.count(), func.count(distinct(touch.c.enterprise_id))).group_by(touch.c.channel)
    ).all()
    counts = dict.fromkeys(CHANNELS, 0)
    enterprises = dict.fromkeys(CHANNELS, 0)
    for channel, count, distinct_count in rows:
        counts[channel] = count
        enterprises[channel] = distinct_count
    return counts, enterprises


def _events_in(start: date | None, end: date | None) -> list:
    """Conditions: a published event that started in the period, by now."""
    low, high = utc_bounds(start, end)
    return [Event.status == EventStatus.PUBLISHED, Event.start_at <= utcnow(), *_in(Event.start_at, low, high)]


def events_held(start: date | None, end: date | None) -> int:
    """Published events that started in the period (and have started)."""
    return db.session.scalar(select(func.count()).select_from(Event).where(*_events_in(start, end))) or 0


def people_reached(start: date | None, end: date | None) -> int:
    """People counted at the door of the period's events (attended registrations' ``attended_count``)."""
    low, high = utc_bounds(start, end)
    return int(
        db.session.scalar(
            select(func.coalesce(func.sum(Registration.attended_count), 0)).where(
                Registration.event_id.in_(held_events(low, high)), Registration.status == RegStatus.ATTENDED
            )
        )
        or 0
    )


def printed_copies(start: date | None, end: date | None) -> int:
    """Printed copies handed out in the period (their number, not the handovers)."""
    conditions = [
        *([PrintedCopy.handed_on >= start] if start else []),
        *([PrintedCopy.handed_on <= end] if end else []),
    ]
    return int(db.session.scalar(select(func.coalesce(func.sum(PrintedCopy.copies), 0)).where(*conditions)) or 0)


def booking_rating(start: date | None, end: date | None) -> Rating:
    """Feedback on appointments completed in the period."""
    low, high = utc_bounds(start, end)
    count, total = db.session.execute(
        select(func.count(Feedback.id), func.coalesce(func.sum(Feedback.rating), 0))
        .join(Appointment, Appointment.id == Feedback.appointment_id)
        .where(Appointment.status == "completed", *_in(Appointment.start_at, low, high))
    ).one()
    return Rating(count, int(total))


def event_rating(start: date | None, end: date | None) -> Rating:
    """Ratings of attended registrations of the period's events."""
    low, high = utc_bounds(start, end)
    count, total = db.session.execute(
        select(func.count(Registration.rating), func.coalesce(func.sum(Registration.rating), 0)).where(
            Registration.event_id.in_(held_events(low, high)), Registration.status == RegStatus.ATTENDED
        )
    ).one()
    return Rating(count, int(total))


def summary(start: date | None, end: date | None, target: int) -> Summary:
    """The headline figures of the period."""
    counts, enterprises = by_channel(start, end)
    printed = printed_copies(start, end)
    return Summary(
        start=start,
        end=end,
        roster=roster_count(),
        served=served_count(start, end),
        target=target,
        touches=counts,
        served_by_channel=enterprises,
        events_held=events_held(start, end),
        people_reached=people_reached(start, end),
        copies_distributed=counts["download"] + printed,
        printed_copies=printed,
        booking_rating=booking_rating(start, end),
        event_rating=event_rating(start, end),
        open_needs=db.session.scalar(
            select(func.count()).select_from(Need).join(Enterprise).where(Need.status == "open", active())
        )
        or 0,
    )


# ------------------------------------------------------------------------------------------------ breakdowns


@dataclass
class Month:
    """One month of the trend: enterprises served in it and touches per channel."""

    month: str  # YYYY-MM
    served: int
    touches: dict[str, int]

    @property
    def total(self) -> int:
        """Touches in every channel."""
        return sum(self.touches.values())


def months_between(start: date, end: date) -> list[str]:
    """The YYYY-MM months from ``start`` to ``end``."""
    months, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def monthly(start: date, end: date) -> list[Month]:
    """Per month of the period: active enterprises served, touches per channel (two GROUP BY queries)."""
    touch = touches(start, end)
    month = func.substr(touch.c.day, 1, 7).label("month")
    served = dict(
        db.session.execute(
            select(month, func.count(distinct(touch.c.enterprise_id)))
            .join(Enterprise, Enterprise.id == touch.c.enterprise_id)
            .where(active())
            .group_by(month)
        ).all()
    )
    per_channel: dict[str, dict[str, int]] = {}
    for key, channel, count in db.session.execute(
        select(month, touch.c.channel, func.count()).group_by(month, touch.c.channel)
    ).all():
        per_channel.setdefault(key, {})[channel] = count
    return [
        Month(key, served.get(key, 0), {code: per_channel.get(key, {}).get(code, 0) for code in CHANNELS})
        for key in months_between(start, end)
    ]


@dataclass
class Industry:
    """One industry: active roster enterprises, of them served, and their touches."""

    code: str
    roster: int
    served: int
    touches: int

    @property
    def rate(self) -> float:
        """Served ÷ roster."""
        return self.served / self.roster if self.roster else 0.0


def by_industry(start: date | None, end: date | None) -> list[Industry]:
    """Per industry of the active roster: enterprises, served, touches (one query; most enterprises first)."""
    touch = touches(start, end)
    rows = db.session.execute(
        select(
            Enterprise.industry,
            func.count(distinct(Enterprise.id)),
            func.count(distinct(touch.c.enterprise_id)),
            func.count(touch.c.enterprise_id),
        )
        .select_from(Enterprise)
        .outerjoin(touch, touch.c.enterprise_id == Enterprise.id)
        .where(active())
        .group_by(Enterprise.industry)
    ).all()
    found = [Industry(code, roster, served, count) for code, roster, served, count in rows]
    return sorted(found, key=lambda row: (-row.roster, row.code))


@dataclass
class Topic:
    """One legal topic: demand (needs stated in the period, by how many enterprises) beside supply (touches)."""

    code: str
    needs: int
    needing: int
    supply: int
    supplied: int


def by_topic(start: date | None, end: date | None) -> list[Topic]:
    """Demand beside supply per legal topic (two GROUP BY queries), topics in the vocabulary's order.

    Supply counts touches by topic: an event or compilation with several topics counts under each.
    """
    from ..core.vocab import TOPICS

    touch = touches(start, end, by_topic=True)
    supply = {
        topic: (count, enterprises)
        for topic, count, enterprises in db.session.execute(
            select(touch.c.topic, func.count(), func.count(distinct(touch.c.enterprise_id)))
            .where(touch.c.topic.is_not(None))
            .group_by(touch.c.topic)
        ).all()
    }
    low, high = utc_bounds(start, end)
    demand = {
        topic: (count, enterprises)
        for topic, count, enterprises in db.session.execute(
            select(Need.topic, func.count(), func.count(distinct(Need.enterprise_id)))
            .where(*_in(Need.created_at, low, high))
            .group_by(Need.topic)
        ).all()
    }
    return [Topic(code, *demand.get(code, (0, 0)), *supply.get(code, (0, 0))) for code in TOPICS]


# ------------------------------------------------------------------------------------------ per enterprise


def not_served(start: date | None, end: date | None, q: str = "") -> Select:
    """Active enterprises without a touch in the period, by name (the outreach list)."""
    touch = touches(start, end)
    query = select(Enterprise).where(active(), Enterprise.id.not_in(select(touch.c.enterprise_id)))
    if q:
        query = query.where(contains(q, Enterprise.name, Enterprise.uscc, Enterprise.contact_name, Enterprise.phone))
    return query.order_by(Enterprise.name, Enterprise.id)


def last_touch(enterprise_ids: list[int]) -> dict[int, str]:
    """The day of each enterprise's latest touch ever (YYYY-MM-DD), for a page of enterprises (one query, also for an
    empty page: the page's query count doesn't depend on the data)."""
    touch = touches(enterprise_ids=enterprise_ids)
    return dict(
        db.session.execute(select(touch.c.enterprise_id, func.max(touch.c.day)).group_by(touch.c.enterprise_id)).all()
    )


def open_needs(enterprise_ids: list[int]) -> dict[int, list[Need]]:
    """The open needs of a page of enterprises, oldest first (one query, also for an empty page)."""
    found: dict[int, list[Need]] = {ident: [] for ident in enterprise_ids}
    for need in db.session.scalars(
        select(Need).where(Need.enterprise_id.in_(enterprise_ids), Need.status == "open").order_by(Need.id)
    ):
        found[need.enterprise_id].append(need)
    return found


def per_enterprise(start: date | None, end: date | None) -> Select:
    """One row per active roster enterprise: name, USCC, industry, touches in the period in all and per channel,
    and the day of its latest touch in the period (the export's table; one query)."""
    touch = touches(start, end)
    per_channel = [func.count(touch.c.channel).filter(touch.c.channel == code).label(code) for code in CHANNELS]
    return (
        select(
            Enterprise.id,
            Enterprise.name,
            Enterprise.uscc,
            Enterprise.industry,
            Enterprise.contact_name,
            Enterprise.phone,
            func.count(touch.c.channel).label("touches"),
            *per_channel,
            func.max(touch.c.day).label("last_touch"),
        )
        .select_from(Enterprise)
        .outerjoin(touch, touch.c.enterprise_id == Enterprise.id)
        .where(active())
        .group_by(Enterprise.id, Enterprise.name, Enterprise.uscc, Enterprise.industry)
        .order_by(Enterprise.name, Enterprise.id)
    )


# ------------------------------------------------------------------------------------------- yearly report


@dataclass
class Risks:
    """Checkup findings issued in the period, by level, and how many of them were corrected."""

    found: dict[str, int]
    corrected: dict[str, int]

    @property
    def total_found(self) -> int:
        """Findings of every level."""
        return sum(self.found.values())

    @property
    def total_corrected(self) -> int:
        """Corrected findings of every level."""
        return sum(self.corrected.values())


def risks(start: date | None, end: date | None) -> Risks:
    """Findings issued in the period per level (high, medium, low), and of them corrected (one query)."""
    low, high = utc_bounds(start, end)
    levels = ("high", "medium", "low")
    found = dict.fromkeys(levels, 0)
    corrected = dict.fromkeys(levels, 0)
    for level, count, fixed in db.session.execute(
        select(Finding.level, func.count(), func.count(Finding.id).filter(Finding.status != "open"))
        .where(Finding.issued_at.is_not(None), *_in(Finding.issued_at, low, high))
        .group_by(Finding.level)
    ).all():
        found[level], corrected[level] = count, fixed
    return Risks(found, corrected)


def top_needs(start: date | None, end: date | None, limit: int = 5) -> list[tuple[str, int, int]]:
    """The most stated legal topics of the period: (topic, needs, enterprises), most first."""
    low, high = utc_bounds(start, end)
    enterprises = func.count(distinct(Need.enterprise_id))
    return [
        tuple(row)
        for row in db.session.execute(
            select(Need.topic, func.count(), enterprises)
            .where(*_in(Need.created_at, low, high))
            .group_by(Need.topic)
            .order_by(enterprises.desc(), func.count().desc(), Need.topic)
            .limit(limit)
        ).all()
    ]


def enterprise_findings(enterprise_id: int) -> list[Finding]:
    """An enterprise's open, issued checkup findings, most serious first."""
    from ..models import Checkup

    order = {"high": 0, "medium": 1, "low": 2}
    rows = db.session.scalars(
        select(Finding)
        .join(Checkup, Checkup.id == Finding.checkup_id)
        .join(Appointment, Appointment.id == Checkup.appointment_id)
        .where(
            and_(Appointment.enterprise_id == enterprise_id, Finding.status == "open", Finding.issued_in.is_not(None))
        )
        .order_by(Finding.id)
    ).all()
    return sorted(rows, key=lambda f: (order.get(f.level, 9), f.id))
