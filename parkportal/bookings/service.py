"""Booking and the life of an appointment: plain functions over the session that flush and never commit.

States: requested → confirmed → completed | no_show; requested|confirmed → cancelled (by the enterprise
before the cut-off, or staff) | declined (requested only, by the lawyer, with a reason). Rescheduling moves
the same booking (it keeps its id; ``AppointmentMove`` rows are its history, ``sequence`` its calendar
SEQUENCE): the enterprise moves its own before the cut-off; a lawyer gives a reason and the moved booking waits
for the enterprise's agreement (``awaiting_enterprise``: accept, or cancel).

Double booking is impossible because every appointment that holds a lawyer's time owns ``BookingUnit`` rows
whose primary key is (lawyer, unit start), inserted inside a SAVEPOINT: a concurrent winner makes the insert
fail and the loser gets ``SlotTaken`` — no check-then-insert race.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import partial

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, exists, select

from ..availability import slots as slot_rules
from ..core import access, audit, locking, vocab
from ..core.errors import Conflict, Invalid, NotAllowed, WrongState
from ..core.notify import notify, queue_email
from ..core.parsing import parse_date, parse_id, parse_month
from ..extensions import db
from ..i18n import format_list
from ..models import Appointment, AppointmentMove, BookingUnit, Enterprise, Feedback, ServiceType, User
from ..timeutil import local_today, local_zone, parse_local_iso, to_local, utcnow
from . import meeting, queries
from . import vocab as booking_vocab
from .vocab import OPEN_STATUSES, Status


class SlotTaken(Conflict):
    """Someone else holds (part of) that time: the lawyer can't be booked twice."""

    def __init__(self, message: str | None = None, field: str | None = "start"):
        super().__init__(
            message or _("Sorry, this time was just taken by someone else. Please choose another free time."), field
        )


def _no_service() -> Invalid:
    """The refusal of a missing or unknown service (the picker's and the booking's)."""
    return Invalid(_("Choose a service from the list."), "service")


def modes_hint(service: ServiceType) -> str:
    """How ``service`` can be held, as a sentence: "Consultation can be booked as: On site, Video call, or Phone."."""
    return _(
        "%(service)s can be booked as: %(modes)s.",
        service=vocab.label(booking_vocab.SERVICE_TYPES, service.code),
        modes=format_list(vocab.labels(booking_vocab.MODES, service.mode_list), style="or"),
    )


# ---------------------------------------------------------------------------------------------------- access


#: action → roles that may do it (on an appointment they can see).
ROLE_ACTIONS = {
    "cancel": ("enterprise", "staff"),
    "confirm": ("lawyer", "staff"),
    "decline": ("lawyer", "staff"),
    "complete": ("lawyer", "staff"),
    "no_show": ("lawyer", "staff"),
    "reschedule": ("enterprise", "lawyer", "staff"),
    "accept": ("enterprise",),
    "add_summary": ("lawyer", "staff"),
    "rate": ("enterprise",),
}

#: action → the states it starts from.
FROM_STATES = {
    "cancel": OPEN_STATUSES,
    "confirm": (Status.REQUESTED,),
    "decline": (Status.REQUESTED,),
    "complete": (Status.CONFIRMED,),
    "no_show": (Status.CONFIRMED,),
    "reschedule": OPEN_STATUSES,
    "accept": (Status.REQUESTED,),
    "add_summary": (Status.COMPLETED,),
    "rate": (Status.COMPLETED,),
}

#: How long after rating the enterprise may change its rating.
RATING_CHANGE_DAYS = 7


#: action → why it can't be done once the appointment has started (the others only once it has, see AFTER_START).
BEFORE_START = {
    "confirm": _l("The time of this request has passed. Decline it or agree a new time."),
    "cancel": _l("This booking has started already and can't be cancelled."),
    "reschedule": _l("This booking has started already and can't be moved."),
    "accept": _l("The proposed time has passed. Please book a new time."),
}
#: action → why it can't be done before the appointment has started.
AFTER_START = {
    "complete": _l("An appointment can be completed once it has started."),
    "no_show": _l("A no-show can be recorded once the appointment has started."),
}


def may(user: User, action: str, appointment: Appointment) -> bool:
    """Whether ``user``'s role allows ``action`` on this appointment (one they can see), whatever its state."""
    if user.role not in ROLE_ACTIONS[action]:
        return False
    if user.is_lawyer and action not in ("confirm", "decline"):
        return appointment.lawyer_id == user.id  # unassigned requests can only be taken or declined
    return True


