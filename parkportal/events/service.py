"""Events and their registrations: plain functions over the session that flush and never commit.

Capacity can't be overrun, also under concurrent sign-ups: every change to an event's registrations first locks
the event's row (``locking.lock``: ``SELECT … FOR UPDATE`` on PostgreSQL; SQLite serialises writers with
``BEGIN IMMEDIATE``), then counts and writes; ``Event.seats_taken`` carries a CHECK against ``capacity`` and a unique
(event, enterprise) key keeps one registration per enterprise, so even code that forgot the lock could not
overfill an event. Sign-ups get consecutive numbers under the lock (``position``): the waitlist's order is the
order of arrival, and the first on it is promoted when places free up.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..core import audit, locking, vocab
from ..core.errors import Conflict, Invalid, NotAllowed, WrongState
from ..core.notify import notify
from ..extensions import db
from ..models import Enterprise, Event, EventTopic, Registration, User
from ..timeutil import to_local, utcnow
from .vocab import EVENT_CATEGORIES, LIVE_REGISTRATIONS, EventStatus, RegStatus

#: The most people one registration can bring to the door (walk-ins, check-in counts).
MAX_PEOPLE = 200
#: An event lasts at most this long: so an event running at a moment started at most this long before it, and the
#: calendar's queries bound the start from both sides (an index range, not every event since the first).
LONGEST = timedelta(days=62)
#: Attendee names are split at line breaks, commas (also Chinese ones), 、 and semicolons.
NAME_SEPARATORS = re.compile(r"[\n\r,，、;；]+")


# ------------------------------------------------------------------------------------------------ events


@dataclass
class EventValues:
    """What staff enter for an event (parsed; the rules are checked by ``save_event``)."""

    title: str
    description: str
    category: str
    topics: Sequence[str]
    start: datetime | None
    end: datetime | None
    location: str
    online_url: str
    capacity: int | None
    seats_per_enterprise: int | None
    registration_deadline: datetime | None
    status: str
    speakers: Sequence[User] = ()


def _check_values(values: EventValues, event: Event | None) -> None:
    """Refuse values that break an event's rules (``Invalid`` naming the field)."""
    if not values.title.strip():
        raise Invalid(_("Give the event a title."), "title")
    if values.category not in EVENT_CATEGORIES:
        raise Invalid(_("Choose a category from the list."), "category")
    if not values.topics or any(topic not in vocab.TOPICS for topic in values.topics):
        raise Invalid(_("Choose at least one legal topic."), "topics")
    if values.start is None:
        raise Invalid(_("Enter the start as a date and time, e.g. 2026-12-01 14:00."), "start")
    if values.end is None:
        raise Invalid(_("Enter the end as a date and time, e.g. 2026-12-01 16:00."), "end")
    if values.end <= values.start:
        raise Invalid(_("The end must be later than the start."), "end")
    if values.end - values.start > LONGEST:
        raise Invalid(_("An event lasts at most two months."), "end")
    if not values.location.strip() and not values.online_url.strip():
        raise Invalid(_("Enter the place, or an online link."), "location")
    if values.online_url and not re.match(r"https?://\S+$", values.online_url.strip()):
        raise Invalid(_("Enter the online link as a web address starting with https://."), "online_url")
    if values.seats_per_enterprise is None or values.seats_per_enterprise < 1:
        raise Invalid(_("An enterprise must be able to bring at least one person."), "seats_per_enterprise")
    if values.capacity is not None:
        if values.capacity < 1:
            raise Invalid(_("Enter a capacity of at least 1, or leave it empty for no limit."), "capacity")
        if values.seats_per_enterprise > values.capacity:
            raise Invalid(_("An enterprise can't take more seats than the event has."), "seats_per_enterprise")
        if event is not None and values.capacity < event.seats_taken:
            raise Invalid(
                _(
                    "%(taken)d places are taken already: the capacity can't be lower.",
                    taken=event.seats_taken,
                ),
                "capacity",
            )
    if values.registration_deadline is not None and values.registration_deadline > values.start:
        raise Invalid(_("Registration must close before the event starts."), "registration_deadline")
    if values.status not in (EventStatus.DRAFT, EventStatus.PUBLISHED):
        raise Invalid(_("Choose draft or published."), "status")
    if event is not None and event.status == EventStatus.PUBLISHED and values.status == EventStatus.DRAFT:
        if db.session.scalar(
            select(func.count())
            .select_from(Registration)
            .where(Registration.event_id == event.id, Registration.status.in_(LIVE_REGISTRATIONS))
        ):
            raise Invalid(_("Enterprises have signed up already: the event can't go back to draft."), "status")
    if any(not speaker.is_lawyer for speaker in values.speakers):
        raise Invalid(_("Speakers are the partner firm's lawyers."), "speakers")


