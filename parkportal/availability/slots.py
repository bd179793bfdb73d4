"""Free slots: availability − exceptions − existing bookings − lead time, never in the past or beyond the horizon.

One function answers "when can this service be booked on this day (with this lawyer)?", and booking uses
the same rules to check a chosen start. Slot starts lie on the 30-minute grid of local time.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..bookings.vocab import ACTIVE_STATUSES
from ..core.errors import Invalid
from ..core.parsing import parse_id
from ..extensions import db
from ..models import (
    Appointment,
    AvailabilityException,
    AvailabilityRule,
    BookingUnit,
    HeldDay,
    LawyerProfile,
    ServiceType,
    User,
)
from ..timeutil import local_datetime, local_today, local_zone, utcnow, week_bounds
from .service import combine_windows, lawyers_with_plan_clause, windows_on

UNIT = timedelta(minutes=30)


@dataclass(frozen=True)
class Slot:
    """A free start time (aware, Asia/Shanghai) and the lawyer who would take it."""

    start: datetime
    lawyer: User


def lead_time() -> timedelta:
    """How long before its start a booking must be made (``BOOKING_LEAD_TIME_HOURS``)."""
    return timedelta(hours=float(current_app.config["BOOKING_LEAD_TIME_HOURS"]))


def horizon_days() -> int:
    """How many days ahead bookings are open (``BOOKING_HORIZON_DAYS``)."""
    return int(current_app.config["BOOKING_HORIZON_DAYS"])


def last_bookable_day(now: datetime | None = None) -> date:
    """The last local date that can be booked."""
    return local_today(now) + timedelta(days=horizon_days())


def unit_starts(start: datetime, minutes: int) -> list[datetime]:
    """The 30-minute units an appointment of ``minutes`` starting at ``start`` covers."""
    return [start + UNIT * i for i in range(max(1, minutes // 30))]


def on_grid(start: datetime) -> bool:
    """Whether ``start`` lies on the 30-minute grid (local time; Asia/Shanghai has whole-hour offsets)."""
    local = start.astimezone(local_zone())
    return local.minute % 30 == 0 and local.second == 0 and local.microsecond == 0


def find_lawyer(value) -> User | None:
    """The active lawyer whose id is ``value`` (text from a form or URL), else ``None``."""
    ident = parse_id(value)
    if ident is None:
        return None
    user = db.session.get(User, ident)
    return user if user is not None and user.is_lawyer and user.active else None


def lawyers(only_id: int | None = None, with_plan: bool = False) -> list[User]:
    """Active lawyers (or the one with ``only_id``), by id, with their profiles (joined: one query); ``with_plan``:
    only those with any availability."""
    query = select(User).where(User.role == "lawyer", User.active.is_(True)).options(joinedload(User.lawyer_profile))
    if with_plan:
        query = query.where(lawyers_with_plan_clause())
    if only_id is not None:
        query = query.where(User.id == only_id)
    return list(db.session.scalars(query.order_by(User.id)))


def lawyer_names(with_plan: bool = False) -> list[tuple[int, str, str | None]]:
    """(id, name, title code) of the active lawyers by id, in one query (for selects: no profiles loaded)."""
    query = (
        select(User.id, User.name, LawyerProfile.title)
        .outerjoin(LawyerProfile, LawyerProfile.user_id == User.id)
        .where(User.role == "lawyer", User.active.is_(True))
    )
    if with_plan:
        query = query.where(lawyers_with_plan_clause())
    return [(ident, name, title) for ident, name, title in db.session.execute(query.order_by(User.id))]


def window_starts(service: ServiceType, lawyer_id: int, day: date) -> list[datetime]:
    """Starts on ``day`` at which the whole service fits into the lawyer's windows (bookings ignored)."""
    return starts_in(service, day, windows_on(lawyer_id, day))


def starts_in(service: ServiceType, day: date, windows) -> list[datetime]:
    """Starts on ``day`` at which the whole service fits into one of ``windows`` (local wall-clock ranges)."""
    zone = local_zone()
    return [datetime.combine(day, at, tzinfo=zone) for at in start_times(service, windows)]