def available_actions(user: User, appointment: Appointment, now: datetime | None = None) -> set[str]:
    """The actions the page should offer this user now (role and state both allow them)."""
    now = now or utcnow()
    actions = {
        action
        for action in ROLE_ACTIONS
        if may(user, action, appointment) and appointment.status in FROM_STATES[action]
    }
    actions -= set(BEFORE_START if appointment.start_at <= now else AFTER_START)
    actions = {action for action in actions if _waiting_allows(action, appointment)}
    if user.is_enterprise and not appointment.awaiting_enterprise and not before_cutoff(appointment, now):
        actions -= {"cancel", "reschedule"}
    if not may_rate(appointment, now):
        actions.discard("rate")
    return actions


def _waiting_allows(action: str, appointment: Appointment) -> bool:
    """A lawyer's move waiting for the enterprise can be accepted (not confirmed); nothing else can be accepted."""
    if action == "accept":
        return appointment.awaiting_enterprise
    if action == "confirm":
        return not appointment.awaiting_enterprise
    return True


def may_rate(appointment: Appointment, now: datetime | None = None) -> bool:
    """Whether the rating can be given (none yet) or still changed (within ``RATING_CHANGE_DAYS`` of rating)."""
    feedback = appointment.feedback
    return feedback is None or (now or utcnow()) <= feedback.created_at + timedelta(days=RATING_CHANGE_DAYS)


def _check(user: User, action: str, appointment: Appointment, now: datetime | None = None) -> None:
    """Lock the appointment, then refuse (NotAllowed / WrongState) what ``user`` may not do to it now: their role,
    its state, and whether it has started (``BEFORE_START`` / ``AFTER_START``).

    The lock makes two changes to one booking (a cancel and a confirm, two lawyers taking one request) run one
    after the other, and the second sees the first's result; visibility is asked again after it.
    """
    locking.lock(appointment)
    if action == "confirm" and user.is_lawyer and appointment.lawyer_id not in (None, user.id):
        raise Conflict(_("Another lawyer has just taken this request."))
    if not access.can_see(appointment, user) or not may(user, action, appointment):
        raise NotAllowed(_("Your account is not allowed to do this."))
    if appointment.status not in FROM_STATES[action]:
        raise WrongState(
            _(
                "This booking is %(status)s, so this can't be done any more.",
                status=vocab.label(booking_vocab.APPOINTMENT_STATUSES, appointment.status),
            )
        )
    if not _waiting_allows(action, appointment):
        if action == "confirm":
            raise WrongState(_("This new time waits for the enterprise's agreement."))
        raise WrongState(_("There is no new time waiting for your agreement."))
    started = appointment.start_at <= (now or utcnow())
    if action in (BEFORE_START if started else AFTER_START):
        raise WrongState((BEFORE_START if started else AFTER_START)[action])


# ------------------------------------------------------------------------------------------------ booking


def cutoff() -> timedelta:
    """How long before its start an enterprise can still cancel (``CANCELLATION_CUTOFF_HOURS``)."""
    return timedelta(hours=float(current_app.config["CANCELLATION_CUTOFF_HOURS"]))


def before_cutoff(appointment: Appointment, now: datetime | None = None) -> bool:
    """Whether the enterprise may still cancel online."""
    return (now or utcnow()) <= appointment.start_at - cutoff()


def check_start(service: ServiceType, start: datetime, now: datetime) -> None:
    """The time rules every new start obeys: the grid, not in the past, the lead time, the horizon."""
    if not slot_rules.on_grid(start):
        raise Invalid(_("Choose one of the offered times (they start on the hour or half hour)."), "start")
    if start < now:
        raise Invalid(_("This time is in the past. Please choose a time from the list."), "start")
    if start < now + slot_rules.lead_time():
        hours = current_app.config["BOOKING_LEAD_TIME_HOURS"]
        raise Invalid(
            _("Bookings must be made at least %(hours)s hours ahead. Please choose a later time.", hours=f"{hours:g}"),
            "start",
        )
    slot_rules.check_day(to_local(start).date(), now, "start")


def awaiting_verification(enterprise: Enterprise) -> str:
    """Why an enterprise can't book yet."""
    return _("Booking opens once the park service station has verified %(name)s.", name=enterprise.name)


def enterprise_for(actor: User, chosen: object = None) -> Enterprise | None:
    """The enterprise a booking is for: staff choose one (by id), an enterprise user books for their own."""
    if actor.is_staff:
        ident = parse_id(chosen)
        return db.session.get(Enterprise, ident) if ident is not None else None
    return actor.enterprise if actor.is_enterprise else None