def save_event(values: EventValues, actor: User, event: Event | None = None) -> Event:
    """Create an event (``event`` is ``None``) or change one; staff only. A cancelled event can't be changed."""
    if not actor.is_staff:
        raise NotAllowed(_("Your account is not allowed to do this."))
    if event is not None:
        locking.lock(event)
        if event.status == EventStatus.CANCELLED:
            raise WrongState(_("This event is cancelled and can't be changed any more."))
    _check_values(values, event)
    creating = event is None
    before = None if creating else (event.start_at, event.end_at, event.location, event.online_url)
    if event is None:
        event = Event(created_by=actor, seats_taken=0, arrivals=0, sequence=0)
        db.session.add(event)
    else:
        event.sequence += 1
    event.title = values.title.strip()[:200]
    event.description = values.description.strip()
    event.category = values.category
    event.start_at = values.start
    event.end_at = values.end
    event.location = values.location.strip()[:200]
    event.online_url = values.online_url.strip()[:500] or None
    event.capacity = values.capacity
    event.seats_per_enterprise = values.seats_per_enterprise
    event.registration_deadline = values.registration_deadline or values.start
    event.status = values.status
    event.speakers = list(values.speakers)
    wanted = list(dict.fromkeys(values.topics))
    event.topic_rows = [row for row in event.topic_rows if row.topic in wanted] + [
        EventTopic(topic=topic) for topic in wanted if topic not in event.topics
    ]
    db.session.flush()
    audit.record(
        "event.created" if creating else "event.updated",
        event,
        actor=actor,
        title=event.title,
        status=event.status,
        start=to_local(event.start_at).isoformat(),
        capacity=event.capacity,
    )
    if not creating:
        promoted = _promote(event, actor)  # a larger capacity lets the waitlist move up
        if before != (event.start_at, event.end_at, event.location, event.online_url):
            _tell_changed(event, actor, already_told=promoted)
    return event


def _tell_changed(event: Event, actor: User, already_told: Iterable[Registration] = ()) -> None:
    """The time or place of an event people signed up for changed: tell them, with the updated calendar entry."""
    if event.status != EventStatus.PUBLISHED or event.end_at <= utcnow():
        return
    skip = {registration.id for registration in already_told}
    for registration in db.session.scalars(
        select(Registration).where(
            Registration.event_id == event.id,
            Registration.status.in_((RegStatus.REGISTERED, RegStatus.WAITLISTED)),
        )
    ):
        if registration.id not in skip:
            _tell(registration, "event_changed", exclude=actor)


def cancel_event(event: Event, actor: User, reason: str = "", now: datetime | None = None) -> Event:
    """Staff call an event off; everyone registered or waiting is told (in-app and by e-mail)."""
    now = now or utcnow()
    if not actor.is_staff:
        raise NotAllowed(_("Your account is not allowed to do this."))
    locking.lock(event)
    if event.status == EventStatus.CANCELLED:
        raise WrongState(_("This event is cancelled already."))
    if event.end_at <= now:
        raise WrongState(_("This event is over and can't be cancelled."))
    event.status = EventStatus.CANCELLED
    event.cancel_reason = (reason or "").strip()[:2000] or None
    event.cancelled_at = now
    event.sequence += 1
    audit.record("event.cancelled", event, actor=actor, reason=event.cancel_reason)
    told = db.session.scalars(
        select(Registration).where(
            Registration.event_id == event.id,
            Registration.status.in_((RegStatus.REGISTERED, RegStatus.WAITLISTED)),
        )
    ).all()
    for registration in told:
        _tell(registration, "event_cancelled", exclude=actor)
    return event


