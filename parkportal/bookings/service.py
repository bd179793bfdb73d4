"""Booking and the life of an appointment: plain functions over the session that flush and never commit.

States: requested → confirmed → completed | no_show; requested|confirmed → cancelled (by the enterprise
before the cut-off, or staff) | declined (requested only, by the lawyer, with a reason); rescheduling moves
a booking to a new slot (the old one is cancelled, the new one links back through ``rescheduled_from``).

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
from ..core.notify import notify
from ..core.parsing import parse_date, parse_id
from ..extensions import db
from ..i18n import format_list
from ..models import Appointment, BookingUnit, Enterprise, Feedback, ServiceType, User
from ..timeutil import local_zone, to_local, utcnow
from . import queries
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
    "reschedule": ("lawyer", "staff"),
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
    "rate": (Status.COMPLETED,),
}


#: action → why it can't be done once the appointment has started (the others only once it has, see AFTER_START).
BEFORE_START = {
    "confirm": _l("The time of this request has passed. Decline it or agree a new time."),
    "cancel": _l("This booking has started already and can't be cancelled."),
    "reschedule": _l("This booking has started already and can't be moved."),
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
    if "cancel" in actions and user.is_enterprise and not before_cutoff(appointment, now):
        actions.discard("cancel")
    if appointment.feedback is not None:
        actions.discard("rate")
    return actions


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


def pick_slots(
    service_code: str | None,
    day_text: str | None,
    lawyer_text: str | None = None,
    topic: str | None = None,
    ignore: Appointment | None = None,
    now: datetime | None = None,
) -> Picker:
    """The free starts for the picker, under the same rules (and messages) as ``book`` and ``reschedule``.

    ``ignore``: the booking being moved (its own time counts as free, its current start is not offered).
    """
    now = now or utcnow()
    picker = Picker()
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
    now: datetime | None = None,
) -> Appointment:
    """Book ``service`` at ``start`` for ``enterprise`` with ``lawyer`` (``None``: any suitable lawyer).

    Services that need the lawyer's confirmation start ``requested``, the others ``confirmed``; both hold the
    lawyer's time at once. Raises Invalid (nothing changed) or SlotTaken.
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
    working = [p for p in candidates if start in slot_rules.window_starts(service, p.id, day)]
    if not working:
        raise _outside_availability()
    free = [p for p in working if slot_rules.fits(service, start, slot_rules.taken_units(p.id, day))]
    if not free:
        raise SlotTaken()
    free.sort(key=slot_rules.preference(service, topic, slot_rules.weekly_load(day)))
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


def confirm(appointment: Appointment, actor: User, now: datetime | None = None) -> Appointment:
    """The lawyer accepts a request; a lawyer may take an unassigned request (its units are reserved then)."""
    now = now or utcnow()
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
    audit.record("booking.declined", appointment, actor=actor, reason=reason)
    _announce(appointment, actor, "declined")
    return appointment


def cancel(appointment: Appointment, actor: User, now: datetime | None = None) -> Appointment:
    """Cancel a booking; an enterprise can do so until the cut-off before its start. The time frees up."""
    now = now or utcnow()
    _check(actor, "cancel", appointment, now)
    if actor.is_enterprise and not before_cutoff(appointment, now):
        hours = current_app.config["CANCELLATION_CUTOFF_HOURS"]
        raise Invalid(
            _(
                "Bookings can be cancelled online until %(hours)s hours before they start. "
                "Please phone the park service station.",
                hours=f"{hours:g}",
            )
        )
    _release(appointment)
    appointment.status = Status.CANCELLED
    appointment.cancelled_at = now
    audit.record("booking.cancelled", appointment, actor=actor)
    _announce(appointment, actor, "cancelled")
    return appointment


def complete(
    appointment: Appointment, actor: User, summary: str, private_notes: str = "", now: datetime | None = None
) -> Appointment:
    """Mark a held appointment done, with an (optional) summary for the enterprise and private notes."""
    now = now or utcnow()
    _check(actor, "complete", appointment, now)
    appointment.status = Status.COMPLETED
    appointment.summary = (summary or "").strip() or None
    appointment.private_notes = (private_notes or "").strip() or None
    appointment.completed_at = now
    audit.record("booking.completed", appointment, actor=actor)
    _announce(appointment, actor, "completed")
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
    now: datetime | None = None,
) -> Appointment:
    """Move a booking to a new free slot atomically: a new appointment linked to the old, which is cancelled.

    Returns the new appointment. If the new time is taken, nothing changes (SlotTaken).
    """
    now = now or utcnow()
    _check(actor, "reschedule", appointment, now)
    if lawyer is None or actor.is_lawyer:
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
    status = Status.CONFIRMED if appointment.status == Status.CONFIRMED or actor.is_lawyer else Status.REQUESTED
    moved = Appointment(
        lawyer_id=lawyer.id,
        **_columns(
            appointment.enterprise_id,
            service,
            new_start,
            appointment.mode,
            appointment.topic,
            appointment.description,
            status,
        ),
        created_by=actor,
        rescheduled_from_id=appointment.id,
        confirmed_at=now if status == Status.CONFIRMED else None,
        created_at=now,
    )
    with locking.insert_or_lose(SlotTaken()):
        _release(appointment)
        appointment.status = Status.CANCELLED
        appointment.cancelled_at = now
        db.session.add(moved)
        db.session.flush()
        _reserve(moved)
    audit.record(
        "booking.rescheduled",
        appointment,
        actor=actor,
        new_id=moved.id,
        start=new_start.isoformat(),
        lawyer_id=lawyer.id,
    )
    audit.record("booking.created", moved, actor=actor, rescheduled_from=appointment.id, status=status)
    _announce(moved, actor, "rescheduled")
    return moved


def rate(appointment: Appointment, actor: User, rating: int, comment: str = "") -> Feedback:
    """The enterprise rates a completed service once: 1–5 stars and an optional comment."""
    _check(actor, "rate", appointment)
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise Invalid(_("Choose a rating from 1 to 5."), "rating")
    if appointment.feedback is not None:
        raise WrongState(_("This service has been rated already. Thank you!"))
    feedback = Feedback(appointment_id=appointment.id, user_id=actor.id, rating=rating, comment=comment.strip() or None)
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
    if kind == "created" and role == "enterprise":
        recipients += [u for u in appointment.enterprise.active_users if actor is None or u.id != actor.id]
    if actor is not None:
        recipients = [u for u in recipients if u.id != actor.id]
    attachment = None
    if appointment.status == Status.CONFIRMED and kind in ("created", "confirmed", "rescheduled", "reminder"):
        attachment = partial(_ics_attachment, appointment)
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
