"""Service touches: one SQL union over the rows each area already keeps, so every channel has one source.

A **touch** (DESIGN.md) is
- a completed appointment: channel ``checkup`` for the service ``checkup``, ``consultation`` for every other
  service; its day is the local day of ``start_at``; its topic the booking's topic;
- an attended event (a registration with status ``attended``): channel ``event``, the event's local day;
- a download of a compilation by an enterprise user (``Download.enterprise_id`` set): channel ``download``,
  the local day of the download;
- printed copies handed to an enterprise (one ``PrintedCopy`` row): channel ``printed``, ``handed_on``.

``touches()`` yields (enterprise_id, channel, topic, day, ref_id, amount, rating): ``amount`` is the people counted
at the door of an attended event or the number of printed copies handed over (else empty), ``rating`` the booking's
feedback (1–5) or the enterprise's rating of the event, if given. ``day`` is text ``YYYY-MM-DD`` in the display
time zone on every engine, so ``substr(day, 1, 7)`` is its month. Events and compilations can have several
topics: the plain union leaves their topic empty; ``by_topic=True`` yields one row per topic instead (what the
demand-beside-supply breakdown counts). Each branch filters the period on an indexed column (appointment
(status, start_at), event start_at, download created_at, printed copy (enterprise, handed_on)), so a year of a
district-scale park reads only that year's rows. Every figure in ``metrics.py`` is a GROUP BY over this union.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time
from functools import lru_cache

from sqlalchemy import BindParameter, Integer, Select, String, bindparam, case, literal, null, select, union_all
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from ..events.vocab import EventStatus, RegStatus
from ..models import (
    Appointment,
    Compilation,
    CompilationTopic,
    Download,
    Event,
    EventTopic,
    Feedback,
    PrintedCopy,
    Registration,
    ServiceType,
)
from ..timeutil import local_datetime, local_zone
from .vocab import Channel

COLUMNS = ("enterprise_id", "channel", "topic", "day", "ref_id", "amount", "rating")
#: The service whose completed bookings are the channel ``checkup`` (DESIGN.md's service code).
CHECKUP_SERVICE = "checkup"


class local_day(FunctionElement):  # noqa: N801 - reads like the SQL function it stands for
    """The local calendar day (text YYYY-MM-DD) of a UTC timestamp column, shifted by a fixed number of hours."""

    type = String()
    inherit_cache = True


@compiles(local_day, "sqlite")
def _local_day_sqlite(element, compiler, **kw):
    column, hours = list(element.clauses)
    return f"date({compiler.process(column, **kw)}, printf('%+d hours', {compiler.process(hours, **kw)}))"


@compiles(local_day, "postgresql")
def _local_day_postgresql(element, compiler, **kw):
    column, hours = list(element.clauses)
    shifted = f"{compiler.process(column, **kw)} + make_interval(hours => {compiler.process(hours, **kw)})"
    return f"to_char({shifted}, 'YYYY-MM-DD')"


class day_text(FunctionElement):  # noqa: N801
    """A DATE column as text YYYY-MM-DD (SQLite stores it so already)."""

    type = String()
    inherit_cache = True


@compiles(day_text, "sqlite")
def _day_text_sqlite(element, compiler, **kw):
    return compiler.process(list(element.clauses)[0], **kw)


@compiles(day_text, "postgresql")
def _day_text_postgresql(element, compiler, **kw):
    return f"to_char({compiler.process(list(element.clauses)[0], **kw)}, 'YYYY-MM-DD')"


def _offset_hours() -> int:
    """The display time zone's offset from UTC in whole hours (Asia/Shanghai: 8; it has no daylight saving)."""
    offset = datetime(2024, 1, 1, tzinfo=local_zone()).utcoffset()
    return int(offset.total_seconds() // 3600) if offset else 0


def _shift(column, hours: int):
    """``local_day`` of ``column``, ``hours`` ahead of UTC (each engine's SQL is chosen when it is compiled)."""
    return local_day(column, literal(hours))


def utc_bounds(start: date | None, end: date | None) -> tuple[datetime | None, datetime | None]:
    """The UTC instants of local midnight starting ``start`` and ending ``end`` (inclusive days); ``None`` = open."""
    from ..core.parsing import next_day

    low = local_datetime(start, time(0)) if start else None
    high = local_datetime(next_day(end), time(0)) if end else None
    return low, high


def _in(column, low, high) -> list:
    """Conditions keeping ``column`` within [low, high) (either may be open)."""
    conditions = []
    if low is not None:
        conditions.append(column >= low)
    if high is not None:
        conditions.append(column < high)
    return conditions


def held_events(low: datetime | None, high: datetime | None) -> Select:
    """Ids of the events (not drafts) that start within [low, high): read by the index on ``start_at``."""
    return select(Event.id).where(Event.status != EventStatus.DRAFT, *_in(Event.start_at, low, high))


def touches(
    start: date | None = None,
    end: date | None = None,
    *,
    enterprise_ids: Iterable[int] | BindParameter | None = None,
    by_topic: bool = False,
):
    """Every service touch from ``start`` to ``end`` (inclusive local days; ``None`` = open), as a subquery.

    ``enterprise_ids`` limits it to some enterprises (a page of a list, one timeline); ``by_topic`` yields one row
    per topic of an event or compilation instead of one row with an empty topic.
    """
    hours = _offset_hours()
    low, high = utc_bounds(start, end)
    ids = (
        enterprise_ids if isinstance(enterprise_ids, BindParameter) or enterprise_ids is None else list(enterprise_ids)
    )

    def only(column) -> list:
        return [column.in_(ids)] if ids is not None else []

    channel = ServiceType.code
    appointments = (
        select(
            Appointment.enterprise_id.label("enterprise_id"),
            _channel_of(channel).label("channel"),
            Appointment.topic.label("topic"),
            _shift(Appointment.start_at, hours).label("day"),
            Appointment.id.label("ref_id"),
            null().cast(Integer()).label("amount"),
            Feedback.rating.label("rating"),
        )
        .join(ServiceType, ServiceType.id == Appointment.service_type_id)
        .outerjoin(Feedback, Feedback.appointment_id == Appointment.id)
        .where(
            Appointment.status == "completed", *_in(Appointment.start_at, low, high), *only(Appointment.enterprise_id)
        )
    )

    # The period's events first (index on start_at), then their attended registrations (covering index); some
    # enterprises' touches ever (a timeline): their registrations first, each with its event.
    if ids is not None and low is None and high is None:
        held_condition = Event.status != EventStatus.DRAFT
    else:
        held_condition = Registration.event_id.in_(held_events(low, high))
    events = (
        select(
            Registration.enterprise_id,
            literal(Channel.EVENT.value, String()),
            (EventTopic.topic if by_topic else null().cast(String())).label("topic"),
            _shift(Event.start_at, hours),
            Event.id,
            Registration.attended_count,
            Registration.rating,
        )
        .join(Event, Event.id == Registration.event_id)
        .where(
            held_condition,
            Registration.status == RegStatus.ATTENDED,
            *only(Registration.enterprise_id),
        )
    )
    if by_topic:
        events = events.join(EventTopic, EventTopic.event_id == Event.id)

    downloads = select(
        Download.enterprise_id,
        literal(Channel.DOWNLOAD.value, String()),
        (CompilationTopic.topic if by_topic else null().cast(String())).label("topic"),
        _shift(Download.created_at, hours),
        Download.compilation_id,
        null().cast(Integer()),
        null().cast(Integer()),
    ).where(Download.enterprise_id.is_not(None), *_in(Download.created_at, low, high), *only(Download.enterprise_id))

    printed_day = PrintedCopy.handed_on
    printed = select(
        PrintedCopy.enterprise_id,
        literal(Channel.PRINTED.value, String()),
        (CompilationTopic.topic if by_topic else null().cast(String())).label("topic"),
        day_text(printed_day),
        PrintedCopy.compilation_id,
        PrintedCopy.copies,
        null().cast(Integer()),
    ).where(
        *([printed_day >= start] if start else []),
        *([printed_day <= end] if end else []),
        *only(PrintedCopy.enterprise_id),
    )
    if by_topic:
        downloads = downloads.join(CompilationTopic, CompilationTopic.compilation_id == Download.compilation_id)
        printed = printed.join(CompilationTopic, CompilationTopic.compilation_id == PrintedCopy.compilation_id)
    return union_all(appointments, events, downloads, printed).subquery("touch")


def _channel_of(service_code):
    """The channel of a completed appointment: ``checkup`` for the checkup service, ``consultation`` otherwise."""
    return case((service_code == CHECKUP_SERVICE, Channel.CHECKUP.value), else_=Channel.CONSULTATION.value)


def timeline(enterprise_id: int) -> Select:
    """Every touch of one enterprise, ever, newest first, with a title for each (one query)."""
    touch = touches(enterprise_ids=[enterprise_id])
    return select(touch, _titles(touch)).order_by(*_newest_first(touch))


def timeline_page(enterprise_id: int, limit: int, offset: int) -> tuple[Select, dict]:
    """One page of ``timeline`` (the titles looked up for that page's rows only) and its parameters: the statement
    is built once per process and time zone (building the union costs more than running it for one enterprise)."""
    return _timeline_page(_offset_hours()), {"enterprise_ids": [enterprise_id], "limit": limit, "offset": offset}


@lru_cache(maxsize=4)
def _timeline_page(hours: int) -> Select:
    del hours  # the key: touches() reads the same offset
    touch = touches(enterprise_ids=bindparam("enterprise_ids", expanding=True))
    page = (
        select(touch)
        .order_by(*_newest_first(touch))
        .limit(bindparam("limit", type_=Integer()))
        .offset(bindparam("offset", type_=Integer()))
        .subquery("page")
    )
    return select(page, _titles(page)).order_by(*_newest_first(page))


def _newest_first(touch) -> tuple:
    return touch.c.day.desc(), touch.c.channel, touch.c.ref_id.desc()


def _titles(touch):
    """What each touch was: the service code, the event's title or the compilation's title (a scalar per row)."""
    event_title = select(Event.title).where(Event.id == touch.c.ref_id).scalar_subquery()
    compilation_title = (
        select(Compilation.title + " · " + Compilation.edition)
        .where(Compilation.id == touch.c.ref_id)
        .scalar_subquery()
    )
    service = (
        select(ServiceType.code)
        .join(Appointment, Appointment.service_type_id == ServiceType.id)
        .where(Appointment.id == touch.c.ref_id)
        .scalar_subquery()
    )
    return case(
        (touch.c.channel == Channel.EVENT.value, event_title),
        (touch.c.channel.in_((Channel.DOWNLOAD.value, Channel.PRINTED.value)), compilation_title),
        else_=service,
    ).label("title")
