"""Touch counts: the touches union (``touches.py``) counted per enterprise and month and per enterprise and year,
kept in step with the rows it is made of, and read back for any period.

**Why**: a year of a district-scale park has ~140,000 touches; every dashboard figure grouping them on the fly took
seconds. Counted per enterprise and year, the same year is ~10,000 rows. The counts are derived data, never edited:

- ``refresh(pairs)`` recomputes the rows of some (month, enterprises) from the union itself, then the years they fall
  in from the months. It runs **in the transaction that changes a touch**: ``init_app`` installs an ``after_flush``
  hook that sees every appointment, registration, event, download, printed copy and topic row the flush wrote
  (whatever code wrote it: services, seeders, tests) and refreshes the months they touched, before and after the
  change. Statements that bypass the ORM (``seed-district``'s bulk inserts) call ``rebuild()`` afterwards.
- ``rebuild()`` recomputes everything from the union (the migration's backfill, seed-district).
- ``pieces(start, end)`` splits a period into whole years, whole months and the days at its edges; ``counted`` and
  ``topic_counts`` read the years and months from the counts and the edge days from the union, so every period gives
  the figures the union alone would (``tests/test_coverage_rollup.py`` checks both ways).

``TouchTotal`` adds each month's and year's counts up for the park (per channel, per topic, in all, with how many
enterprises), so a whole year's figures are a few rows; it is recomputed with the counts it adds up.

Every refresh and rebuild also writes a new stamp for the coverage caches (``cache.py``).

On PostgreSQL a refresh first takes one advisory lock until commit, so two transactions writing touches recompute one
after the other (each sees the other's committed touches); SQLite has one writer at a time anyway.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import Flask
from sqlalchemy import delete, event, func, insert, inspect, literal, select, union_all
from sqlalchemy.orm import Session

from ..events.vocab import RegStatus
from ..extensions import db
from ..models import (
    Appointment,
    CompilationTopic,
    CoverageVersion,
    Download,
    Event,
    EventTopic,
    Feedback,
    PrintedCopy,
    Registration,
    TouchCount,
    TouchTopicCount,
    TouchTotal,
)
from ..timeutil import to_local
from . import cache
from .touches import touches
from .vocab import CHANNELS

#: Open ends of a period, as far as the counts are concerned.
FAR_PAST, FAR_FUTURE = date(1900, 1, 1), date(2999, 12, 31)
#: The PostgreSQL advisory lock a refresh holds until commit (any fixed number; "touch" in ASCII).
LOCK_KEY = 0x746F756368
#: Enterprises per statement of a refresh (keeps every IN list well inside the engines' limits).
CHUNK = 500
COMPLETED = "completed"


# ------------------------------------------------------------------------------------------------ periods


def month_of(day: date) -> str:
    """``YYYY-MM``."""
    return f"{day.year:04d}-{day.month:02d}"


def month_span(period: str) -> tuple[date, date]:
    """The first and last day of the month ``YYYY-MM``."""
    first = date(int(period[:4]), int(period[5:7]), 1)
    return first, _month_end(first)


def _month_end(day: date) -> date:
    following = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return following - timedelta(days=1)


@dataclass(frozen=True)
class Pieces:
    """A period as whole years (first, last), whole month ranges outside them, and edge day ranges (each inside one
    month)."""

    years: tuple[int, int] | None
    months: tuple[tuple[str, str], ...]
    days: tuple[tuple[date, date], ...]
    #: Every whole month of the period as one range (what the monthly trend reads), or ``None``.
    all_months: tuple[str, str] | None


def pieces(start: date | None, end: date | None) -> Pieces:
    """Split ``start``–``end`` (inclusive; ``None`` = open) into whole years, whole months and edge days."""
    start, end = start or FAR_PAST, end or FAR_FUTURE
    if start > end:
        return Pieces(None, (), (), None)
    first = start if start.day == 1 else _month_end(start) + timedelta(days=1)
    last = end if end == _month_end(end) else end.replace(day=1) - timedelta(days=1)
    if first > last:  # no whole month: a few days inside one or two months
        if start.month == end.month and start.year == end.year:
            return Pieces(None, (), ((start, end),), None)
        return Pieces(None, (), ((start, _month_end(start)), (end.replace(day=1), end)), None)
    days = tuple(
        span for span in ((start, first - timedelta(days=1)), (last + timedelta(days=1), end)) if span[0] <= span[1]
    )
    whole = (month_of(first), month_of(last))
    year_first = first.year if first.month == 1 else first.year + 1
    year_last = last.year if last.month == 12 else last.year - 1
    if year_first > year_last:
        return Pieces(None, (whole,), days, whole)
    months = []
    if first.year < year_first:
        months.append((month_of(first), f"{year_first - 1:04d}-12"))
    if last.year > year_last:
        months.append((f"{year_last + 1:04d}-01", month_of(last)))
    return Pieces((year_first, year_last), tuple(months), days, whole)


# ----------------------------------------------------------------------------------------- reading counts

COUNT_COLUMNS = tuple(CHANNELS)
#: The measures of touches each count row keeps (``TouchCount``'s columns of the same names).
MEASURES = ("people", "copies", "booking_ratings", "booking_rating_total", "event_ratings", "event_rating_total")
APPOINTMENT_CHANNELS = ("consultation", "checkup")


def _counts(touch) -> list:
    """Per group of touches: how many per channel, then each measure (labelled with ``TouchCount``'s columns)."""
    booking = touch.c.channel.in_(APPOINTMENT_CHANNELS)
    event_touch = touch.c.channel == "event"
    return [
        *(func.count().filter(touch.c.channel == code).label(code) for code in COUNT_COLUMNS),
        func.coalesce(func.sum(touch.c.amount).filter(event_touch), 0).label("people"),
        func.coalesce(func.sum(touch.c.amount).filter(touch.c.channel == "printed"), 0).label("copies"),
        func.count(touch.c.rating).filter(booking).label("booking_ratings"),
        func.coalesce(func.sum(touch.c.rating).filter(booking), 0).label("booking_rating_total"),
        func.count(touch.c.rating).filter(event_touch).label("event_ratings"),
        func.coalesce(func.sum(touch.c.rating).filter(event_touch), 0).label("event_rating_total"),
    ]


def _union_counts(start: date, end: date, month: str | None = None):
    """Per enterprise, its touches per channel, its measures and its latest day within ``start``–``end``, from the
    union."""
    touch = touches(start, end)
    head = [literal(month).label("month")] if month is not None else []
    return select(*head, touch.c.enterprise_id, *_counts(touch), func.max(touch.c.day).label("last_day")).group_by(
        touch.c.enterprise_id
    )


def _stored(grain: str, low: str, high: str, by_month: bool = False):
    """Stored counts of one grain with periods from ``low`` to ``high``."""
    head = [TouchCount.period.label("month")] if by_month else []
    return select(
        *head,
        TouchCount.enterprise_id,
        *(getattr(TouchCount, code) for code in COUNT_COLUMNS + MEASURES),
        TouchCount.last_day,
    ).where(TouchCount.grain == grain, _periods(TouchCount.period, low, high))


def _periods(column, low: str, high: str):
    """``column`` from ``low`` to ``high`` (an equality for one period, which the planners join by far better)."""
    return column == low if low == high else column.between(low, high)


def single_year(start: date | None, end: date | None) -> str | None:
    """The calendar year (``YYYY``) the period is exactly, else ``None``."""
    split = pieces(start, end)
    if split.years and split.years[0] == split.years[1] and not split.months and not split.days:
        return f"{split.years[0]:04d}"
    return None


def single(start: date | None, end: date | None) -> bool:
    """Whether the period is read from one kind of stored row with one row per enterprise (one calendar year)."""
    return single_year(start, end) is not None


def edge_months(start: date | None, end: date | None):
    """Per enterprise and month, the counts of the days at the period's edges (from the union), or ``None``."""
    parts = [_union_counts(low, high, month_of(low)) for low, high in pieces(start, end).days]
    if not parts:
        return None
    return (union_all(*parts) if len(parts) > 1 else parts[0]).subquery("edges")


def counted(start: date | None, end: date | None, *, by_month: bool = False):
    """The period's touch counts as rows (enterprise_id, consultation, checkup, event, download, printed, last_day)
    — an enterprise may have a row per piece, so group by enterprise before counting enterprises. ``by_month`` adds
    a ``month`` column and reads whole months only from month rows (for the trend)."""
    split = pieces(start, end)
    parts = []
    if by_month:
        if split.all_months:
            parts.append(_stored("month", *split.all_months, by_month=True))
    else:
        if split.years:
            parts.append(_stored("year", f"{split.years[0]:04d}", f"{split.years[1]:04d}"))
        parts += [_stored("month", low, high) for low, high in split.months]
    parts += [_union_counts(low, high, month_of(low) if by_month else None) for low, high in split.days]
    if not parts:  # an empty period: no rows, same columns
        parts.append(_stored("month", "0", "0", by_month=by_month))
    return (union_all(*parts) if len(parts) > 1 else parts[0]).subquery("counted")


def per_enterprise(start: date | None, end: date | None):
    """One row per enterprise touched in the period: its touches per channel, in all, and its latest day."""
    rows = counted(start, end)
    every = rows.c.consultation + rows.c.checkup + rows.c.event + rows.c.download + rows.c.printed
    if single(start, end):  # one calendar year: its stored rows are one per enterprise already
        return select(rows, every.label("touches")).subquery("per_enterprise")
    sums = [func.sum(rows.c[code]).label(code) for code in COUNT_COLUMNS + MEASURES]
    return (
        select(
            rows.c.enterprise_id,
            *sums,
            func.sum(every).label("touches"),
            func.max(rows.c.last_day).label("last_day"),
        )
        .group_by(rows.c.enterprise_id)
        .subquery("per_enterprise")
    )


def topic_counts(start: date | None, end: date | None):
    """The period's touches per topic as rows (enterprise_id, topic, touches), several per enterprise and topic."""
    split = pieces(start, end)
    parts = []

    def stored(grain: str, low: str, high: str):
        return select(TouchTopicCount.enterprise_id, TouchTopicCount.topic, TouchTopicCount.touches).where(
            TouchTopicCount.grain == grain, _periods(TouchTopicCount.period, low, high)
        )

    if split.years:
        parts.append(stored("year", f"{split.years[0]:04d}", f"{split.years[1]:04d}"))
    parts += [stored("month", low, high) for low, high in split.months]
    for low, high in split.days:
        touch = touches(low, high, by_topic=True)
        parts.append(
            select(touch.c.enterprise_id, touch.c.topic, func.count().label("touches"))
            .where(touch.c.topic.is_not(None))
            .group_by(touch.c.enterprise_id, touch.c.topic)
        )
    if not parts:
        parts.append(stored("month", "0", "0"))
    return (union_all(*parts) if len(parts) > 1 else parts[0]).subquery("topic_counts")


# ------------------------------------------------------------------------------------------------ writing


def refresh(pairs: dict[str, set[int]], session: Session | None = None) -> None:
    """Recompute the counts of these (month → enterprise ids) from the union, then their years from the months."""
    session = session or db.session
    connection = session.connection()
    everyone = sorted({ident for ids in pairs.values() for ident in ids})
    if not everyone:
        return
    if connection.dialect.name == "postgresql":
        # One writer of counts at a time until commit: each recomputation sees every committed touch.
        connection.execute(select(func.pg_advisory_xact_lock(LOCK_KEY)))
    years: dict[str, set[int]] = defaultdict(set)
    for month, ids in sorted(pairs.items()):
        low, high = month_span(month)
        for chunk in _chunks(sorted(ids)):
            _write_months(connection, chunk, low, high)
        _write_totals(connection, "month", month)
        years[month[:4]] |= ids
    for year, ids in sorted(years.items()):
        for chunk in _chunks(sorted(ids)):
            _write_years(connection, year, chunk)
        _write_totals(connection, "year", year)
    cache.bump(connection)


def rebuild(connection=None) -> None:
    """Recompute every count from the union (the migration's backfill; after bulk inserts)."""
    connection = connection or db.session.connection()
    for table in (TouchCount, TouchTopicCount, TouchTotal):
        connection.execute(delete(table))
    _write_months(connection, None, None, None)
    _write_years(connection, None, None)
    _write_totals(connection, "month", None)
    _write_totals(connection, "year", None)
    if inspect(connection).has_table(CoverageVersion.__tablename__):  # not yet in migration 0014's backfill
        cache.bump(connection)


def _write_totals(connection, grain: str, period: str | None) -> None:
    """The park's totals of ``period`` (``None``: every period of the grain) from the enterprises' counts."""
    kept = [TouchCount.grain == grain, *([TouchCount.period == period] if period else [])]
    topical = [TouchTopicCount.grain == grain, *([TouchTopicCount.period == period] if period else [])]
    connection.execute(
        delete(TouchTotal).where(TouchTotal.grain == grain, *([TouchTotal.period == period] if period else []))
    )
    every = sum((getattr(TouchCount, code) for code in COUNT_COLUMNS[1:]), getattr(TouchCount, COUNT_COLUMNS[0]))
    parts = [
        select(literal(grain), TouchCount.period, literal("all"), literal(""), func.sum(every), func.count())
        .where(*kept)
        .group_by(TouchCount.period)
    ]
    for kind, code in [("channel", code) for code in COUNT_COLUMNS] + [("measure", code) for code in MEASURES]:
        column = getattr(TouchCount, code)
        parts.append(
            select(
                literal(grain),
                TouchCount.period,
                literal(kind),
                literal(code),
                func.sum(column),
                func.count().filter(column > 0),
            )
            .where(*kept)
            .group_by(TouchCount.period)
        )
    parts.append(
        select(
            literal(grain),
            TouchTopicCount.period,
            literal("topic"),
            TouchTopicCount.topic,
            func.sum(TouchTopicCount.touches),
            func.count(),
        )
        .where(*topical)
        .group_by(TouchTopicCount.period, TouchTopicCount.topic)
    )
    connection.execute(
        insert(TouchTotal).from_select(["grain", "period", "kind", "key", "amount", "enterprises"], union_all(*parts))
    )


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def _write_months(connection, ids: list[int] | None, low: date | None, high: date | None) -> None:
    """Month rows of ``ids`` (``None``: everyone) from ``low`` to ``high`` (``None``: every month), from the union."""
    if ids is not None:
        connection.execute(
            delete(TouchCount).where(
                TouchCount.grain == "month", TouchCount.period == month_of(low), TouchCount.enterprise_id.in_(ids)
            )
        )
        connection.execute(
            delete(TouchTopicCount).where(
                TouchTopicCount.grain == "month",
                TouchTopicCount.period == month_of(low),
                TouchTopicCount.enterprise_id.in_(ids),
            )
        )
    touch = touches(low, high, enterprise_ids=ids)
    month = func.substr(touch.c.day, 1, 7)
    connection.execute(
        insert(TouchCount).from_select(
            ["grain", "period", "enterprise_id", *COUNT_COLUMNS, *MEASURES, "last_day"],
            select(literal("month"), month, touch.c.enterprise_id, *_counts(touch), func.max(touch.c.day)).group_by(
                month, touch.c.enterprise_id
            ),
        )
    )
    topical = touches(low, high, enterprise_ids=ids, by_topic=True)
    month = func.substr(topical.c.day, 1, 7)
    connection.execute(
        insert(TouchTopicCount).from_select(
            ["grain", "period", "topic", "enterprise_id", "touches"],
            select(literal("month"), month, topical.c.topic, topical.c.enterprise_id, func.count())
            .where(topical.c.topic.is_not(None))
            .group_by(month, topical.c.topic, topical.c.enterprise_id),
        )
    )


def _write_years(connection, year: str | None, ids: list[int] | None) -> None:
    """Year rows of ``ids`` in ``year`` (``None``: everyone, every year), summed from their month rows."""
    conditions, topic_conditions = [TouchCount.grain == "month"], [TouchTopicCount.grain == "month"]
    if year is not None:
        months = (f"{year}-01", f"{year}-12")
        conditions += [TouchCount.period.between(*months), TouchCount.enterprise_id.in_(ids)]
        topic_conditions += [TouchTopicCount.period.between(*months), TouchTopicCount.enterprise_id.in_(ids)]
        connection.execute(
            delete(TouchCount).where(
                TouchCount.grain == "year", TouchCount.period == year, TouchCount.enterprise_id.in_(ids)
            )
        )
        connection.execute(
            delete(TouchTopicCount).where(
                TouchTopicCount.grain == "year", TouchTopicCount.period == year, TouchTopicCount.enterprise_id.in_(ids)
            )
        )
    of_year = func.substr(TouchCount.period, 1, 4)
    connection.execute(
        insert(TouchCount).from_select(
            ["grain", "period", "enterprise_id", *COUNT_COLUMNS, *MEASURES, "last_day"],
            select(
                literal("year"),
                of_year,
                TouchCount.enterprise_id,
                *(func.sum(getattr(TouchCount, code)) for code in COUNT_COLUMNS + MEASURES),
                func.max(TouchCount.last_day),
            )
            .where(*conditions)
            .group_by(of_year, TouchCount.enterprise_id),
        )
    )
    topic_year = func.substr(TouchTopicCount.period, 1, 4)
    connection.execute(
        insert(TouchTopicCount).from_select(
            ["grain", "period", "topic", "enterprise_id", "touches"],
            select(
                literal("year"),
                topic_year,
                TouchTopicCount.topic,
                TouchTopicCount.enterprise_id,
                func.sum(TouchTopicCount.touches),
            )
            .where(*topic_conditions)
            .group_by(topic_year, TouchTopicCount.topic, TouchTopicCount.enterprise_id),
        )
    )


# --------------------------------------------------------------------------- which months a flush touched


def _values(obj, name: str) -> set:
    """Every value ``obj.name`` had in this flush: before and after (for a deleted row, its last value)."""
    history = inspect(obj).attrs[name].history
    found = set(history.added or ()) | set(history.unchanged or ()) | set(history.deleted or ())
    return {value for value in found if value is not None}


def _changed(obj, names: Iterable[str]) -> bool:
    """Whether the flush changed any of ``names`` on ``obj``."""
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in names)