@dataclass
class Picker:
    """What the slot picker shows: the free starts of a service on a day, or why there are none (``slot_error``).

    The names are the picker template's.
    """

    slot_service: ServiceType | None = None
    slot_day: date | None = None
    slots: list[slot_rules.Slot] = field(default_factory=list)
    slot_error: str | None = None
    next_free_day: date | None = None
    mode_hint: str | None = None
    cutoff_at: datetime | None = None  # slots before it can't be cancelled online
    lawyer_changed: str | None = None  # said when the kept lawyer is no longer free at the chosen time


def _kept_lawyer(slots: list[slot_rules.Slot], keep, service: ServiceType, day: date, now: datetime):
    """Keep the lawyer the picker showed at the chosen start (``keep`` = (start text, lawyer id text)).

    Returns the slots with that start given to that lawyer when still free, and a message when it isn't.
    """
    start_text, lawyer_text = keep or (None, None)
    person = slot_rules.find_lawyer(lawyer_text)
    if not start_text or person is None:
        return slots, None
    try:
        start = parse_local_iso(start_text)
    except ValueError:
        return slots, None
    free = start in slot_rules.window_starts(service, person.id, day) and slot_rules.fits(
        service, start, slot_rules.taken_units(person.id, day)
    )
    result = []
    for slot in slots:
        if slot.start == start and slot.lawyer.id != person.id:
            if free:
                slot = slot_rules.Slot(start, person)
            else:
                message = _(
                    "%(old)s is no longer free at %(time)s; %(new)s would take it.",
                    old=person.name,
                    time=to_local(start).strftime("%H:%M"),
                    new=slot.lawyer.name,
                )
                return slots, message
        result.append(slot)
    return result, None


@dataclass
class MonthView:
    """The month picker: which days of ``first``'s month have free time for the service (and lawyer)."""

    first: date | None = None
    free: set[date] = field(default_factory=set)
    chosen: date | None = None
    today: date | None = None
    last_day: date | None = None
    service_code: str | None = None
    error: str | None = None

    @property
    def weeks(self) -> list[list[date | None]]:
        """The month's days in rows Monday…Sunday (``None`` pads the first and last week)."""
        if self.first is None:
            return []
        days = [None] * (self.first.isoweekday() - 1)
        day = self.first
        while day.month == self.first.month:
            days.append(day)
            day += timedelta(days=1)
        days += [None] * (-len(days) % 7)
        return [days[i : i + 7] for i in range(0, len(days), 7)]

    @property
    def previous(self) -> date | None:
        """The first of the previous month, if any of it can be booked."""
        if self.first is None or self.today is None or self.first <= self.today.replace(day=1):
            return None
        return (self.first - timedelta(days=1)).replace(day=1)

    @property
    def next(self) -> date | None:
        """The first of the next month, if any of it lies within the horizon."""
        if self.first is None or self.last_day is None:
            return None
        following = (self.first + timedelta(days=32)).replace(day=1)
        return following if following <= self.last_day else None


def month_view(
    service_code: str | None,
    day_text: str | None,
    lawyer_text: str | None = None,
    month_text: str | None = None,
    ignore: Appointment | None = None,
    now: datetime | None = None,
) -> MonthView:
    """The month picker for ``service_code``: the month ``month_text`` (YYYY-MM), else the chosen day's, else now."""
    now = now or utcnow()
    view = MonthView(today=local_today(now), last_day=slot_rules.last_bookable_day(now), service_code=service_code)
    svc = queries.active_service(service_code)
    if svc is None:
        return view
    view.chosen = parse_date(day_text) if day_text else None
    first = parse_month(month_text) if month_text else None
    if month_text and first is None:
        view.error = _("Enter the month as YYYY-MM, e.g. 2026-12.")
    first = first or (view.chosen or view.today).replace(day=1)
    first = min(max(first, view.today.replace(day=1)), view.last_day.replace(day=1))
    view.first = first
    try:
        lawyer = slot_rules.chosen_lawyer(lawyer_text)
    except Invalid as error:
        view.error = error.message
        return view
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    moving = ignore.id if ignore is not None and lawyer is not None and ignore.lawyer_id == lawyer.id else None
    view.free = slot_rules.free_days(svc, first, last, lawyer, now=now, ignore=moving)
    return view


def reminder_ahead(appointment: Appointment, now: datetime | None = None) -> bool:
    """Whether a reminder the day before can still come: the booking is for a later day than today."""
    return to_local(appointment.start_at).date() > local_today(now)


