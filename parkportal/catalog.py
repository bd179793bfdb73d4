"""The fixed vocabularies of DESIGN.md: codes are stored, labels are translated at display time."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice

INDUSTRIES = {
    "manufacturing": _l("Advanced manufacturing"),
    "software": _l("Software and information services"),
    "ecommerce": _l("E-commerce and digital trade"),
    "biotech": _l("Biomedicine and health"),
    "new_energy": _l("New energy and materials"),
    "culture": _l("Culture and creative industries"),
    "logistics": _l("Logistics and supply chain"),
    "finance": _l("Finance and business services"),
    "construction": _l("Construction and engineering"),
    "other": _l("Other"),
}

EMPLOYEE_BANDS = {
    "1-9": _l("1–9 people"),
    "10-49": _l("10–49 people"),
    "50-99": _l("50–99 people"),
    "100-299": _l("100–299 people"),
    "300+": _l("300 people or more"),
}

ENTERPRISE_STATUSES = {
    "pending": _l("Verification pending"),
    "verified": _l("Verified"),
    "archived": _l("Archived"),
}

ENTERPRISE_SOURCES = {
    "self_registered": _l("Self-registered"),
    "imported": _l("Imported from the roster"),
}

ROLES = {
    "enterprise": _l("Enterprise user"),
    "lawyer": _l("Lawyer"),
    "staff": _l("Park staff"),
}

TOPICS = {
    "company_law": _l("Company law"),
    "contracts": _l("Contracts"),
    "labor": _l("Labour and employment"),
    "ip": _l("Intellectual property"),
    "tax": _l("Tax"),
    "safety": _l("Work safety"),
    "data_privacy": _l("Data and privacy"),
    "disputes": _l("Disputes and litigation"),
    "other": _l("Other"),
}

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

EVENT_CATEGORIES = {
    "lecture": _l("Lecture"),
    "training": _l("Training"),
    "checkup_day": _l("Legal checkup day"),
    "consultation_day": _l("Consultation day"),
    "campaign": _l("Awareness campaign"),
}

WEEKDAYS = {
    1: _l("Monday"),
    2: _l("Tuesday"),
    3: _l("Wednesday"),
    4: _l("Thursday"),
    5: _l("Friday"),
    6: _l("Saturday"),
    7: _l("Sunday"),
}


def choices(mapping: dict, blank: str | None = None) -> list[tuple[str, str]]:
    """(code, label) pairs from a code → label mapping, optionally led by a blank prompt."""
    items = [(str(code), label) for code, label in mapping.items()]
    return ([("", blank)] if blank is not None else []) + items


def select_choices(mapping: dict, blank: str | None = None) -> list[SelectChoice]:
    """WTForms choices from a code → label mapping (``SelectChoice``: WTForms 3.3 deprecates plain tuples)."""
    return [SelectChoice(code, label) for code, label in choices(mapping, blank)]


def label(mapping: dict, code: object) -> str:
    """The translated label of a code, or the code itself when unknown."""
    value = mapping.get(code)
    return str(value) if value is not None else str(code or "")


def labels(mapping: dict, codes) -> list[str]:
    """The translated labels of several codes, in order (join them with ``i18n.format_list``)."""
    return [label(mapping, code) for code in codes]


#: Words people write for an industry (roster files, scripts) → its code.
INDUSTRY_KEYWORDS = {
    "manufacturing": ("制造", "机械", "装备", "电子", "manufactur"),
    "software": ("软件", "信息", "互联网", "科技", "software", "information"),
    "ecommerce": ("电商", "电子商务", "贸易", "e-commerce", "ecommerce", "trade"),
    "biotech": ("医药", "生物", "医疗", "健康", "bio", "medic", "health"),
    "new_energy": ("新能源", "材料", "光伏", "储能", "energy", "material"),
    "culture": ("文化", "创意", "设计", "传媒", "culture", "creative", "media"),
    "logistics": ("物流", "供应链", "仓储", "运输", "logistic", "supply"),
    "finance": ("金融", "财务", "商务", "咨询", "人力", "finance", "business", "consult"),
    "construction": ("建筑", "工程", "装饰", "construct", "engineer"),
}


def industry_code(value: str | None) -> str | None:
    """The industry code for a code, a label or a free description; ``None`` when empty."""
    text = (value or "").strip()
    if not text:
        return None
    if text in INDUSTRIES:
        return text
    lowered = text.lower()
    for code, label_ in INDUSTRIES.items():
        if lowered == str(label_).lower():
            return code
    for code, words in INDUSTRY_KEYWORDS.items():
        if any(word in lowered for word in words):
            return code
    return "other"


def employee_band(value: str | int | None) -> str | None:
    """The employee band for a band code or a head count; ``None`` when it can't be read."""
    text = str(value if value is not None else "").strip().replace("人", "")
    if text in EMPLOYEE_BANDS:
        return text
    if not text.isdigit():
        return None
    count = int(text)
    if count < 1:
        return None
    for band, upper in (("1-9", 9), ("10-49", 49), ("50-99", 99), ("100-299", 299)):
        if count <= upper:
            return band
    return "300+"


#: Audit log actions (the stored codes) → what staff read.
AUDIT_ACTIONS = {
    "enterprise.registered": _l("Enterprise registered"),
    "enterprise.verified": _l("Enterprise verified"),
    "enterprise.archived": _l("Enterprise archived"),
    "enterprise.pending": _l("Enterprise reopened for verification"),
    "user.created": _l("Account created"),
    "user.invited": _l("Colleague invited"),
    "user.joined": _l("Invited colleague joined"),
    "user.activated": _l("Account reactivated"),
    "user.deactivated": _l("Account deactivated"),
    "user.password_changed": _l("Password changed"),
    "user.password_reset": _l("Password reset by e-mail link"),
    "booking.created": _l("Booking made"),
    "booking.confirmed": _l("Booking confirmed"),
    "booking.declined": _l("Booking request declined"),
    "booking.cancelled": _l("Booking cancelled"),
    "booking.rescheduled": _l("Booking rescheduled"),
    "booking.completed": _l("Appointment completed"),
    "booking.no_show": _l("No-show recorded"),
    "booking.rated": _l("Service rated"),
    "availability.rule_added": _l("Weekly availability added"),
    "availability.rule_removed": _l("Weekly availability removed"),
    "availability.exception_added": _l("Day off or extra hours added"),
    "availability.exception_removed": _l("Day off or extra hours removed"),
    "availability.specialties": _l("Specialties changed"),
    "availability.feed_regenerated": _l("Calendar address renewed"),
}

#: Audit log object types (table names) → what staff read.
AUDIT_OBJECTS = {
    "enterprise": _l("Enterprise"),
    "user_account": _l("Account"),
    "appointment": _l("Booking"),
    "lawyer_profile": _l("Lawyer"),
    "availability_rule": _l("Weekly availability"),
    "availability_exception": _l("Day off or extra hours"),
    "feedback": _l("Rating"),
    "system": _l("System"),
}
