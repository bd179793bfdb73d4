"""Vocabulary of events: categories, statuses, registration statuses and their audit actions."""

from __future__ import annotations

from enum import StrEnum

from flask_babel import lazy_gettext as _l


class EventStatus(StrEnum):
    """The stored event status codes."""

    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"


class RegStatus(StrEnum):
    """The stored registration status codes (DESIGN.md: the event page's ``data-registration-status``)."""

    REGISTERED = "registered"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"
    ATTENDED = "attended"


#: Registrations that are still in the game (the enterprise may not sign up a second time).
LIVE_REGISTRATIONS = (RegStatus.REGISTERED, RegStatus.WAITLISTED, RegStatus.ATTENDED)

EVENT_CATEGORIES = {
    "lecture": _l("Lecture"),
    "training": _l("Training"),
    "checkup_day": _l("Checkup day"),
    "consultation_day": _l("Consultation day"),
    "campaign": _l("Awareness campaign"),
}

EVENT_STATUSES = {
    "draft": _l("Draft"),
    "published": _l("Published"),
    "cancelled": _l("Cancelled"),
}

REGISTRATION_STATUSES = {
    "registered": _l("Signed up"),
    "waitlisted": _l("On the waitlist"),
    "cancelled": _l("Cancelled"),
    "attended": _l("Attended"),
}

#: The list view's time filter.
EVENT_PERIODS = {
    "upcoming": _l("Upcoming"),
    "past": _l("Past"),
}

#: Audit log actions (the stored codes) → what staff read.
AUDIT_ACTIONS = {
    "event.created": _l("Event created"),
    "event.updated": _l("Event changed"),
    "event.cancelled": _l("Event cancelled"),
    "event.registered": _l("Registered for an event"),
    "event.waitlisted": _l("Put on an event's waitlist"),
    "event.registration_cancelled": _l("Event registration cancelled"),
    "event.promoted": _l("Moved up from the waitlist"),
    "event.checked_in": _l("Checked in at an event"),
    "event.walk_in": _l("Walk-in added at an event"),
    "event.rated": _l("Event rated"),
}

#: Audit log object types → what staff read.
AUDIT_OBJECTS = {
    "event": _l("Event"),
    "event_registration": _l("Event registration"),
}