def pick_slots(
    service_code: str | None,
    day_text: str | None,
    lawyer_text: str | None = None,
    topic: str | None = None,
    ignore: Appointment | None = None,
    now: datetime | None = None,
    keep: tuple[str | None, str | None] | None = None,
) -> Picker:
    """The free starts for the picker, under the same rules (and messages) as ``book`` and ``reschedule``.

    ``ignore``: the booking being moved (its own time counts as free, its current start is not offered).
    ``keep``: (chosen start, the lawyer shown at it): for "any lawyer", that lawyer stays under the chosen time.
    """
    now = now or utcnow()
    picker = Picker(cutoff_at=now + cutoff())
    if not service_code and not day_text:
        return picker
    try:
        picker.slot_service = svc = queries.active_service(service_code)
        if svc is None:
            raise _no_service()
        picker.mode_hint = modes_hint(svc)
        if not day_text:
            return picker
        picker.slot_day = day = parse_date(day_text)
        if day is None:
            raise Invalid(_("Enter the day as a date, e.g. 2026-12-01."), "date")
        lawyer = slot_rules.chosen_lawyer(lawyer_text)
        slot_rules.check_day(day, now)
    except Invalid as error:
        picker.slot_error = error.message
        return picker
    moving = ignore is not None and ignore.lawyer_id == (lawyer.id if lawyer else None)
    slots = slot_rules.free_slots(svc, day, lawyer, now=now, topic=topic or None, ignore=ignore.id if moving else None)
    picker.slots = [s for s in slots if ignore is None or s.start != ignore.start_at]
    if lawyer is None and keep:
        picker.slots, picker.lawyer_changed = _kept_lawyer(picker.slots, keep, svc, day, now)
    if not picker.slots:
        picker.next_free_day = slot_rules.next_free_day(svc, day, lawyer, now=now)
    return picker


def _outside_availability() -> Invalid:
    """The error for a start at which no (chosen) lawyer works."""
    return Invalid(_("No lawyer works at this time. Please choose one of the offered times."), "start")


def _reserve(appointment: Appointment) -> None:
    """Insert the appointment's units (inside ``insert_or_lose``: a unit held already means the time is taken)."""
    for unit in slot_rules.unit_starts(appointment.start_at, appointment.service_type.duration_minutes):
        db.session.add(BookingUnit(lawyer_id=appointment.lawyer_id, unit_start=unit, appointment_id=appointment.id))
    db.session.flush()


def _release(appointment: Appointment) -> None:
    """Free the appointment's time (cancelled and declined appointments don't hold any)."""
    db.session.execute(delete(BookingUnit).where(BookingUnit.appointment_id == appointment.id))


def _columns(
    enterprise_id: int, service: ServiceType, start: datetime, mode: str, topic: str, description: str, status: str
) -> dict:
    """The columns of a new appointment of ``service`` from ``start`` (its end follows from the service's length)."""
    return {
        "enterprise_id": enterprise_id,
        "service_type": service,
        "start_at": start,
        "end_at": start + timedelta(minutes=service.duration_minutes),
        "mode": mode,
        "topic": topic,
        "description": description,
        "status": status,
    }


def _insert(values: dict, candidates: list[User]) -> Appointment:
    """Create the appointment with the first candidate whose units can be reserved; else SlotTaken."""
    for lawyer in candidates:
        appointment = Appointment(lawyer_id=lawyer.id, **values)
        try:
            with locking.insert_or_lose(SlotTaken()):
                db.session.add(appointment)
                db.session.flush()
                _reserve(appointment)
        except SlotTaken:
            continue
        return appointment
    raise SlotTaken()