def start_times(service: ServiceType, windows) -> list[time]:
    """The local wall-clock times at which the whole service fits into one of ``windows`` (any day)."""
    duration = service.duration_minutes
    times: list[time] = []
    for begin, end in windows:
        minutes = begin.hour * 60 + begin.minute
        minutes += -minutes % 30  # round up to the grid
        window_end = end.hour * 60 + end.minute  # a window ending at 17:00:30 still ends a start at 17:00
        while minutes < 24 * 60 and minutes + duration <= window_end:
            times.append(time(minutes // 60, minutes % 60))
            minutes += 30
    return times


def taken_units(lawyer_id: int, day: date, ignore: int | None = None) -> set[datetime]:
    """The lawyer's units held by appointments from ``day`` 00:00 to the next day's end (local).

    ``ignore`` leaves out one appointment's own units (a booking being moved may overlap its old time).
    """
    begin = local_datetime(day, time())
    end = begin + timedelta(days=2)
    query = select(BookingUnit.unit_start).where(
        BookingUnit.lawyer_id == lawyer_id, BookingUnit.unit_start >= begin, BookingUnit.unit_start < end
    )
    if ignore is not None:
        query = query.where(BookingUnit.appointment_id != ignore)
    return set(db.session.scalars(query))


def fits(service: ServiceType, start: datetime, taken: set[datetime]) -> bool:
    """Whether none of the units the service needs from ``start`` is taken."""
    return not any(unit in taken for unit in unit_starts(start, service.duration_minutes))


def weekly_load(day: date) -> dict[int, int]:
    """Appointments per lawyer in the local ISO week containing ``day``."""
    begin, end = week_bounds(day)
    rows = db.session.execute(
        select(Appointment.lawyer_id, func.count())
        .where(
            Appointment.lawyer_id.is_not(None),
            Appointment.start_at >= begin,
            Appointment.start_at < end,
            Appointment.status.in_(ACTIVE_STATUSES),
        )
        .group_by(Appointment.lawyer_id)
    )
    return {lawyer_id: count for lawyer_id, count in rows}


def preference(service: ServiceType, topic: str | None, load: dict[int, int]):
    """Sort key for "any lawyer": matching specialty first, then the fewest appointments that week, then id."""
    wanted = {topic} if topic else set(service.topic_list)

    def key(lawyer: User) -> tuple[int, int, int]:
        profile = lawyer.lawyer_profile
        specialties = set(profile.specialty_list) if profile else set()
        matches = bool(wanted & specialties) if wanted else True
        return (0 if matches else 1, load.get(lawyer.id, 0), lawyer.id)

    return key


def bookable_window(day: date, now: datetime) -> bool:
    """Whether ``day`` lies between today and the horizon."""
    return local_today(now) <= day <= last_bookable_day(now)


def check_day(day: date, now: datetime, field: str = "date") -> None:
    """Refuse (Invalid on ``field``) a day before today or beyond the horizon: the picker's and the booking's rule."""
    if day < local_today(now):
        raise Invalid(_("This day is in the past. Please choose today or a later day."), field)
    if day > last_bookable_day(now):
        raise Invalid(_("Bookings open %(days)d days ahead. Please choose an earlier day.", days=horizon_days()), field)


def chosen_lawyer(value) -> User | None:
    """The lawyer chosen in a form or URL (``None`` for "any lawyer"); Invalid when no active lawyer has that id."""
    if not str(value or "").strip():
        return None
    lawyer = find_lawyer(value)
    if lawyer is None:
        raise Invalid(_("This lawyer doesn't exist. Choose a lawyer from the list."), "lawyer_id")
    return lawyer


@dataclass
class Calendar:
    """The lawyers' weekly plans, date exceptions and held units over a range of days, read in three queries.

    ``windows(lawyer_id, day)`` and ``free_at(...)`` then answer without the database, so a search over many
    lawyers and days costs the same number of queries as one over a single lawyer and day. The held units come as
    one bit mask per lawyer and UTC day (``HeldDay``): a month of a district is a few hundred small rows.
    """

    weekly: dict[tuple[int, int], list] = field(default_factory=dict)
    exceptions: dict[tuple[int, date], list] = field(default_factory=dict)
    held: dict[tuple[int, date], int] = field(default_factory=dict)  # (lawyer, UTC date) → mask of held units

    def windows(self, lawyer_id: int, day: date) -> list:
        """The lawyer's working windows on ``day`` (weekly plan + extra hours − time off)."""
        return combine_windows(
            self.weekly.get((lawyer_id, day.isoweekday()), []), self.exceptions.get((lawyer_id, day), [])
        )

    def free_at(self, service: ServiceType, lawyer_id: int, start: datetime) -> bool:
        """Whether none of the lawyer's units the service needs from ``start`` is held."""
        unit = start.astimezone(UTC)
        for _unit in range(max(1, service.duration_minutes // 30)):
            if self.held.get((lawyer_id, unit.date()), 0) >> (unit.hour * 2 + unit.minute // 30) & 1:
                return False
            unit += UNIT
        return True

    @property
    def people(self) -> set[int]:
        """The lawyers with any weekly plan or exception in the range."""
        return {key[0] for key in self.weekly} | {key[0] for key in self.exceptions}


def _working(column, lawyer: User | None):
    """``column`` (a lawyer id) limited to ``lawyer``, or to the active lawyers."""
    if lawyer is not None:
        return column == lawyer.id
    return column.in_(select(User.id).where(User.role == "lawyer", User.active.is_(True)))


def unit_bit(unit: datetime) -> tuple[date, int]:
    """The UTC date of the unit starting at ``unit`` and its bit in that day's ``HeldDay.mask``."""
    unit = unit.astimezone(UTC) if unit.tzinfo else unit
    return unit.date(), unit.hour * 2 + unit.minute // 30


def held_masks(first: date, last: date, lawyer: User | None = None, ignore: int | None = None):
    """The held units of ``lawyer`` (or of every active lawyer) on the local days ``first`` to ``last``, as
    {(lawyer id, UTC date): mask}; ``ignore`` leaves out one appointment's own units (a booking being moved)."""
    low = local_datetime(first, time()).astimezone(UTC).date()
    high = (local_datetime(last + timedelta(days=1), time()) - timedelta(microseconds=1)).astimezone(UTC).date()
    query = select(HeldDay.lawyer_id, HeldDay.day, HeldDay.mask).where(
        HeldDay.day >= low, HeldDay.day <= high, HeldDay.mask != 0, _working(HeldDay.lawyer_id, lawyer)
    )
    held = {(lawyer_id, day): mask for lawyer_id, day, mask in db.session.execute(query)}
    if ignore is not None:
        own = select(BookingUnit.lawyer_id, BookingUnit.unit_start).where(BookingUnit.appointment_id == ignore)
        for lawyer_id, unit in db.session.execute(own):
            day, bit = unit_bit(unit)
            if (lawyer_id, day) in held:
                held[(lawyer_id, day)] &= ~(1 << bit)
    return held


#: The readings ``calendar`` keeps inside ``one_reading``: [((first, last, key), Calendar)]; None outside it.
_readings: ContextVar[list | None] = ContextVar("calendar_readings", default=None)


@contextmanager
def one_reading() -> Iterator[None]:
    """Within the block, ``calendar`` answers a range it has read already (for the same lawyer or all, the same
    ``ignore``) from that reading: a page that asks for a month and then for one of its days reads once.

    For views that only read (the slot picker and its month): a block that books would see its own earlier reading.
    """
    token = _readings.set([])
    try:
        yield
    finally:
        _readings.reset(token)


def calendar(
    first: date, last: date, lawyer: User | None = None, ignore: int | None = None, units: bool = True
) -> Calendar:
    """The plans, exceptions and (with ``units``) held units from ``first`` to ``last`` of ``lawyer``, or of every
    active lawyer. ``ignore`` leaves out one appointment's own units (a booking being moved may overlap its old
    time). Inside ``one_reading`` a range already read is answered from that reading."""
    readings = _readings.get()
    key = (lawyer.id if lawyer is not None else None, ignore, units)
    for (low, high, known_key), known in readings or ():
        if known_key == key and low <= first and last <= high:
            return known
    result = _read_calendar(first, last, lawyer, ignore, units)
    if readings is not None:
        readings.append(((first, last, key), result))
    return result


def _read_calendar(first: date, last: date, lawyer: User | None, ignore: int | None, units: bool) -> Calendar:
    """``calendar``'s three queries."""
    plans = select(
        AvailabilityRule.lawyer_id, AvailabilityRule.weekday, AvailabilityRule.start_time, AvailabilityRule.end_time
    ).where(_working(AvailabilityRule.lawyer_id, lawyer))
    exceptions = select(AvailabilityException).where(
        AvailabilityException.day >= first,
        AvailabilityException.day <= last,
        _working(AvailabilityException.lawyer_id, lawyer),
    )
    result = Calendar()
    for lawyer_id, weekday, start, end in db.session.execute(plans):
        result.weekly.setdefault((lawyer_id, weekday), []).append((start, end))
    for exception in db.session.scalars(exceptions):
        result.exceptions.setdefault((exception.lawyer_id, exception.day), []).append(exception)
    if units:
        result.held = held_masks(first, last, lawyer, ignore)
    return result


def free_slots(
    service: ServiceType,
    day: date,
    lawyer: User | None = None,
    now: datetime | None = None,
    topic: str | None = None,
    ignore: int | None = None,
) -> list[Slot]:
    """The free starts of ``service`` on the local date ``day``, each with the lawyer who would take it.

    With ``lawyer`` only that lawyer's; without, one slot per start time, given to the lawyer "any lawyer"
    would assign (see ``preference``). Empty for days in the past or beyond the booking horizon.
    ``ignore`` treats one appointment's time as free (the booking being rescheduled). A constant number of
    queries, whatever the number of lawyers (see ``calendar``).
    """
    now = now or utcnow()
    if not bookable_window(day, now):
        return []
    earliest = now + lead_time()
    candidates = [lawyer] if lawyer is not None else lawyers()
    known = calendar(day, day, lawyer, ignore)
    by_start: dict[datetime, list[User]] = {}
    for person in candidates:
        for start in starts_in(service, day, known.windows(person.id, day)):
            if start >= earliest and known.free_at(service, person.id, start):
                by_start.setdefault(start, []).append(person)
    if not by_start:
        return []
    key = preference(service, topic, weekly_load(day))
    return [Slot(start, min(people, key=key)) for start, people in sorted(by_start.items())]


def next_free_day(
    service: ServiceType, day: date, lawyer: User | None = None, now: datetime | None = None, within: int = 21
) -> date | None:
    """The first day after ``day`` (up to ``within`` days later, never beyond the horizon) with a free slot."""
    found = free_days(service, day + timedelta(days=1), day + timedelta(days=within), lawyer, now=now)
    return min(found, default=None)


def free_days(
    service: ServiceType,
    first: date,
    last: date,
    lawyer: User | None = None,
    now: datetime | None = None,
    ignore: int | None = None,
) -> set[date]:
    """The local dates from ``first`` to ``last`` on which ``service`` has a free start (with ``lawyer``, or any).

    The month picker's question, under the same rules as ``free_slots``, in the same few queries whatever the number
    of days, lawyers or bookings (see ``calendar``): a day is free as soon as one lawyer has one start there.
    """
    now = now or utcnow()
    first, last = max(first, local_today(now)), min(last, last_bookable_day(now))
    if first > last:
        return set()
    known = calendar(first, last, lawyer, ignore)
    zone, earliest = local_zone(), now + lead_time()
    every_start_open = local_today(earliest) + timedelta(days=1)  # from this day on, no start is too soon
    by_weekday: dict[tuple[int, int], list[time]] = {}

    def starts(person: int, day: date) -> list[time]:
        """The person's start times on ``day`` that are late enough (weekly plans worked out once per weekday)."""
        key = (person, day.isoweekday())
        if (person, day) in known.exceptions:
            times = start_times(service, known.windows(person, day))
        elif key in by_weekday:
            times = by_weekday[key]
        else:
            times = by_weekday[key] = start_times(service, known.windows(person, day))
        if day >= every_start_open:
            return times
        return [at for at in times if datetime.combine(day, at, tzinfo=zone) >= earliest]

    people = sorted(known.people)
    free: set[date] = set()
    day = first
    while day <= last:
        if any(
            known.free_at(service, person, datetime.combine(day, at, tzinfo=zone))
            for person in people
            for at in starts(person, day)
        ):
            free.add(day)
        day += timedelta(days=1)
    return free