# ----------------------------------------------------------------------------------------- registration


def split_names(text: str) -> list[str]:
    """The attendee names in ``text`` (one a line, or separated by commas, 、 or semicolons)."""
    return [name.strip()[:100] for name in NAME_SEPARATORS.split(text or "") if name.strip()]


def _check_open(event: Event, now: datetime) -> None:
    """Refuse sign-ups for an event that isn't open for them (draft, cancelled, past the deadline)."""
    if event.status == EventStatus.DRAFT:
        raise WrongState(_("This event is not published yet."))
    if event.status == EventStatus.CANCELLED:
        raise WrongState(_("This event is cancelled."))
    if now >= event.start_at:
        raise WrongState(_("This event has started already: registration is closed."))
    if now > event.registration_deadline:
        raise WrongState(
            _(
                "Registration closed on %(when)s.",
                when=to_local(event.registration_deadline).strftime("%Y-%m-%d %H:%M"),
            )
        )


def _check_party(event: Event, attendees: int | None, names: list[str]) -> int:
    """The number of attendees, within the event's per-enterprise limit, and names that fit it."""
    limit = event.seats_per_enterprise
    if attendees is None or attendees < 1:
        raise Invalid(_("Enter how many people will come (at least 1)."), "attendees")
    if attendees > limit:
        raise Invalid(_("Each enterprise can bring at most %(limit)d people to this event.", limit=limit), "attendees")
    if not names:
        raise Invalid(_("Enter the names of the people who will come, one a line."), "names")
    if len(names) > attendees:
        raise Invalid(
            _("You named %(named)d people but registered %(count)d.", named=len(names), count=attendees), "names"
        )
    return attendees


def _waiting(event: Event) -> list[Registration]:
    """The event's waitlist in arrival order."""
    return list(
        db.session.scalars(
            select(Registration)
            .where(Registration.event_id == event.id, Registration.status == RegStatus.WAITLISTED)
            .order_by(Registration.position)
        )
    )


def _anyone_waiting(event: Event) -> bool:
    """Whether someone is on the event's waitlist (newcomers queue behind them)."""
    return (
        db.session.scalar(
            select(Registration.id)
            .where(Registration.event_id == event.id, Registration.status == RegStatus.WAITLISTED)
            .limit(1)
        )
        is not None
    )


def _fits(event: Event, seats: int) -> bool:
    """Whether ``seats`` more seats fit the event now (it is locked)."""
    return event.capacity is None or event.seats_taken + seats <= event.capacity


def register(
    event: Event,
    enterprise: Enterprise | None,
    attendees: int | None,
    names_text: str,
    actor: User,
    now: datetime | None = None,
) -> Registration:
    """Sign ``enterprise`` up for ``event``: registered while places last and nobody waits, else waitlisted.

    An enterprise user signs up their own enterprise; staff any verified enterprise (on its behalf). Raises
    Invalid / WrongState / Conflict and changes nothing when a rule says no.
    """
    now = now or utcnow()
    if actor.is_enterprise:
        enterprise = actor.enterprise
    elif not actor.is_staff:
        raise NotAllowed(_("Your account is not allowed to do this."))
    if enterprise is None:
        raise Invalid(_("Choose the enterprise you register."), "enterprise_id")
    if not enterprise.is_verified:
        raise Invalid(_("Sign-ups open once the park service station has verified %(name)s.", name=enterprise.name))
    locking.lock(event)  # from here on, sign-ups and cancellations of this event run one after the other
    _check_open(event, now)
    names = split_names(names_text)
    seats = _check_party(event, attendees, names)
    registration = db.session.scalar(
        select(Registration)
        .where(Registration.event_id == event.id, Registration.enterprise_id == enterprise.id)
        .execution_options(populate_existing=True)
    )
    if registration is not None and registration.status in LIVE_REGISTRATIONS:
        raise Conflict(
            _(
                "%(name)s is %(status)s for this event already.",
                name=enterprise.name,
                status=vocab.label(_STATUS_WORDS, registration.status),
            )
        )
    event.arrivals += 1
    place = seats if _fits(event, seats) and not _anyone_waiting(event) else 0
    values = {
        "status": RegStatus.REGISTERED if place else RegStatus.WAITLISTED,
        "attendees": seats,
        "names": "\n".join(names),
        "seats_held": place,
        "position": event.arrivals,
        "user_id": actor.id,
        "walk_in": False,
        "attended_count": None,
        "checked_in_at": None,
        "checked_in_by_id": None,
        "promoted_at": None,
        "cancelled_at": None,
        "reminder_queued_at": None,
        "created_at": now,
    }
    taken = Conflict(_("%(name)s has just been registered for this event.", name=enterprise.name))
    with locking.insert_or_lose(taken):
        if registration is None:
            registration = Registration(event_id=event.id, enterprise_id=enterprise.id, **values)
            db.session.add(registration)
        else:  # signing up again after cancelling: a new arrival at the end of the queue
            for key, value in values.items():
                setattr(registration, key, value)
        event.seats_taken += place
    registration.event, registration.enterprise = event, enterprise
    audit.record(
        "event.registered" if place else "event.waitlisted",
        registration,
        actor=actor,
        event_id=event.id,
        enterprise_id=enterprise.id,
        attendees=seats,
        on_behalf=actor.is_staff,
    )
    if actor.is_staff:
        _tell(registration, registration.status, exclude=actor)
    return registration