def book(
    *,
    enterprise: Enterprise | None,
    service: ServiceType | None,
    start: datetime,
    mode: str,
    topic: str,
    description: str = "",
    lawyer: User | None = None,
    actor: User | None = None,
    keep: User | None = None,
    now: datetime | None = None,
) -> Appointment:
    """Book ``service`` at ``start`` for ``enterprise`` with ``lawyer`` (``None``: any suitable lawyer).

    Services that need the lawyer's confirmation start ``requested``, the others ``confirmed``; both hold the
    lawyer's time at once. ``keep``: for "any lawyer", the lawyer the picker showed at this start, who gets the
    booking if still free (choosing the topic afterwards doesn't change the lawyer under the chosen time).
    Raises Invalid (nothing changed) or SlotTaken.
    """
    now = now or utcnow()
    if enterprise is None:
        raise Invalid(_("Choose the enterprise you book for."), "enterprise_id")
    if not enterprise.is_verified:
        raise Invalid(awaiting_verification(enterprise))
    if service is None or not service.active:
        raise _no_service()
    if topic not in vocab.TOPICS:
        raise Invalid(_("Choose the legal topic of your question."), "topic")
    if mode not in service.mode_list:
        raise Invalid(modes_hint(service), "mode")
    if lawyer is not None and (not lawyer.is_lawyer or not lawyer.active):
        raise Invalid(_("Choose a lawyer from the list."), "lawyer_id")
    start = start.astimezone(local_zone())
    check_start(service, start, now)

    day = start.date()
    candidates = [lawyer] if lawyer is not None else slot_rules.lawyers()
    known = slot_rules.calendar(day, day, lawyer)
    working = [p for p in candidates if start in slot_rules.starts_in(service, day, known.windows(p.id, day))]
    if not working:
        raise _outside_availability()
    free = [p for p in working if known.free_at(service, p.id, start)]
    if not free:
        raise SlotTaken()
    free.sort(key=slot_rules.preference(service, topic, slot_rules.weekly_load(day)))
    if keep is not None and lawyer is None:
        free.sort(key=lambda person: person.id != keep.id)
    status = Status.REQUESTED if service.requires_confirmation else Status.CONFIRMED
    values = _columns(enterprise.id, service, start, mode, topic, (description or "").strip(), status)
    confirmed_at = now if status == Status.CONFIRMED else None
    appointment = _insert({**values, "created_by": actor, "confirmed_at": confirmed_at, "created_at": now}, free)
    audit.record(
        "booking.created",
        appointment,
        actor=actor,
        status=status,
        service=service.code,
        start=start.isoformat(),
        lawyer_id=appointment.lawyer_id,
        on_behalf=bool(actor and actor.is_staff),
    )
    _announce(appointment, actor, "created")
    return appointment


def record_past(
    *,
    enterprise: Enterprise,
    service: ServiceType,
    lawyer: User | None,
    start: datetime,
    mode: str,
    topic: str,
    description: str,
    status: str,
    **extra,
) -> Appointment | None:
    """Write an appointment as it happened (demo history, imports): no time rules, no notifications.

    It still holds its lawyer's units unless cancelled or declined; ``None`` when that time is held already.
    Without a ``lawyer`` it is an unassigned request: it holds no time until a lawyer takes it.
    """
    values = {**_columns(enterprise.id, service, start, mode, topic, description, status), **extra}
    if lawyer is None:
        appointment = Appointment(lawyer_id=None, **values)
        db.session.add(appointment)
        db.session.flush()
        return appointment
    try:
        appointment = _insert(values, [lawyer])
    except SlotTaken:
        return None
    if status in (Status.CANCELLED, Status.DECLINED):
        _release(appointment)
    return appointment


# ------------------------------------------------------------------------------------------ state changes


def confirm(
    appointment: Appointment, actor: User, meeting_link: str | None = None, now: datetime | None = None
) -> Appointment:
    """The lawyer accepts a request; a lawyer may take an unassigned request (its units are reserved then).

    ``meeting_link`` (video): where to join, an https URL; without one the lawyer's default room is used.
    """
    now = now or utcnow()
    link = meeting.check_link(meeting_link)
    _check(actor, "confirm", appointment, now)
    if appointment.lawyer_id is None:
        if not actor.is_lawyer:
            raise Invalid(_("This request has no lawyer yet: a lawyer takes it by confirming it."))
        with locking.insert_or_lose(
            SlotTaken(_("You have another appointment at this time, so you can't take this request."), None)
        ):
            appointment.lawyer_id = actor.id
            db.session.flush()
            _reserve(appointment)
    elif not db.session.scalar(select(exists().where(BookingUnit.appointment_id == appointment.id))):
        with locking.insert_or_lose(SlotTaken(_("The lawyer has another appointment at this time."), None)):
            _reserve(appointment)
    appointment.status = Status.CONFIRMED
    appointment.confirmed_at = now
    if link and appointment.mode == booking_vocab.Mode.VIDEO:
        appointment.meeting_link = link
    appointment.sequence += 1
    audit.record("booking.confirmed", appointment, actor=actor, lawyer_id=appointment.lawyer_id)
    _announce(appointment, actor, "confirmed")
    return appointment


