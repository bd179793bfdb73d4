"""Vocabulary of bookings: services, modes, appointment statuses, and their audit actions."""

from __future__ import annotations

from enum import StrEnum

from flask_babel import lazy_gettext as _l


class Status(StrEnum):
    """The stored appointment status codes (DESIGN.md)."""

    REQUESTED = "requested"
    CONFIRMED = "confirmed"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    DECLINED = "declined"
    NO_SHOW = "no_show"


class Mode(StrEnum):
    """How an appointment is held."""

    ONSITE = "onsite"
    VIDEO = "video"
    PHONE = "phone"


#: Appointments in these states are still ahead of both sides (they can be cancelled or moved).
OPEN_STATUSES = (Status.REQUESTED, Status.CONFIRMED)
#: Appointments in these states take up a lawyer's time (and count towards the weekly load).
ACTIVE_STATUSES = (Status.REQUESTED, Status.CONFIRMED, Status.COMPLETED, Status.NO_SHOW)

SERVICE_TYPES = {
    "consultation": _l("Legal consultation"),
    "checkup": _l("Legal checkup"),
    "contract_review": _l("Contract review"),
    "labor": _l("Labour and employment advice"),
    "dispute": _l("Dispute resolution advice"),
    "legal_aid": _l("Legal aid"),
}

SERVICE_DESCRIPTIONS = {
    "consultation": _l("A conversation with a lawyer about a legal question of your business."),
    "checkup": _l("A structured review of your company's legal risks, with written findings."),
    "contract_review": _l("A lawyer reviews a contract with you before you sign."),
    "labor": _l("Employment contracts, social insurance, dismissals and labour disputes."),
    "dispute": _l("Options and next steps when a dispute with a customer or supplier arises."),
    "legal_aid": _l("Help for small enterprises and employees who need free legal aid."),
}

#: code: (duration in minutes, allowed modes, lawyer must confirm first, matching topics)
SERVICE_DEFAULTS: dict[str, tuple[int, str, bool, str]] = {
    "consultation": (30, "onsite,video,phone", True, ""),
    "checkup": (90, "onsite", True, "company_law,contracts,labor"),
    "contract_review": (60, "onsite,video", True, "contracts"),
    "labor": (60, "onsite,video,phone", False, "labor"),
    "dispute": (60, "onsite,video", True, "disputes"),
    "legal_aid": (30, "onsite,phone", False, ""),
}

MODES = {
    "onsite": _l("On site at the park service station"),
    "video": _l("Video call"),
    "phone": _l("Phone call"),
}

APPOINTMENT_STATUSES = {
    "requested": _l("Requested"),
    "confirmed": _l("Confirmed"),
    "completed": _l("Completed"),
    "cancelled": _l("Cancelled"),
    "declined": _l("Declined"),
    "no_show": _l("No-show"),
}

#: The 政务服务"好差评" scale: stored 5 (非常满意) … 1 (非常不满意), shown best first.
RATINGS = {
    5: _l("Very satisfied"),
    4: _l("Satisfied"),
    3: _l("Basically satisfied"),
    2: _l("Dissatisfied"),
    1: _l("Very dissatisfied"),
}

#: Audit log actions (the stored codes) → what staff read.
AUDIT_ACTIONS = {
    "booking.created": _l("Booking made"),
    "booking.confirmed": _l("Booking confirmed"),
    "booking.declined": _l("Booking request declined"),
    "booking.cancelled": _l("Booking cancelled"),
    "booking.rescheduled": _l("Booking rescheduled"),
    "booking.completed": _l("Appointment completed"),
    "booking.no_show": _l("No-show recorded"),
    "booking.rated": _l("Service rated"),
    "booking.rating_changed": _l("Rating changed"),
    "booking.accepted": _l("New time agreed by the enterprise"),
    "booking.summary_added": _l("Added to the summary"),
}

#: Audit log object types → what staff read.
AUDIT_OBJECTS = {
    "appointment": _l("Booking"),
    "feedback": _l("Rating"),
}

#: Audit details → what staff read.
AUDIT_DETAILS = {
    "service": _l("Service"),
    "start": _l("Time"),
    "new_id": _l("New booking"),
    "rescheduled_from": _l("Moved from booking"),
    "rating": _l("Rating"),
    "moved_from": _l("Previous time"),
    "move_reason": _l("Reason for the move"),
    "addition": _l("Addition"),
}

#: Detail values → what staff read.
AUDIT_VALUES = {**APPOINTMENT_STATUSES, **SERVICE_TYPES}

#: Object types → the page that shows one.
AUDIT_LINKS = {"appointment": ("bookings.detail", "booking_id")}