def _month(moment: datetime | date) -> str:
    """The local month of a UTC instant or of a day."""
    return month_of(to_local(moment).date() if isinstance(moment, datetime) else moment)


def affected(session: Session) -> dict[str, set[int]]:
    """The (month → enterprise ids) whose touches this flush may have changed, before and after."""
    pairs: dict[str, set[int]] = defaultdict(set)
    events: dict[int, set[int]] = defaultdict(set)  # event id → enterprises (of changed registrations)
    whole_events: set[int] = set()  # events whose day, status or topics changed: every attendee
    extra_months: dict[int, set[str]] = defaultdict(set)  # event id → months it was in before the change
    compilations: set[int] = set()
    rated: set[int] = set()  # appointments whose feedback changed
    for obj in (*session.new, *session.dirty, *session.deleted):
        created, removed = obj in session.new, obj in session.deleted
        if isinstance(obj, Appointment):
            if not (created or removed) and not _changed(
                obj, ("status", "start_at", "enterprise_id", "service_type_id", "topic")
            ):
                continue
            if COMPLETED not in _values(obj, "status"):
                continue
            for month in {_month(moment) for moment in _values(obj, "start_at")}:
                pairs[month] |= _values(obj, "enterprise_id")
        elif isinstance(obj, Registration):
            if not (created or removed) and not _changed(
                obj, ("status", "enterprise_id", "event_id", "attended_count", "rating")
            ):
                continue
            if RegStatus.ATTENDED not in _values(obj, "status"):
                continue
            for event_id in _values(obj, "event_id"):
                events[event_id] |= _values(obj, "enterprise_id")
        elif isinstance(obj, Event):
            if removed or _changed(obj, ("start_at", "status")):
                whole_events.add(obj.id)
                extra_months[obj.id] |= {_month(moment) for moment in _values(obj, "start_at")}
        elif isinstance(obj, EventTopic):
            whole_events |= _values(obj, "event_id")
        elif isinstance(obj, Download):
            if not (created or removed) and not _changed(obj, ("enterprise_id", "created_at", "compilation_id")):
                continue
            for month in {_month(moment) for moment in _values(obj, "created_at")}:
                pairs[month] |= _values(obj, "enterprise_id")
        elif isinstance(obj, PrintedCopy):
            if not (created or removed) and not _changed(
                obj, ("enterprise_id", "handed_on", "compilation_id", "copies")
            ):
                continue
            for month in {_month(day) for day in _values(obj, "handed_on")}:
                pairs[month] |= _values(obj, "enterprise_id")
        elif isinstance(obj, CompilationTopic):
            compilations |= _values(obj, "compilation_id")
        elif isinstance(obj, Feedback):
            if created or removed or _changed(obj, ("rating", "appointment_id")):
                rated |= _values(obj, "appointment_id")
    connection = session.connection() if (events or whole_events or compilations or rated) else None
    if rated:
        for enterprise_id, moment in connection.execute(
            select(Appointment.enterprise_id, Appointment.start_at).where(
                Appointment.id.in_(rated), Appointment.status == COMPLETED
            )
        ):
            pairs[_month(_aware(moment))].add(enterprise_id)
    if events or whole_events:
        ids = set(events) | whole_events
        starts = dict(connection.execute(select(Event.id, Event.start_at).where(Event.id.in_(ids))).all())
        if whole_events:
            for event_id, enterprise_id in connection.execute(
                select(Registration.event_id, Registration.enterprise_id).where(
                    Registration.event_id.in_(whole_events), Registration.status == RegStatus.ATTENDED
                )
            ):
                events[event_id].add(enterprise_id)
        for event_id, enterprises in events.items():
            months = set(extra_months.get(event_id, ()))
            if event_id in starts:
                months.add(_month(_aware(starts[event_id])))
            for month in months:
                pairs[month] |= enterprises
    if compilations:
        for enterprise_id, moment in connection.execute(
            select(Download.enterprise_id, Download.created_at).where(
                Download.compilation_id.in_(compilations), Download.enterprise_id.is_not(None)
            )
        ):
            pairs[_month(_aware(moment))].add(enterprise_id)
        for enterprise_id, day in connection.execute(
            select(PrintedCopy.enterprise_id, PrintedCopy.handed_on).where(PrintedCopy.compilation_id.in_(compilations))
        ):
            pairs[_month(day)].add(enterprise_id)
    return {month: ids for month, ids in pairs.items() if ids}


def _aware(moment: datetime) -> datetime:
    """A UTC instant read by a Core statement (the column type gives it its zone; this is a guard)."""
    from datetime import UTC

    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _after_flush(session: Session, _context) -> None:
    """Keep the counts in step with what this flush wrote (same transaction)."""
    pairs = affected(session)
    if pairs:
        refresh(pairs, session)


def init_app(app: Flask) -> None:
    """Install the hook that keeps the counts in step (once per session class; every app shares ``db.session``)."""
    cache.init_app(app)
    if not event.contains(db.session, "after_flush", _after_flush):
        event.listen(db.session, "after_flush", _after_flush)
