"""Vocabulary of checkups: risk levels (红/黄/绿), finding states, report states, and their audit actions."""

from __future__ import annotations

from enum import StrEnum

from flask_babel import lazy_gettext as _l


class Level(StrEnum):
    """The stored risk level codes (DESIGN.md), most serious first."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class FindingStatus(StrEnum):
    """A finding is open until the enterprise reports it corrected and the lawyer or staff confirm it."""

    OPEN = "open"
    CORRECTED = "corrected"
    CONFIRMED = "confirmed"


class ReportStatus(StrEnum):
    """A report is a draft until the lawyer issues it; a change after issuing makes a draft of the next revision."""

    DRAFT = "draft"
    ISSUED = "issued"


RISK_LEVELS = {
    "high": _l("High risk (red)"),
    "medium": _l("Medium risk (yellow)"),
    "low": _l("Low risk (green)"),
}

#: The one-character colour names the park's reports use.
RISK_COLOURS = {
    "high": _l("Red"),
    "medium": _l("Yellow"),
    "low": _l("Green"),
}

FINDING_STATUSES = {
    "open": _l("Open"),
    "corrected": _l("Corrected, awaiting confirmation"),
    "confirmed": _l("Correction confirmed"),
}

REPORT_STATUSES = {
    "draft": _l("Report in preparation"),
    "issued": _l("Report issued"),
}

QUESTION_KINDS = {
    "yesno": _l("Yes / no"),
    "single": _l("Single choice"),
    "multiple": _l("Multiple choice"),
    "text": _l("Short text"),
}

YES_NO = {
    "yes": _l("Yes"),
    "no": _l("No"),
}

#: Audit log actions (the stored codes) → what staff read.
AUDIT_ACTIONS = {
    "checkup.answers_saved": _l("Checkup questionnaire saved as a draft"),
    "checkup.answers_finished": _l("Checkup questionnaire finished"),
    "checkup.finding_added": _l("Checkup finding recorded"),
    "checkup.finding_removed": _l("Draft checkup finding removed"),
    "checkup.report_issued": _l("Checkup report issued"),
    "checkup.report_revised": _l("Checkup report revision issued"),
    "checkup.report_downloaded": _l("Checkup report downloaded as PDF"),
    "checkup.finding_corrected": _l("Checkup finding marked corrected"),
    "checkup.correction_confirmed": _l("Checkup correction confirmed"),
    "checkup.correction_returned": _l("Checkup correction sent back"),
    "checkup.follow_up_reminded": _l("Checkup follow-up reminder sent"),
    "checkup.questionnaire_loaded": _l("Checkup questionnaire version loaded"),
}

#: Audit log object types → what staff read.
AUDIT_OBJECTS = {
    "checkup": _l("Legal checkup"),
    "checkup_finding": _l("Checkup finding"),
    "questionnaire": _l("Checkup questionnaire"),
}
