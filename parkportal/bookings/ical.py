"""iCalendar files: one appointment (download, e-mail attachment) and a lawyer's subscribable feed.

Times carry TZID=Asia/Shanghai with its VTIMEZONE, so every calendar app shows the same wall-clock time.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import current_app, url_for
from flask_babel import gettext as _
from icalendar import Calendar, Event

from .. import catalog
from ..models import Appointment
from ..timeutil import to_local, utcnow

STATUS = {"requested": "TENTATIVE", "confirmed": "CONFIRMED", "cancelled": "CANCELLED", "declined": "CANCELLED"}


def _calendar(name: str) -> Calendar:
    """An empty calendar named ``name``, in the display time zone."""
    cal = Calendar()
    cal.add("prodid", "-//parkportal//Park legal services//ZH")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", current_app.config["DISPLAY_TIMEZONE"])
    return cal


def _event(appointment: Appointment) -> Event:
    """The appointment as a calendar event (local times, link back to the booking)."""
    service = catalog.label(catalog.SERVICE_TYPES, appointment.service_type.code)
    event = Event()
    event.add("uid", f"appointment-{appointment.id}@parkportal")
    event.add("dtstamp", utcnow())
    event.add("dtstart", to_local(appointment.start_at))
    event.add("dtend", to_local(appointment.end_at))
    event.add("summary", f"{service} · {appointment.enterprise.name}")
    if appointment.mode == "onsite":
        location = f"{current_app.config['PARK_NAME']} {current_app.config['SERVICE_STATION_ADDRESS']}"
    else:
        location = catalog.label(catalog.MODES, appointment.mode)
    event.add("location", location)
    lines = [
        _("Topic: %(topic)s", topic=catalog.label(catalog.TOPICS, appointment.topic)),
        _("Lawyer: %(name)s", name=appointment.lawyer.name if appointment.lawyer else _("not assigned yet")),
        _("Mode: %(mode)s", mode=catalog.label(catalog.MODES, appointment.mode)),
    ]
    if appointment.description:
        lines += ["", appointment.description]
    link = url_for("bookings.detail", booking_id=appointment.id, _external=True)
    lines += ["", link]
    event.add("description", "\n".join(lines))
    event.add("url", link)
    event.add("status", STATUS.get(appointment.status, "CONFIRMED"))
    event.add("sequence", int(appointment.updated_at.timestamp()) if appointment.updated_at else 0)
    return event


def appointment_ics(appointment: Appointment) -> bytes:
    """A calendar file holding this appointment."""
    cal = _calendar(catalog.label(catalog.SERVICE_TYPES, appointment.service_type.code))
    cal.add("method", "PUBLISH")
    cal.add_component(_event(appointment))
    cal.add_missing_timezones()
    return cal.to_ical()


def feed_ics(name: str, appointments: Iterable[Appointment]) -> bytes:
    """A subscribable calendar of ``appointments`` (a lawyer's requested and confirmed ones)."""
    cal = _calendar(name)
    for appointment in appointments:
        cal.add_component(_event(appointment))
    cal.add_missing_timezones()
    return cal.to_ical()