#: "…is registered / on the waitlist / … for this event already".
_STATUS_WORDS = {
    RegStatus.REGISTERED: _l("registered"),
    RegStatus.WAITLISTED: _l("on the waitlist"),
    RegStatus.ATTENDED: _l("checked in"),
}


def cancel_registration(registration: Registration, actor: User, now: datetime | None = None) -> Registration:
    """Cancel a registration or leave the waitlist (the enterprise before the start, staff any time before the end).

    The freed places go to the waitlist, first come first served.
    """
    now = now or utcnow()
    if not (actor.is_staff or (actor.is_enterprise and actor.enterprise_id == registration.enterprise_id)):
        raise NotAllowed(_("Your account is not allowed to do this."))
    event = locking.lock(registration.event)
    registration = locking.lock(registration)
    if registration.status not in (RegStatus.REGISTERED, RegStatus.WAITLISTED):
        raise WrongState(
            _(
                "This registration is %(status)s, so it can't be cancelled.",
                status=vocab.label(_REG_STATUS_LOWER, registration.status),
            )
        )
    if now >= (event.end_at if actor.is_staff else event.start_at):
        raise WrongState(_("This event has started already: please tell the park service station."))
    freed = registration.seats_held
    registration.status = RegStatus.CANCELLED
    registration.seats_held = 0
    registration.cancelled_at = now
    event.seats_taken -= freed
    db.session.flush()
    audit.record("event.registration_cancelled", registration, actor=actor, event_id=event.id, freed=freed)
    if actor.is_staff:
        _tell(registration, "cancelled", exclude=actor)
    if event.status == EventStatus.PUBLISHED and now < event.start_at:
        _promote(event, actor, now)
    return registration


_REG_STATUS_LOWER = {
    RegStatus.CANCELLED: _l("cancelled"),
    RegStatus.ATTENDED: _l("checked in"),
}


def _promote(event: Event, actor: User | None, now: datetime | None = None) -> list[Registration]:
    """Move the waitlist up, in arrival order, while the first waiting fits (the event is locked)."""
    now = now or utcnow()
    promoted = []
    for registration in _waiting(event):
        if not _fits(event, registration.attendees):
            break
        registration.status = RegStatus.REGISTERED
        registration.seats_held = registration.attendees
        registration.promoted_at = now
        event.seats_taken += registration.attendees
        promoted.append(registration)
        audit.record("event.promoted", registration, actor=actor, event_id=event.id)
        _tell(registration, "promoted")
    db.session.flush()
    return promoted


# ---------------------------------------------------------------------------------------------- check-in


def _check_in_window(event: Event, now: datetime) -> None:
    """Check-in is for published events, from the day before until the check-in link expires."""
    if event.status != EventStatus.PUBLISHED:
        raise WrongState(_("Only a published event can have people checked in."))
    if now < event.start_at - timedelta(days=1):
        raise WrongState(_("Check-in opens the day before the event."))
    if now > checkin_closes(event):
        raise WrongState(_("Check-in for this event has closed."))


