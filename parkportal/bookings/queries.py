"""The lists of bookings: what each page shows, as queries over the session (views only render them).

Each function takes the user it answers for explicitly and reads the request nowhere; user input (ids, dates, page
numbers) arrives as text and is parsed here with ``core.parsing``, so a bad value is refused in one place.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import Row, Select, and_, func, or_, select, union_all
from sqlalchemy.orm import selectinload

from ..core import paging
from ..core.errors import Invalid
from ..core.paging import Window
from ..core.parsing import MAX_YEAR, MIN_YEAR, date_range, next_day, parse_id, parse_page
from ..core.search import contains
from ..extensions import db
from ..models import Appointment, AvailabilityRule, Enterprise, Feedback, ServiceType, User
from ..timeutil import local_datetime, local_today, to_local, utcnow
from .vocab import APPOINTMENT_STATUSES, OPEN_STATUSES, Status

#: What a booking card (``bookings/_cards.html``) shows besides the appointment: loaded with the list, not per row.
CARD_OPTIONS = (
    selectinload(Appointment.service_type),
    selectinload(Appointment.lawyer),
    selectinload(Appointment.enterprise),
)

#: The keys of the staff list's filters (the public contract's query parameters).
FILTER_KEYS = ("status", "lawyer", "service", "enterprise", "enterprise_q", "from", "to")

#: How many enterprises a search box offers at once.
ENTERPRISE_MATCHES = 12

#: Up to this many enterprises matching the staff list's search are looked up by id; more, and the list is read
#: newest first, skipping the bookings of enterprises that don't match (cheaper when most of them do).
FEW_ENTERPRISES = 200

#: Every day a filter can name: no bound at all.
ALL_DAYS = (date(MIN_YEAR, 1, 1), date(MAX_YEAR, 12, 31))


#: No service lasts longer: lets "ends in the future" be asked through the start time's index.
LONGEST_SERVICE = timedelta(days=1)

#: The staff list counts its matches up to here ("1,000+ bookings"): a full count of a district's bookings would
#: cost more than the page.
COUNT_LIMIT = 1000


#: What a booking card (``bookings/_cards.html``) shows, read as plain rows: a list page renders dozens, and loading
#: them as appointments with their service, enterprise and lawyer cost more than the rest of the page.
CARD_COLUMNS = (
    Appointment.id,
    Appointment.start_at,
    Appointment.end_at,
    Appointment.topic,
    Appointment.mode,
    Appointment.status,
    ServiceType.code.label("service_code"),
    Enterprise.name.label("enterprise_name"),
    User.name.label("lawyer_name"),
)


def cards(query: Select, rated: bool = False) -> Select:
    """``query`` (of appointments) as the rows a booking card shows (``rated``: with the enterprise's ``rating``)."""
    rows = (
        query.with_only_columns(*CARD_COLUMNS)
        .join_from(Appointment, ServiceType, ServiceType.id == Appointment.service_type_id)
        .join_from(Appointment, Enterprise, Enterprise.id == Appointment.enterprise_id)
        .outerjoin_from(Appointment, User, User.id == Appointment.lawyer_id)
    )
    if rated:
        rows = rows.add_columns(Feedback.rating).outerjoin_from(
            Appointment, Feedback, Feedback.appointment_id == Appointment.id
        )
    return rows


def card_window(
    query: Select, order, page: object, per_page: int, limit: int | None = None, rated: bool = False
) -> Window:
    """The page ``page`` of ``query`` in ``order`` as card rows (the page's ids found first, so the rows skipped
    before it cost no joins); with ``limit``, ``query`` counted up to it."""
    number = parse_page(page)
    ids = query.with_only_columns(Appointment.id).order_by(order).limit(per_page + 1).offset((number - 1) * per_page)
    chosen = select(Appointment).where(Appointment.id.in_(ids.scalar_subquery()))
    rows = db.session.execute(cards(chosen, rated).order_by(order)).all()
    found = Window(items=rows[:per_page], page=number, per_page=per_page, has_next=len(rows) > per_page)
    if limit is not None:
        _count_up_to(found, query, limit)
    return found


def window(query: Select, page: object, per_page: int, limit: int | None = None, options=CARD_OPTIONS) -> Window:
    """The page ``page`` (text; 1 when unreadable) of the ordered ``query`` of appointments, loaded with
    ``options``; with ``limit``, counted up to it (``core.paging``)."""
    return paging.look_ahead(query.options(*options), parse_page(page), per_page, count_up_to=limit)


def _day_start(day: date) -> datetime:
    """Local midnight at the start of ``day``."""
    return local_datetime(day, datetime.min.time())


# ---------------------------------------------------------------------------------------------- catalogue


def services() -> list[ServiceType]:
    """The active services in catalogue order."""
    return list(
        db.session.scalars(select(ServiceType).where(ServiceType.active.is_(True)).order_by(ServiceType.sort_order))
    )


def active_service(code: str | None) -> ServiceType | None:
    """The active service with ``code``, else ``None``."""
    if not code:
        return None
    return db.session.scalar(select(ServiceType).where(ServiceType.code == code, ServiceType.active.is_(True)))


def find_enterprises(text: str | None, verified_only: bool = True) -> list[Enterprise]:
    """The first enterprises (by name) whose name or credit code holds ``text`` (staff book for them, or filter)."""
    text = (text or "").strip()
    if not text:
        return []
    query = select(Enterprise).where(contains(text, Enterprise.name, Enterprise.uscc))
    if verified_only:
        query = query.where(Enterprise.status == "verified")
    return list(db.session.scalars(query.order_by(Enterprise.name).limit(ENTERPRISE_MATCHES)))


def enterprise_named(value: object) -> Enterprise | None:
    """The enterprise with the id ``value`` (text), else ``None`` (to show the one chosen)."""
    ident = parse_id(value)
    return db.session.get(Enterprise, ident) if ident is not None else None


# ------------------------------------------------------------------------------------------------ my bookings


@dataclass
class MyBookings:
    """An enterprise's or a lawyer's bookings: a page of the open ones ahead, and a page of the past and closed ones."""

    upcoming: Window
    past: Window


#: Bookings a list page shows at once.
PER_PAGE = 20


def my_bookings(user: User, page: object = None, ahead: object = None, now: datetime | None = None) -> MyBookings:
    """The bookings ``user`` may see: the open ones ahead soonest first (page ``ahead``), the rest newest first
    (page ``page``), 20 a page each. An enterprise's past ones are counted up to ``COUNT_LIMIT`` ("page 2 of 3"); a
    lawyer's are not — thousands over the years, a count that would cost more than the page to say "of 500"."""
    now = now or utcnow()
    coming = and_(
        Appointment.status.in_(OPEN_STATUSES),
        Appointment.end_at >= now,
        Appointment.start_at > now - LONGEST_SERVICE,  # the same rows, found through the start time's index
    )
    ended = or_(Appointment.status.not_in(OPEN_STATUSES), Appointment.end_at < now)
    soonest, newest = Appointment.start_at, Appointment.start_at.desc()
    if not user.is_lawyer:
        base = select(Appointment).where(Appointment.visible_to(user))
        return MyBookings(
            upcoming=card_window(base.where(coming), soonest, ahead, PER_PAGE),
            past=card_window(base.where(ended), newest, page, PER_PAGE, limit=COUNT_LIMIT),
        )
    # a lawyer's: their own and unassigned requests, an OR that would sort all of a busy lawyer's bookings
    past = card_window(_lawyers(user, ended, newest, parse_page(page)), newest, page, PER_PAGE)
    upcoming = card_window(_lawyers(user, coming, soonest, parse_page(ahead)), soonest, ahead, PER_PAGE)
    return MyBookings(upcoming=upcoming, past=past)


def _lawyers(lawyer: User, condition, order, page: int) -> Select:
    """The bookings meeting ``condition`` that ``lawyer`` sees, in ``order`` up to page ``page``: the first ids of
    their own and of the unassigned requests, each read through its own index, then merged."""
    enough = page * PER_PAGE + 1
    own = select(Appointment.id).where(Appointment.lawyer_id == lawyer.id, condition)
    unassigned = select(Appointment.id).where(
        Appointment.lawyer_id.is_(None), Appointment.status == Status.REQUESTED, condition
    )
    first = [part.order_by(order).limit(enough).subquery().select() for part in (own, unassigned)]
    return select(Appointment).where(Appointment.id.in_(union_all(*first)))


def _count_up_to(page: Window, query: Select, limit: int) -> None:
    """Count the rows of ``query`` into ``page``, stopping after ``limit`` + 1 (unordered: no sort to count)."""
    counted = query.with_only_columns(Appointment.id).order_by(None).limit(limit + 1).subquery()
    total = db.session.scalar(select(func.count()).select_from(counted))
    page.limit, page.total = limit, (total if total <= limit else None)


# ----------------------------------------------------------------------------------------------------- agenda


#: The agenda counts the open requests up to here ("100+").
REQUESTS_LIMIT = 100

#: The agenda's requests to answer and appointments awaiting an outcome show this many (the rest: my bookings).
AGENDA_ROWS = 10


@dataclass
class Agenda:
    """A lawyer's working view: the coming week by day, requests to answer, appointments awaiting an outcome."""

    today: date
    days: dict[date, list[Row]] = field(default_factory=dict)
    requests: Window | None = None  # the soonest ``AGENDA_ROWS``, counted up to ``REQUESTS_LIMIT``
    outcome: Window | None = None  # the oldest ``AGENDA_ROWS``
    has_plan: bool = False

    @property
    def today_items(self) -> list[Row]:
        """Today's appointments."""
        return self.days.get(self.today, [])

    @property
    def later_days(self) -> dict[date, list[Row]]:
        """The following days' appointments by day (today's are shown on their own)."""
        return {day: items for day, items in self.days.items() if day != self.today}


def agenda(lawyer: User, now: datetime | None = None) -> Agenda:
    """The lawyer's today and next seven days (so that on a Sunday it shows Monday), open requests (their own and
    unassigned ones) and their confirmed appointments that have started but have no outcome yet."""
    now = now or utcnow()
    today = local_today(now)
    mine = select(Appointment).where(Appointment.lawyer_id == lawyer.id)
    week = db.session.execute(
        cards(mine)
        .where(
            Appointment.start_at >= _day_start(today),
            Appointment.start_at < _day_start(today + timedelta(days=7)),
            Appointment.status.in_((Status.REQUESTED, Status.CONFIRMED, Status.COMPLETED, Status.NO_SHOW)),
        )
        .order_by(Appointment.start_at)
    )
    result = Agenda(today=today)
    for item in week:
        result.days.setdefault(to_local(item.start_at).date(), []).append(item)
    requests = select(Appointment).where(
        Appointment.status == Status.REQUESTED,
        Appointment.start_at > now,
        (Appointment.lawyer_id == lawyer.id) | Appointment.lawyer_id.is_(None),
    )
    result.requests = card_window(requests, Appointment.start_at, 1, AGENDA_ROWS, limit=REQUESTS_LIMIT)
    started = select(Appointment).where(
        Appointment.lawyer_id == lawyer.id, Appointment.status == Status.CONFIRMED, Appointment.start_at <= now
    )
    result.outcome = card_window(started, Appointment.start_at, 1, AGENDA_ROWS)
    plan = select(AvailabilityRule.id).where(AvailabilityRule.lawyer_id == lawyer.id).limit(1)
    result.has_plan = db.session.scalar(plan) is not None
    return result


# ------------------------------------------------------------------------------------------------ staff list


def _filtered(query: Select, filters: dict[str, str]) -> Select:
    """``query`` narrowed by the status, lawyer, service and enterprise filters (unknown values are ignored)."""
    if filters["status"] in APPOINTMENT_STATUSES:
        query = query.where(Appointment.status == filters["status"])
    if (lawyer_id := parse_id(filters["lawyer"])) is not None:
        query = query.where(Appointment.lawyer_id == lawyer_id)
    if filters["service"]:
        chosen = select(ServiceType.id).where(ServiceType.code == filters["service"]).scalar_subquery()
        query = query.where(Appointment.service_type_id == chosen)
    if (enterprise_id := parse_id(filters["enterprise"])) is not None:
        query = query.where(Appointment.enterprise_id == enterprise_id)
    if filters["enterprise_q"].strip():
        matching = select(Enterprise.id).where(
            contains(filters["enterprise_q"].strip(), Enterprise.name, Enterprise.uscc)
        )
        few = list(db.session.scalars(matching.order_by(Enterprise.id).limit(FEW_ENTERPRISES + 1)))
        if len(few) <= FEW_ENTERPRISES:  # a name: their bookings through the enterprise index
            query = query.where(Appointment.enterprise_id.in_(few))
        else:  # a common word ("常州"): newest first through the time index, skipping the few that don't match
            query = query.where((Appointment.enterprise_id + 0).in_(matching))  # "+ 0": not the enterprise index
    return query


@dataclass
class StaffList:
    """A page of the staff list, the filters as given (for the form) and the refusal of unreadable dates, if any."""

    page: Window
    filters: dict[str, str]
    problem: Invalid | None = None


def staff_list(args: Mapping[str, str], page: object = None) -> StaffList:
    """Every booking matching the filters in ``args`` (see ``FILTER_KEYS``), newest first, 30 a page, counted up to
    ``COUNT_LIMIT``.

    Dates that can't be read (or a ``to`` before ``from``) are the ``problem``; the list then ignores the dates.
    """
    filters = {key: str(args.get(key) or "") for key in FILTER_KEYS}
    query = _filtered(select(Appointment), filters)
    problem = None
    try:
        first, last = date_range(filters["from"], filters["to"], ALL_DAYS)
    except Invalid as error:
        problem = error
    else:
        query = query.where(
            Appointment.start_at >= _day_start(first), Appointment.start_at < _day_start(next_day(last))
        )
    result = card_window(query, Appointment.start_at.desc(), page, 30, limit=COUNT_LIMIT, rated=True)
    return StaffList(result, filters, problem)


# ------------------------------------------------------------------------------------------------------- feed


def lawyer_feed(lawyer_id: int, now: datetime | None = None) -> list[Appointment]:
    """The appointments a lawyer's calendar feed carries: requested, confirmed and completed, from 30 days ago on."""
    since = (now or utcnow()) - timedelta(days=30)
    return list(
        db.session.scalars(
            select(Appointment)
            .options(*CARD_OPTIONS)
            .where(
                Appointment.lawyer_id == lawyer_id,
                Appointment.start_at >= since,
                Appointment.status.in_((Status.REQUESTED, Status.CONFIRMED, Status.COMPLETED)),
            )
            .order_by(Appointment.start_at)
        )
    )