def decline(appointment: Appointment, actor: User, reason: str, now: datetime | None = None) -> Appointment:
    """The lawyer declines a request, saying why (the page asks for a reason; a bare POST gets a general one).

    The time frees up.
    """
    _check(actor, "decline", appointment)
    reason = (reason or "").strip() or _(
        "The lawyer can't take this request. Please choose another time or another lawyer."
    )
    _release(appointment)
    appointment.status = Status.DECLINED
    appointment.decline_reason = reason[:2000]
    appointment.cancelled_at = now or utcnow()
    appointment.sequence += 1
    audit.record("booking.declined", appointment, actor=actor, reason=reason)
    _announce(appointment, actor, "declined")
    return appointment


def cancel(appointment: Appointment, actor: User, now: datetime | None = None) -> Appointment:
    """Cancel a booking; an enterprise can do so until the cut-off before its start. The time frees up."""
    now = now or utcnow()
    _check(actor, "cancel", appointment, now)
    if actor.is_enterprise and not appointment.awaiting_enterprise and not before_cutoff(appointment, now):
        raise Invalid(too_late_message())
    _release(appointment)
    appointment.status = Status.CANCELLED
    appointment.cancelled_at = now
    appointment.awaiting_enterprise = False
    appointment.sequence += 1
    audit.record("booking.cancelled", appointment, actor=actor)
    _announce(appointment, actor, "cancelled")
    return appointment


def too_late_message() -> str:
    """Why the enterprise can't cancel or move online any more, with the station's phone."""
    return _(
        "Bookings can be cancelled or moved online until %(hours)s hours before they start. "
        "Please phone the park service station at %(phone)s.",
        hours=f"{current_app.config['CANCELLATION_CUTOFF_HOURS']:g}",
        phone=meeting.station_phone(),
    )


def _required_summary(summary: str | None) -> str:
    """The summary for the enterprise, which can't be empty (it is sent to the enterprise)."""
    text = (summary or "").strip()
    if not text:
        raise Invalid(_("Write a summary for the enterprise: it is sent to them and can't be empty."), "summary")
    return text[:5000]


def complete(
    appointment: Appointment, actor: User, summary: str, private_notes: str = "", now: datetime | None = None
) -> Appointment:
    """Mark a held appointment done with the summary for the enterprise (required) and private notes."""
    now = now or utcnow()
    text = _required_summary(summary)
    _check(actor, "complete", appointment, now)
    appointment.status = Status.COMPLETED
    appointment.summary = text
    appointment.private_notes = (private_notes or "").strip() or None
    appointment.completed_at = now
    audit.record("booking.completed", appointment, actor=actor)
    _announce(appointment, actor, "completed")
    return appointment


def add_to_summary(appointment: Appointment, actor: User, addition: str, now: datetime | None = None) -> Appointment:
    """The lawyer adds to the summary of a completed appointment (dated; audited; the enterprise is told)."""
    now = now or utcnow()
    text = _required_summary(addition)
    _check(actor, "add_summary", appointment, now)
    stamp = to_local(now).strftime("%Y-%m-%d %H:%M")
    appointment.summary = f"{appointment.summary or ''}\n\n[{stamp}] {text}".strip()[:20000]
    audit.record("booking.summary_added", appointment, actor=actor, addition=text)
    _announce(appointment, actor, "summary_added")
    return appointment


def mark_no_show(appointment: Appointment, actor: User, now: datetime | None = None) -> Appointment:
    """Record that the enterprise didn't come."""
    now = now or utcnow()
    _check(actor, "no_show", appointment, now)
    appointment.status = Status.NO_SHOW
    audit.record("booking.no_show", appointment, actor=actor)
    _announce(appointment, actor, "no_show")
    return appointment


