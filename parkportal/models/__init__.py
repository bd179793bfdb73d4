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
from .library import Compilation, CompilationTopic, Download, PrintedCopy
from .notify import Notification, OutboxMessage
from .user import User

__all__ = [
    "Appointment",
    "AuditLog",
    "AvailabilityException",
    "AvailabilityRule",
    "BookingUnit",
    "Compilation",
    "CompilationTopic",
    "Download",
    "Enterprise",
    "Feedback",
    "LawyerProfile",
    "Notification",
    "OutboxMessage",
    "PrintedCopy",
    "ServiceType",
    "User",
]
