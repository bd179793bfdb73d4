"""Coverage arithmetic: every figure of the dashboard, the exports, the API and the yearly report, each one GROUP BY
over the touch counts of the period (``rollup.py``: the touches union of ``touches.py`` counted per enterprise and
month or year, plus the union itself for days at the period's edges) or over the rows the union names — never rows
loaded and counted in Python.

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
from functools import lru_cache

from sqlalchemy import (
    Integer,
    Row,
    Select,
    String,
    and_,
    bindparam,
    case,
    distinct,
    func,
    literal_column,
    select,
    union_all,
)

from ..core.search import contains
from ..events.vocab import EventStatus, RegStatus
from ..extensions import db
from ..models import (
    Appointment,
    Enterprise,
    Event,
    Feedback,
    Finding,
    Need,
    PrintedCopy,
    Registration,
    TouchCount,
    TouchTotal,
)
from ..timeutil import utcnow
from . import cache, rollup
from .touches import _in, held_events, utc_bounds
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


def archived_ids() -> Select:
    """Ids of archived enterprises (few: "active" is cheaper to test as "not among these" than by a join)."""
    return select(Enterprise.id).where(Enterprise.status == ARCHIVED)


@dataclass
class Channels:
    """Touches per channel, enterprises touched per channel, active enterprises served, and the measures of the
    touches (people at events, printed copies, ratings: ``rollup.MEASURES``) — one query."""

    touches: dict[str, int]
    enterprises: dict[str, int]
    served: int
    measures: dict[str, int]


def channels(start: date | None, end: date | None) -> Channels:
    """Touches and enterprises per channel (archived enterprises' touches too) and active enterprises served."""
    year = rollup.single_year(start, end)
    if year is not None:
        return _year_channels(year)
    counted = rollup.per_enterprise(start, end)
    active_row = counted.c.enterprise_id.not_in(archived_ids())
    row = db.session.execute(
        select(
            *(func.coalesce(func.sum(counted.c[code]), 0) for code in CHANNELS),
            *(func.count().filter(counted.c[code] > 0) for code in CHANNELS),
            func.count().filter(active_row),
            *(func.coalesce(func.sum(counted.c[code]), 0) for code in rollup.MEASURES),
        )
    ).one()
    size = len(CHANNELS)
    return Channels(
        dict(zip(CHANNELS, map(int, row[:size]), strict=True)),
        dict(zip(CHANNELS, row[size : 2 * size], strict=True)),
        row[2 * size],
        dict(zip(rollup.MEASURES, map(int, row[2 * size + 1 :]), strict=True)),
    )


def _archived_served(grain: str, low: str, high: str):
    """Per period, archived enterprises with touches in it (few: read through the archived enterprises)."""
    return (
        select(TouchCount.period.label("period"), func.count().label("archived"))
        .where(
            TouchCount.enterprise_id.in_(archived_ids()),
            TouchCount.grain == grain,
            TouchCount.period.between(low, high),
        )
        .group_by(TouchCount.period)
        .subquery("archived")
    )


def _year_channels(year: str) -> Channels:
    """``channels`` of one calendar year, from the year's totals (a few rows; one query)."""
    archived = _archived_served("year", year, year)
    rows = db.session.execute(
        select(
            TouchTotal.kind,
            TouchTotal.key,
            TouchTotal.amount,
            TouchTotal.enterprises,
            TouchTotal.enterprises - func.coalesce(archived.c.archived, 0),
        )
        .outerjoin(archived, archived.c.period == TouchTotal.period)
        .where(TouchTotal.grain == "year", TouchTotal.period == year)
    ).all()
    found = Channels(dict.fromkeys(CHANNELS, 0), dict.fromkeys(CHANNELS, 0), 0, dict.fromkeys(rollup.MEASURES, 0))
    for kind, key, amount, enterprises, active_enterprises in rows:
        if kind == "all":
            found.served = active_enterprises
        elif kind == "channel":
            found.touches[key], found.enterprises[key] = amount, enterprises
        elif kind == "measure":
            found.measures[key] = amount
    return found


def served_count(start: date | None, end: date | None) -> int:
    """Active enterprises with a touch in the period, each once."""
    return channels(start, end).served


def by_channel(start: date | None, end: date | None) -> tuple[dict[str, int], dict[str, int]]:
    """Touches per channel, and enterprises touched per channel (every channel present, zero when none)."""
    found = channels(start, end)
    return found.touches, found.enterprises


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


def roster_and_channels(
    start: date | None, end: date | None, version: str | None | object = cache.UNREAD
) -> tuple[int, Channels]:
    """The active roster's size and ``channels`` of the period (cached under the coverage stamp)."""
    return cache.cached(("summary", start, end), lambda: (roster_count(), channels(start, end)), version)


@dataclass
class Live:
    """The figures read live (not made of the counts and the roster): events held, open needs of the active roster,
    and needs stated in the period per topic (needs, enterprises)."""

    events_held: int
    open_needs: int
    demand: dict[str, tuple[int, int]]


def live(start: date | None, end: date | None) -> Live:
    """``Live`` figures of the period (one statement, built once per shape of period)."""
    low, high = utc_bounds(start, end)
    values = {"now": utcnow(), **({"low": low} if low else {}), **({"high": high} if high else {})}
    parts = _live_statement(low is not None, high is not None)
    found = Live(0, 0, {})
    for row_kind, topic, count, enterprises in db.session.execute(parts, values).all():
        if row_kind == "events":
            found.events_held = count
        elif row_kind == "open":
            found.open_needs = count
        else:
            found.demand[topic] = (count, enterprises)
    return found


@lru_cache(maxsize=4)
def _live_statement(low: bool, high: bool):
    """``live``'s statement with bound ``now`` (and ``low``/``high`` when the period has them)."""
    since = bindparam("low") if low else None
    until = bindparam("high") if high else None
    key, none = literal_column("''", String()), literal_column("0", Integer())

    def kind(name: str):
        return literal_column(f"'{name}'", String())

    held = [
        Event.status == EventStatus.PUBLISHED,
        Event.start_at <= bindparam("now"),
        *_in(Event.start_at, since, until),
    ]
    return union_all(
        select(kind("events"), key, func.count(), none).select_from(Event).where(*held),
        select(kind("open"), key, func.count(), none)
        .select_from(Need)
        .join(Enterprise)
        .where(Need.status == "open", active()),
        select(kind("demand"), Need.topic, func.count(), func.count(distinct(Need.enterprise_id)))
        .where(*_in(Need.created_at, since, until))
        .group_by(Need.topic),
    )


def summary(
    start: date | None,
    end: date | None,
    target: int,
    version: str | None | object = cache.UNREAD,
    now: Live | None = None,
) -> Summary:
    """The headline figures of the period (the roster's and the counts' part cached under the coverage stamp;
    ``version``: the stamp, when the caller read it already; ``now``: the live figures, when read already)."""
    roster, found = roster_and_channels(start, end, version)
    now = now or live(start, end)
    measures = dict(found.measures)
    printed = measures["copies"]
    return Summary(
        start=start,
        end=end,
        roster=roster,
        served=found.served,
        target=target,
        touches=dict(found.touches),
        served_by_channel=dict(found.enterprises),
        events_held=now.events_held,
        people_reached=measures["people"],
        copies_distributed=found.touches["download"] + printed,
        printed_copies=printed,
        booking_rating=Rating(measures["booking_ratings"], measures["booking_rating_total"]),
        event_rating=Rating(measures["event_ratings"], measures["event_rating_total"]),
        open_needs=now.open_needs,
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


def monthly(start: date, end: date, version: str | None | object = cache.UNREAD) -> list[Month]:
    """Per month of the period: active enterprises served, touches per channel (one query, cached under the
    coverage stamp): whole months from the months' totals, the months cut by the period's edges from their days."""
    found = cache.cached(("monthly", start, end), lambda: _monthly(start, end), version)
    return [Month(month.month, month.served, dict(month.touches)) for month in found]


def _monthly(start: date, end: date) -> list[Month]:
    split = rollup.pieces(start, end)
    parts = []
    if split.all_months:
        low, high = split.all_months
        archived = _archived_served("month", low, high)
        channel = TouchTotal.kind == "channel"
        of_kind = {
            code: func.sum(case((and_(channel, TouchTotal.key == code), TouchTotal.amount), else_=0))
            for code in CHANNELS
        }
        served = func.sum(case((TouchTotal.kind == "all", TouchTotal.enterprises), else_=0)) - func.coalesce(
            func.max(archived.c.archived), 0
        )
        parts.append(
            select(TouchTotal.period.label("month"), served.label("served"), *(of_kind[code] for code in CHANNELS))
            .outerjoin(archived, archived.c.period == TouchTotal.period)
            .where(TouchTotal.grain == "month", TouchTotal.period.between(low, high))
            .group_by(TouchTotal.period)
        )
    edges = rollup.edge_months(start, end)
    if edges is not None:
        active_id = case((edges.c.enterprise_id.in_(archived_ids()), None), else_=edges.c.enterprise_id)
        parts.append(
            select(
                edges.c.month, func.count(distinct(active_id)), *(func.sum(edges.c[code]) for code in CHANNELS)
            ).group_by(edges.c.month)
        )
    found = {}
    if parts:
        statement = union_all(*parts) if len(parts) > 1 else parts[0]
        found = {
            month: (served, dict(zip(CHANNELS, counts, strict=True)))
            for month, served, *counts in db.session.execute(statement).all()
        }
    empty = (0, dict.fromkeys(CHANNELS, 0))
    return [
        Month(key, found.get(key, empty)[0], {code: int(found.get(key, empty)[1][code]) for code in CHANNELS})
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


def by_industry(start: date | None, end: date | None, version: str | None | object = cache.UNREAD) -> list[Industry]:
    """Per industry of the active roster: enterprises, served, touches (one query, cached under the coverage stamp;
    most enterprises first)."""
    return list(cache.cached(("industries", start, end), lambda: _by_industry(start, end), version))


def _by_industry(start: date | None, end: date | None) -> list[Industry]:
    counted = rollup.per_enterprise(start, end)
    rows = db.session.execute(
        select(
            Enterprise.industry,
            func.count(),
            func.count(counted.c.enterprise_id),
            func.coalesce(func.sum(counted.c.touches), 0),
        )
        .select_from(Enterprise)
        .outerjoin(counted, counted.c.enterprise_id == Enterprise.id)
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


def by_topic(
    start: date | None, end: date | None, version: str | None | object = cache.UNREAD, now: Live | None = None
) -> list[Topic]:
    """Demand beside supply per legal topic (supply cached under the coverage stamp; demand from ``live``, or
    ``now`` when read already), topics in the vocabulary's order.

    Supply counts touches by topic: an event or compilation with several topics counts under each.
    """
    from ..core.vocab import TOPICS

    supply = cache.cached(("supply", start, end), lambda: _supply(start, end), version)
    demand = (now or live(start, end)).demand
    return [Topic(code, *demand.get(code, (0, 0)), *supply.get(code, (0, 0))) for code in TOPICS]


def _supply(start: date | None, end: date | None) -> dict[str, tuple[int, int]]:
    """Touches and enterprises touched per legal topic."""
    year = rollup.single_year(start, end)
    if year is not None:  # the year's totals per topic: a few rows
        supply_query = select(TouchTotal.key, TouchTotal.amount, TouchTotal.enterprises).where(
            TouchTotal.grain == "year", TouchTotal.period == year, TouchTotal.kind == "topic"
        )
    else:
        rows = rollup.topic_counts(start, end)
        supply_query = select(
            rows.c.topic, func.sum(rows.c.touches), func.count(distinct(rows.c.enterprise_id))
        ).group_by(rows.c.topic)
    return {topic: (int(count), enterprises) for topic, count, enterprises in db.session.execute(supply_query)}


# ------------------------------------------------------------------------------------------ per enterprise


def not_served(start: date | None, end: date | None, q: str = "") -> Select:
    """Active enterprises without a touch in the period, by name (the outreach list)."""
    year = rollup.single_year(start, end)
    if year is not None:  # one calendar year: probe the year's row of each enterprise (walking names stops early)
        touched = select(TouchCount.enterprise_id).where(
            TouchCount.grain == "year", TouchCount.period == year, TouchCount.enterprise_id == Enterprise.id
        )
        untouched = ~touched.exists()
    else:
        rows = rollup.counted(start, end)
        untouched = Enterprise.id.not_in(select(rows.c.enterprise_id))
    query = select(Enterprise).where(active(), untouched)
    if q:
        query = query.where(contains(q, Enterprise.name, Enterprise.uscc, Enterprise.contact_name, Enterprise.phone))
    return query.order_by(Enterprise.name, Enterprise.id)


def last_touch(enterprise_ids: list[int]) -> dict[int, str]:
    """The day of each enterprise's latest touch ever (YYYY-MM-DD), for a page of enterprises (one query, also for an
    empty page: the page's query count doesn't depend on the data)."""
    return dict(
        db.session.execute(
            select(TouchCount.enterprise_id, func.max(TouchCount.last_day))
            .where(TouchCount.grain == "year", TouchCount.enterprise_id.in_(enterprise_ids))
            .group_by(TouchCount.enterprise_id)
        ).all()
    )


@dataclass
class Year:
    """One calendar year of an enterprise's touches: how many per channel."""

    year: str
    touches: dict[str, int]

    @property
    def total(self) -> int:
        """Touches in every channel."""
        return sum(self.touches.values())


def enterprise_years(enterprise_id: int) -> list[Year]:
    """An enterprise's touches per year and channel, newest year first (its year counts: a few rows, one query)."""
    rows = db.session.execute(
        select(TouchCount.period, *(getattr(TouchCount, code) for code in CHANNELS))
        .where(TouchCount.enterprise_id == enterprise_id, TouchCount.grain == "year")
        .order_by(TouchCount.period.desc())
    ).all()
    return [Year(period, dict(zip(CHANNELS, counts, strict=True))) for period, *counts in rows]


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
    counted = rollup.per_enterprise(start, end)
    return (
        select(
            Enterprise.id,
            Enterprise.name,
            Enterprise.uscc,
            Enterprise.industry,
            Enterprise.contact_name,
            Enterprise.phone,
            func.coalesce(counted.c.touches, 0).label("touches"),
            *(func.coalesce(counted.c[code], 0).label(code) for code in CHANNELS),
            counted.c.last_day.label("last_touch"),
        )
        .select_from(Enterprise)
        .outerjoin(counted, counted.c.enterprise_id == Enterprise.id)
        .where(active())
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
    """Findings issued in the period per level (high, medium, low), and of them corrected (one query, read from the
    (status, severity, issued_at) index alone: every status and rank listed, so each pair is one range of it)."""
    from ..checkups.vocab import FindingStatus
    from ..models.checkups import SEVERITY_RANKS

    low, high = utc_bounds(start, end)
    levels = {rank: str(level) for level, rank in SEVERITY_RANKS.items()}
    found = dict.fromkeys(levels.values(), 0)
    corrected = dict.fromkeys(levels.values(), 0)
    for status, rank, count in db.session.execute(
        select(Finding.status, Finding.severity, func.count())
        .where(
            Finding.status.in_(list(FindingStatus)),
            Finding.severity.in_(sorted(levels)),
            Finding.issued_at.is_not(None),
            *_in(Finding.issued_at, low, high),
        )
        .group_by(Finding.status, Finding.severity)
    ).all():
        found[levels[rank]] += count
        if status != FindingStatus.OPEN:
            corrected[levels[rank]] += count
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


def enterprise_findings(enterprise_id: int) -> list[Row]:
    """An enterprise's open, issued checkup findings, most serious first (by the stored rank), as rows of what the
    timeline shows: ``id``, ``level``, ``area``, ``finding``, ``deadline``."""
    return list(
        db.session.execute(
            select(Finding.id, Finding.level, Finding.area, Finding.finding, Finding.deadline)
            .where(Finding.enterprise_id == enterprise_id, Finding.status == "open", Finding.issued_in.is_not(None))
            .order_by(Finding.severity, Finding.id)
        )
    )