def reschedule(
    appointment: Appointment,
    actor: User,
    new_start: datetime,
    lawyer: User | None = None,
    reason: str = "",
    now: datetime | None = None,
) -> Appointment:
    """Move the booking to a new free slot: the same row (same id, calendar UID; SEQUENCE grows), atomically.

    The enterprise moves its own until the cut-off; a lawyer (and staff) say why. A lawyer's move waits for the
    enterprise's agreement (status ``requested``, ``awaiting_enterprise``); the enterprise's own choice of a
    time the lawyer offers keeps a confirmed booking confirmed. The old units are released and the new ones
    reserved inside one savepoint: if the new time is taken, nothing changes (SlotTaken).
    """
    now = now or utcnow()
    reason = (reason or "").strip()[:2000]
    if not actor.is_enterprise and not reason:
        raise Invalid(_("Tell the enterprise why the booking moves."), "reason")
    _check(actor, "reschedule", appointment, now)
    if actor.is_enterprise and not appointment.awaiting_enterprise and not before_cutoff(appointment, now):
        raise Invalid(too_late_message(), "start")
    if lawyer is None or not actor.is_staff:
        lawyer = appointment.lawyer or (actor if actor.is_lawyer else None)
    if lawyer is None or not lawyer.is_lawyer or not lawyer.active:
        raise Invalid(_("Choose a lawyer from the list."), "lawyer_id")
    service = appointment.service_type
    new_start = new_start.astimezone(local_zone())
    check_start(service, new_start, now)
    if new_start == appointment.start_at and lawyer.id == appointment.lawyer_id:
        raise Invalid(_("Choose a time other than the current one."), "start")
    if new_start not in slot_rules.window_starts(service, lawyer.id, new_start.date()):
        raise _outside_availability()
    move = AppointmentMove(
        appointment_id=appointment.id,
        from_start=appointment.start_at,
        to_start=new_start,
        from_lawyer_id=appointment.lawyer_id,
        to_lawyer_id=lawyer.id,
        by_id=actor.id,
        reason=reason or None,
        created_at=now,
    )
    with locking.insert_or_lose(SlotTaken()):
        _release(appointment)
        appointment.lawyer_id = lawyer.id
        appointment.start_at = new_start
        appointment.end_at = new_start + timedelta(minutes=service.duration_minutes)
        db.session.add(move)
        db.session.flush()
        _reserve(appointment)
    if actor.is_lawyer:
        appointment.status, appointment.awaiting_enterprise = Status.REQUESTED, True
    elif actor.is_enterprise and appointment.awaiting_enterprise:
        appointment.status, appointment.awaiting_enterprise = Status.CONFIRMED, False
    if appointment.status == Status.CONFIRMED:
        appointment.confirmed_at = now
    appointment.sequence += 1
    appointment.reminder_queued_at = None
    audit.record(
        "booking.rescheduled",
        appointment,
        actor=actor,
        start=new_start.isoformat(),
        moved_from=to_local(move.from_start).isoformat(),
        lawyer_id=lawyer.id,
        **({"move_reason": reason} if reason else {}),
    )
    _announce(appointment, actor, "proposed" if appointment.awaiting_enterprise else "rescheduled")
    return appointment


def accept(appointment: Appointment, actor: User, now: datetime | None = None) -> Appointment:
    """The enterprise agrees to the new time a lawyer proposed: the booking is confirmed."""
    now = now or utcnow()
    _check(actor, "accept", appointment, now)
    appointment.status = Status.CONFIRMED
    appointment.awaiting_enterprise = False
    appointment.confirmed_at = now
    appointment.sequence += 1
    audit.record("booking.accepted", appointment, actor=actor)
    _announce(appointment, actor, "accepted")
    return appointment


def rate(
    appointment: Appointment, actor: User, rating: int, comment: str = "", now: datetime | None = None
) -> Feedback:
    """The enterprise rates a completed service on the 好差评 scale (5 非常满意 … 1 非常不满意), with an optional
    comment; it may change its rating for ``RATING_CHANGE_DAYS`` after giving it."""
    now = now or utcnow()
    _check(actor, "rate", appointment)
    if not isinstance(rating, int) or rating not in booking_vocab.RATINGS:
        raise Invalid(_("Choose how satisfied you are."), "rating")
    comment = (comment or "").strip() or None
    feedback = appointment.feedback
    if feedback is not None:
        if not may_rate(appointment, now):
            raise WrongState(_("A rating can be changed for %(days)d days after it is given.", days=RATING_CHANGE_DAYS))
        locking.lock(feedback)
        feedback.rating, feedback.comment, feedback.updated_at, feedback.user_id = rating, comment, now, actor.id
        audit.record("booking.rating_changed", appointment, actor=actor, rating=rating)
        return feedback
    feedback = Feedback(appointment_id=appointment.id, user_id=actor.id, rating=rating, comment=comment, created_at=now)
    with locking.insert_or_lose(WrongState(_("This service has been rated already. Thank you!"))):
        db.session.add(feedback)
    audit.record("booking.rated", appointment, actor=actor, rating=rating)
    _announce(appointment, actor, "rated")
    return feedback


# ----------------------------------------------------------------------------------------------- reminders


