"""iCalendar files: one appointment (download, e-mail attachment) and a lawyer's subscribable feed.

Built with ``core.ical`` (stable UIDs, local times with their VTIMEZONE, escaping).
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import url_for
from flask_babel import gettext as _

from ..core import ical, vocab
from ..models import Appointment
from . import meeting
from . import vocab as booking_vocab

STATUS = {"requested": "TENTATIVE", "confirmed": "CONFIRMED", "cancelled": "CANCELLED", "declined": "CANCELLED"}


def _event(appointment: Appointment):
    """The appointment as a calendar entry: local times, how the meeting happens (LOCATION, URL to join a video
    call, DESCRIPTION), a link back to the booking; the UID is the booking's, SEQUENCE its stored counter."""
    service = vocab.label(booking_vocab.SERVICE_TYPES, appointment.service_type.code)
    how = meeting.details(appointment)
    lines = [
        how.how,
        _("Booking number: %(id)d", id=appointment.id),
        _("Topic: %(topic)s", topic=vocab.label(vocab.TOPICS, appointment.topic)),
        _("Lawyer: %(name)s", name=appointment.lawyer.name if appointment.lawyer else _("not assigned yet")),
        _("Mode: %(mode)s", mode=vocab.label(booking_vocab.MODES, appointment.mode)),
    ]
    if appointment.description:
        lines += ["", appointment.description]
    link = url_for("bookings.detail", booking_id=appointment.id, _external=True)
    lines += ["", link]
    return ical.event(
        uid=ical.uid("appointment", appointment.id),
        start=appointment.start_at,
        end=appointment.end_at,
        summary=f"{service} · {appointment.enterprise.name}",
        description="\n".join(lines),
        location=how.location,
        url=how.url or link,
        status=STATUS.get(appointment.status, "CONFIRMED"),
        sequence=appointment.sequence or 0,
    )


def appointment_ics(appointment: Appointment) -> bytes:
    """A calendar file holding this appointment."""
    name = vocab.label(booking_vocab.SERVICE_TYPES, appointment.service_type.code)
    return ical.to_bytes(name, [_event(appointment)], method="PUBLISH")


def feed_ics(name: str, appointments: Iterable[Appointment]) -> bytes:
    """A subscribable calendar of ``appointments`` (a lawyer's requested and confirmed ones)."""
    return ical.to_bytes(name, (_event(appointment) for appointment in appointments))
