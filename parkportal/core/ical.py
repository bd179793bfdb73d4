"""iCalendar files, built one way for every area (appointments now, events next).

Times carry TZID of the display time zone with its VTIMEZONE, so every calendar app shows the same wall-clock
time; UIDs are stable per record (``<kind>-<id>@<host>``), and a record that moves keeps its UID while its
SEQUENCE grows, so calendars move the entry instead of adding a second one. icalendar escapes the text.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from flask import current_app
from icalendar import Calendar, Event

from ..timeutil import to_local, utcnow


def uid(kind: str, ident: int) -> str:
    """The stable UID of record ``ident`` of ``kind`` (e.g. ``appointment-12@portal.example.cn``: the host of the
    public address, as every link in the file)."""
    return f"{kind}-{ident}@{current_app.public_address().hostname}"


def calendar(name: str, method: str | None = None) -> Calendar:
    """An empty calendar called ``name`` in the display time zone (``method`` e.g. PUBLISH for single files)."""
    cal = Calendar()
    cal.add("prodid", "-//parkportal//Park legal services//ZH")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", current_app.config["DISPLAY_TIMEZONE"])
    return cal


def event(
    *,
    uid: str,
    start: datetime,
    end: datetime,
    summary: str,
    description: str = "",
    location: str = "",
    url: str = "",
    status: str = "CONFIRMED",
    sequence: int = 0,
) -> Event:
    """One calendar entry with local times (aware datetimes are shown in the display time zone)."""
    entry = Event()
    entry.add("uid", uid)
    entry.add("dtstamp", utcnow())
    entry.add("dtstart", to_local(start))
    entry.add("dtend", to_local(end))
    entry.add("summary", summary)
    if description:
        entry.add("description", description)
    if location:
        entry.add("location", location)
    if url:
        entry.add("url", url)
    entry.add("status", status)
    entry.add("sequence", sequence)
    return entry


def to_bytes(name: str, events: Iterable[Event], method: str | None = None) -> bytes:
    """A calendar file called ``name`` holding ``events``, with the time zones they use."""
    cal = calendar(name, method)
    for entry in events:
        cal.add_component(entry)
    cal.add_missing_timezones()
    return cal.to_ical()
