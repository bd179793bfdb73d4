"""How a meeting happens — one answer for the booking page, its e-mails and its calendar file.

On site: the station's address and phone; video: the meeting link (the one given on confirming, else the
lawyer's default room); phone: who calls whom at which number. Rendered in the current language.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _

from ..core.errors import Invalid
from ..models import Appointment
from .vocab import Mode


@dataclass(frozen=True)
class Meeting:
    """Where and how: a sentence for people (``how``), the calendar LOCATION, and a link to join (video)."""

    how: str
    location: str
    url: str | None = None


def station_phone() -> str:
    """The service station's phone (``SERVICE_STATION_PHONE``)."""
    return current_app.config["SERVICE_STATION_PHONE"]


def _english() -> bool:
    """Whether the current language is English (the station's address has an English version)."""
    locale = get_locale()
    return locale is not None and locale.language == "en"


def station_address() -> str:
    """The station's address in the current language, after the park's name."""
    config = current_app.config
    if _english():
        return f"{config['SERVICE_STATION_ADDRESS_EN']}, {config['PARK_NAME_EN']}"
    return f"{config['PARK_NAME']} {config['SERVICE_STATION_ADDRESS']}"


def check_link(value: str | None, field: str = "meeting_link") -> str | None:
    """A meeting link as given (stripped), ``None`` when empty; Invalid unless it is an https URL with a host."""
    text = (value or "").strip()
    if not text:
        return None
    parts = urlsplit(text)
    if parts.scheme != "https" or not parts.hostname or len(text) > 500 or any(c.isspace() for c in text):
        raise Invalid(_("Enter the meeting link as an https:// address, e.g. https://meeting.tencent.com/dm/…"), field)
    return text


def video_link(appointment: Appointment) -> str | None:
    """The link to join a video appointment: the one given on confirming, else the lawyer's default room."""
    if appointment.meeting_link:
        return appointment.meeting_link
    profile = appointment.lawyer.lawyer_profile if appointment.lawyer else None
    return profile.video_room if profile else None


def contact(appointment: Appointment) -> tuple[str, str | None, str | None]:
    """The enterprise's contact person, phone and e-mail (the enterprise record, else the user who booked)."""
    enterprise = appointment.enterprise
    booker = appointment.created_by if appointment.created_by and appointment.created_by.is_enterprise else None
    users = [u for u in enterprise.users if u.active]
    person = booker or (users[0] if users else None)
    name = enterprise.contact_name or (person.name if person else enterprise.name)
    phone = enterprise.phone or (person.phone if person else None)
    email = person.email if person else None
    return name, phone, email


def details(appointment: Appointment) -> Meeting:
    """How ``appointment`` is held, in the current language."""
    if appointment.mode == Mode.VIDEO:
        link = video_link(appointment)
        if link:
            return Meeting(_("Video call. Join at %(link)s", link=link), link, link)
        return Meeting(
            _("Video call. The lawyer sends the meeting link when confirming; it will appear here."),
            _("Video call"),
        )
    if appointment.mode == Mode.PHONE:
        name, phone, _email = contact(appointment)
        lawyer = appointment.lawyer.name if appointment.lawyer else _("The lawyer")
        if phone:
            how = _("Phone call. %(lawyer)s calls %(contact)s at %(phone)s.", lawyer=lawyer, contact=name, phone=phone)
        else:
            how = _(
                "Phone call. %(lawyer)s calls %(contact)s; please add a phone number to your enterprise's details.",
                lawyer=lawyer,
                contact=name,
            )
        return Meeting(how, _("Phone: %(phone)s", phone=phone or name))
    address = station_address()
    return Meeting(
        _("At the park service station: %(address)s. Station phone: %(phone)s", address=address, phone=station_phone()),
        address,
    )