def checkin_closes(event: Event) -> datetime:
    """When check-in (and the QR links) stop working: ``EVENT_CHECKIN_LINK_HOURS`` after the end."""
    return event.end_at + timedelta(hours=float(current_app.config["EVENT_CHECKIN_LINK_HOURS"]))


def _count(value: int | None, field: str = "attended_count") -> int:
    """A head count from 1 to ``MAX_PEOPLE``."""
    if value is None or not 1 <= value <= MAX_PEOPLE:
        raise Invalid(_("Enter how many people came (1 to %(max)d).", max=MAX_PEOPLE), field)
    return value


def check_in(registration: Registration, actor: User, count: int | None, now: datetime | None = None) -> Registration:
    """Staff mark a registration attended with how many came (again: the count is corrected).

    A waitlisted enterprise that comes anyway is checked in too (it takes no place).
    """
    now = now or utcnow()
    if not actor.is_staff:
        raise NotAllowed(_("Your account is not allowed to do this."))
    count = _count(count)
    event = locking.lock(registration.event)
    registration = locking.lock(registration)
    _check_in_window(event, now)
    if registration.status == RegStatus.CANCELLED:
        raise WrongState(_("This registration was cancelled. Add the enterprise as a walk-in instead."))
    registration.status = RegStatus.ATTENDED
    registration.attended_count = count
    registration.checked_in_at = registration.checked_in_at or now
    registration.checked_in_by_id = actor.id
    audit.record("event.checked_in", registration, actor=actor, event_id=event.id, count=count)
    return registration


def add_walk_in(
    event: Event,
    enterprise: Enterprise | None,
    count: int | None,
    names_text: str,
    actor: User,
    now: datetime | None = None,
) -> Registration:
    """Staff check in an enterprise that came without a registration (it takes no place).

    An enterprise that is registered, waiting or cancelled is checked in on its own registration instead.
    """
    now = now or utcnow()
    if not actor.is_staff:
        raise NotAllowed(_("Your account is not allowed to do this."))
    if enterprise is None:
        raise Invalid(_("Choose the enterprise from the search results."), "enterprise_id")
    count = _count(count)
    locking.lock(event)
    _check_in_window(event, now)
    names = split_names(names_text)
    registration = db.session.scalar(
        select(Registration)
        .where(Registration.event_id == event.id, Registration.enterprise_id == enterprise.id)
        .execution_options(populate_existing=True)
    )
    if registration is not None and registration.status != RegStatus.CANCELLED:
        return check_in(registration, actor, count, now)
    event.arrivals += 1
    values = {
        "status": RegStatus.ATTENDED,
        "attendees": max(count, 1),
        "names": "\n".join(names),
        "seats_held": 0,
        "position": event.arrivals,
        "user_id": actor.id,
        "walk_in": True,
        "attended_count": count,
        "checked_in_at": now,
        "checked_in_by_id": actor.id,
        "cancelled_at": None,
        "created_at": now,
    }
    with locking.insert_or_lose(Conflict(_("%(name)s has just been checked in.", name=enterprise.name))):
        if registration is None:
            registration = Registration(event_id=event.id, enterprise_id=enterprise.id, **values)
            db.session.add(registration)
        else:
            for key, value in values.items():
                setattr(registration, key, value)
    audit.record("event.walk_in", registration, actor=actor, event_id=event.id, enterprise_id=enterprise.id)
    return registration


# ------------------------------------------------------------------------------------------ after the event


def rate(registration: Registration, actor: User, rating: int | None, now: datetime | None = None) -> Registration:
    """An attending enterprise rates the event once, 1–5, after it has ended."""
    now = now or utcnow()
    if not (actor.is_enterprise and actor.enterprise_id == registration.enterprise_id):
        raise NotAllowed(_("Your account is not allowed to do this."))
    if rating is None or not 1 <= rating <= 5:
        raise Invalid(_("Choose a rating from 1 to 5."), "rating")
    if registration.status != RegStatus.ATTENDED:
        raise WrongState(_("Enterprises that attended the event can rate it."))
    if now < registration.event.end_at:
        raise WrongState(_("You can rate the event once it is over."))
    if not locking.claim(Registration, registration.id, Registration.rated_at, now):
        raise WrongState(_("You have rated this event already. Thank you!"))
    registration.rating = rating
    db.session.flush()
    audit.record("event.rated", registration, actor=actor, event_id=registration.event_id, rating=rating)
    return registration