def queue_reminders(now: datetime | None = None) -> int:
    """Queue one reminder for each confirmed appointment starting within ``REMINDER_HOURS_BEFORE``, exactly once.

    Each is claimed with ``locking.claim`` (UPDATE … WHERE reminder_queued_at IS NULL), so two overlapping runs
    never both send one.
    Flushes; the caller commits. Returns how many were queued.
    """
    now = now or utcnow()
    until = now + timedelta(hours=float(current_app.config["REMINDER_HOURS_BEFORE"]))
    due = db.session.scalars(
        select(Appointment)
        .where(
            Appointment.status == Status.CONFIRMED,
            Appointment.reminder_queued_at.is_(None),
            Appointment.start_at > now,
            Appointment.start_at <= until,
        )
        .order_by(Appointment.start_at)
    ).all()
    queued = 0
    for appointment in due:
        if not locking.claim(Appointment, appointment.id, Appointment.reminder_queued_at, now):
            continue
        db.session.refresh(appointment)
        _announce(appointment, None, "reminder")
        queued += 1
    return queued


# ---------------------------------------------------------------------------------------- notifications

HEADLINES = {
    "created": _l("New booking"),
    "requested": _l("New booking request"),
    "confirmed": _l("Booking confirmed"),
    "declined": _l("Booking request declined"),
    "cancelled": _l("Booking cancelled"),
    "completed": _l("Consultation completed"),
    "no_show": _l("Recorded as a no-show"),
    "rescheduled": _l("Booking moved to a new time"),
    "proposed": _l("The lawyer proposes a new time"),
    "accepted": _l("The enterprise agreed to the new time"),
    "summary_added": _l("The lawyer added to the summary"),
    "rated": _l("New rating"),
    "reminder": _l("Reminder: appointment tomorrow"),
}


def _lawyer_side(appointment: Appointment) -> list[User]:
    """The assigned lawyer if active, else every active lawyer (an unassigned request)."""
    if appointment.lawyer is not None:
        return [appointment.lawyer] if appointment.lawyer.active else []
    return slot_rules.lawyers()


def _announce(appointment: Appointment, actor: User | None, kind: str) -> None:
    """Tell the other party (both for staff and the system) in-app and by e-mail; confirmed ones with an .ics."""
    if kind == "created":
        kind = "requested" if appointment.status == Status.REQUESTED else "created"
    role = actor.role if actor is not None else "system"
    recipients: list[User] = []
    if role in ("lawyer", "staff", "system"):
        recipients += appointment.enterprise.active_users
    if role in ("enterprise", "staff", "system"):
        recipients += _lawyer_side(appointment)
    if kind in ("created", "requested") and role == "enterprise":
        recipients += [u for u in appointment.enterprise.active_users if actor is None or u.id != actor.id]
    if actor is not None:
        recipients = [u for u in recipients if u.id != actor.id]
    attachment = None
    if appointment.status in OPEN_STATUSES and kind in (
        "created",
        "confirmed",
        "rescheduled",
        "proposed",
        "accepted",
        "reminder",
    ):
        attachment = partial(_ics_attachment, appointment)
    if role == "enterprise" and kind in ("created", "requested", "rescheduled") and actor.active:
        queue_email(  # the enterprise's own confirmation by e-mail (it sees the page already: no in-app note)
            actor.email,
            "emails/booking_update",
            locale=actor.locale,
            attachment=attachment,
            user=actor,
            appointment=appointment,
            kind=kind,
            headline=HEADLINES[kind],
        )
    when = to_local(appointment.start_at).strftime("%Y-%m-%d %H:%M")
    seen: set[int] = set()
    for user in recipients:
        if user.id in seen:
            continue
        seen.add(user.id)
        notify(
            user,
            partial(_headline_text, kind, appointment, when),
            ("bookings.detail", {"booking_id": appointment.id}),
            email_template="emails/booking_update",
            attachment=attachment,
            appointment=appointment,
            kind=kind,
            headline=HEADLINES[kind],
        )


def _headline_text(kind: str, appointment: Appointment, when: str) -> str:
    """The in-app line about ``appointment`` (rendered in the recipient's language)."""
    return _(
        "%(headline)s: %(service)s, %(when)s (#%(id)d)",
        headline=str(HEADLINES[kind]),
        service=vocab.label(booking_vocab.SERVICE_TYPES, appointment.service_type.code),
        when=when,
        id=appointment.id,
    )


def _ics_attachment(appointment: Appointment) -> tuple[str, str, bytes]:
    """The booking's calendar file as an e-mail attachment (in the recipient's language)."""
    from .ical import appointment_ics

    return (f"booking-{appointment.id}.ics", "text/calendar", appointment_ics(appointment))
