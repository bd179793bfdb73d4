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
from .checkups import Checkup, Finding, Questionnaire, ReportRevision
from .enterprise import Enterprise
from .notify import Notification, OutboxMessage
from .user import User

__all__ = [
    "Appointment",
    "AuditLog",
    "AvailabilityException",
    "AvailabilityRule",
    "BookingUnit",
    "Checkup",
    "Enterprise",
    "Feedback",
    "Finding",
    "LawyerProfile",
    "Notification",
    "OutboxMessage",
    "Questionnaire",
    "ReportRevision",
    "ServiceType",
    "User",
]
