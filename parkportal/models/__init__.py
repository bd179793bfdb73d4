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
from .notify import Notification, OutboxMessage
from .user import SignIn, User

__all__ = [
    "Appointment",
    "AuditLog",
    "AvailabilityException",
    "AvailabilityRule",
    "BookingUnit",
    "Enterprise",
    "Feedback",
    "LawyerProfile",
    "Notification",
    "OutboxMessage",
    "ServiceType",
    "SignIn",
    "User",
]
