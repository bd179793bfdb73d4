"""The data model, one module per aggregate; import from here."""

from .audit import AuditLog
from .booking import (
    Appointment,
    AvailabilityException,
    AvailabilityRule,
    BookingUnit,
    Feedback,
    LawyerProfile,
    ServiceType,
)
from .enterprise import Enterprise
from .events import Event, EventTopic, Registration, event_speaker
from .notify import Notification, OutboxMessage
from .user import User

__all__ = [
    "Appointment",
    "AuditLog",
    "AvailabilityException",
    "AvailabilityRule",
    "BookingUnit",
    "Enterprise",
    "Event",
    "EventTopic",
    "Feedback",
    "LawyerProfile",
    "Notification",
    "OutboxMessage",
    "Registration",
    "ServiceType",
    "User",
    "event_speaker",
]