@dataclass
class Reach:
    """Who an event reached: enterprises checked in, people counted at the door, and the ratings."""

    enterprises: int
    people: int
    ratings: int
    average_rating: float | None


def reach(event_ids: Iterable[int]) -> dict[int, Reach]:
    """The reach of each event in ``event_ids``, in one query."""
    ids = list(event_ids)
    rows = db.session.execute(
        select(
            Registration.event_id,
            func.count(Registration.id),
            func.coalesce(func.sum(Registration.attended_count), 0),
            func.count(Registration.rating),
            func.avg(Registration.rating),
        )
        .where(Registration.event_id.in_(ids), Registration.status == RegStatus.ATTENDED)
        .group_by(Registration.event_id)
    ).all()
    found = {row[0]: Reach(row[1], int(row[2]), row[3], float(row[4]) if row[4] is not None else None) for row in rows}
    return {ident: found.get(ident, Reach(0, 0, 0, None)) for ident in ids}


# ----------------------------------------------------------------------------------------------- reminders


def queue_reminders(now: datetime | None = None) -> int:
    """Remind every registered enterprise of a published event starting within ``EVENT_REMINDER_HOURS_BEFORE``.

    Once per registration, also when two runs overlap (``locking.claim`` on ``reminder_queued_at``).
    Flushes; the caller commits. Returns how many registrations were reminded.
    """
    now = now or utcnow()
    until = now + timedelta(hours=float(current_app.config["EVENT_REMINDER_HOURS_BEFORE"]))
    due = db.session.scalars(
        select(Registration)
        .join(Event, Registration.event_id == Event.id)
        .where(
            Registration.status == RegStatus.REGISTERED,
            Registration.reminder_queued_at.is_(None),
            Event.status == EventStatus.PUBLISHED,
            Event.start_at > now,
            Event.start_at <= until,
        )
        .order_by(Event.start_at, Registration.position)
    ).all()
    queued = 0
    for registration in due:
        if not locking.claim(Registration, registration.id, Registration.reminder_queued_at, now):
            continue
        _tell(registration, "reminder")
        queued += 1
    return queued


# --------------------------------------------------------------------------------------------- messages

HEADLINES = {
    "registered": _l("Registered for the event"),
    "waitlisted": _l("On the event's waitlist"),
    "promoted": _l("A place has freed up: you are registered"),
    "cancelled": _l("Event registration cancelled"),
    "event_cancelled": _l("Event cancelled"),
    "event_changed": _l("The event's time or place has changed"),
    "reminder": _l("Reminder: event tomorrow"),
}


#: The messages that carry the event's calendar file (a new or changed entry in the recipient's calendar).
WITH_CALENDAR_ENTRY = ("registered", "promoted", "reminder", "event_changed")


def _tell(registration: Registration, kind: str, exclude: User | None = None) -> None:
    """Tell the enterprise's active users about their registration, in-app and by e-mail (with the .ics)."""
    event = registration.event
    when = to_local(event.start_at).strftime("%Y-%m-%d %H:%M")
    attachment = partial(_ics_attachment, event) if kind in WITH_CALENDAR_ENTRY else None
    for user in registration.enterprise.users:
        if not user.active or (exclude is not None and user.id == exclude.id):
            continue
        notify(
            user,
            partial(_headline_text, kind, event.title, when),
            ("events.detail", {"event_id": event.id}),
            email_template="emails/event_update",
            attachment=attachment,
            event=event,
            registration=registration,
            kind=kind,
            headline=HEADLINES[kind],
        )


def _headline_text(kind: str, title: str, when: str) -> str:
    """The in-app line (rendered in the recipient's language)."""
    return _("%(headline)s: %(title)s, %(when)s", headline=str(HEADLINES[kind]), title=title, when=when)


def _ics_attachment(event: Event) -> tuple[str, str, bytes]:
    """The event's calendar file as an e-mail attachment."""
    from .ical import event_ics

    return (f"event-{event.id}.ics", "text/calendar", event_ics(event))
