"""Vocabulary of coverage: service channels, where a need came from, its states, and the audit actions."""

from __future__ import annotations

from enum import StrEnum

from flask_babel import lazy_gettext as _l


class Channel(StrEnum):
    """The stored channel codes of a service touch (the API's ``touches`` keys)."""

    CONSULTATION = "consultation"
    CHECKUP = "checkup"
    EVENT = "event"
    DOWNLOAD = "download"
    PRINTED = "printed"


CHANNELS = {
    "consultation": _l("Consultations"),
    "checkup": _l("Legal checkups"),
    "event": _l("Events attended"),
    "download": _l("Downloads"),
    "printed": _l("Printed copies"),
}

NEED_SOURCES = {
    "profile": _l("On its profile"),
    "registration": _l("At registration"),
    "after_service": _l("After a service"),
    "phone": _l("By phone (staff)"),
    "visit": _l("On a visit (staff)"),
}

#: The channels staff record a need through.
STAFF_NEED_SOURCES = ("phone", "visit")

NEED_STATUSES = {
    "open": _l("Open"),
    "addressed": _l("Addressed"),
}

AUDIT_ACTIONS = {
    "need.stated": _l("Legal need stated"),
    "need.addressed": _l("Legal need addressed"),
    "api_token.issued": _l("API token issued"),
    "api_token.revoked": _l("API token revoked"),
}

AUDIT_OBJECTS = {
    "need": _l("Legal need"),
    "api_token": _l("API token"),
}

AUDIT_DETAILS = {
    "topic": _l("Topic"),
    "source": _l("Source"),
    "name": _l("Name"),
}

AUDIT_VALUES = {**NEED_SOURCES}
