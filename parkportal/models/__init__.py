"""The data model, one module per aggregate; import from here."""

from .audit import AuditLog
from .booking import (
    Appointment,
    AppointmentMove,
    AvailabilityException,
    AvailabilityRule,
    BookingUnit,
    Feedback,
    HeldDay,
    LawyerProfile,
    ServiceType,
)
from .checkups import AreaCount, AreaEnterprise, Checkup, Finding, FindingCount, Questionnaire, ReportRevision
from .coverage import ApiToken, CoverageVersion, Need, TouchCount, TouchTopicCount, TouchTotal
from .enterprise import Enterprise
from .events import Event, EventTopic, Registration, event_speaker
from .health import HealthProbe
from .library import Compilation, CompilationReach, CompilationTopic, Download, PrintedCopy
from .notify import Notification, OutboxMessage
from .ratelimit import RateLimitWindow
from .user import SignIn, User

__all__ = [
    "ApiToken",
    "CoverageVersion",
    "AreaCount",
    "AreaEnterprise",
    "Need",
    "TouchCount",
    "TouchTopicCount",
    "TouchTotal",
    "Appointment",
    "AppointmentMove",
    "AuditLog",
    "AvailabilityException",
    "AvailabilityRule",
    "BookingUnit",
    "Compilation",
    "CompilationReach",
    "CompilationTopic",
    "Download",
    "Checkup",
    "Enterprise",
    "Event",
    "EventTopic",
    "Feedback",
    "HealthProbe",
    "HeldDay",
    "Finding",
    "FindingCount",
    "LawyerProfile",
    "Notification",
    "OutboxMessage",
    "Registration",
    "PrintedCopy",
    "RateLimitWindow",
    "Questionnaire",
    "ReportRevision",
    "ServiceType",
    "SignIn",
    "User",
    "event_speaker",
]
