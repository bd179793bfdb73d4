"""Vocabulary of enterprises: industries, sizes, statuses, sources, and their audit actions."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..core.parsing import parse_int

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
    "rejected": _l("Returned for correction"),
    "verified": _l("Verified"),
    "archived": _l("Archived"),
}

ENTERPRISE_SOURCES = {
    "self_registered": _l("Self-registered"),
    "imported": _l("Imported from the roster"),
}

#: Words people write for an industry (roster files, scripts) → its code.
INDUSTRY_KEYWORDS = {
    "manufacturing": ("制造", "机械", "装备", "电子", "manufactur"),
    "software": ("软件", "信息", "互联网", "科技", "software", "information"),
    "ecommerce": (
        "电商",
        "电子商务",
        "贸易",
        "批发",
        "零售",
        "商贸",
        "e-commerce",
        "ecommerce",
        "trade",
        "wholesale",
        "retail",
    ),
    "biotech": ("医药", "生物", "医疗", "健康", "bio", "medic", "health"),
    "new_energy": ("新能源", "材料", "光伏", "储能", "energy", "material"),
    "culture": ("文化", "创意", "设计", "传媒", "culture", "creative", "media"),
    "logistics": ("物流", "供应链", "仓储", "运输", "logistic", "supply"),
    "finance": ("金融", "财务", "商务", "咨询", "人力", "finance", "business", "consult"),
    "construction": ("建筑", "工程", "装饰", "construct", "engineer"),
}


def industry_labels() -> dict[str, str]:
    """Every industry's label in the portal's languages, lower-cased → its code (build once for many rows)."""
    from flask import current_app
    from flask_babel import force_locale

    found: dict[str, str] = {}
    for locale in current_app.config["LANGUAGES"]:
        with force_locale(locale):
            found.update({str(label_).lower(): code for code, label_ in INDUSTRIES.items()})
    return found


def industry_code(value: str | None, labels: dict[str, str] | None = None) -> str | None:
    """The industry code for a code, a label (in any of the portal's languages) or a free description; ``None`` when
    empty. ``labels`` is ``industry_labels()``, passed in when many values are read at once."""
    text = (value or "").strip()
    if not text:
        return None
    if text in INDUSTRIES:
        return text
    lowered = text.lower()
    code = (labels if labels is not None else industry_labels()).get(lowered)
    if code is not None:
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
    count = parse_int(text, 1)
    if count is None:
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
    "enterprise.rejected": _l("Registration returned for correction"),
    "enterprise.resubmitted": _l("Corrected registration resubmitted"),
    "enterprise.updated": _l("Enterprise details changed"),
    "enterprise.roster_imported": _l("Roster imported"),
}

#: Audit log object types → what staff read.
AUDIT_OBJECTS = {
    "enterprise": _l("Enterprise"),
}

#: Audit details → what staff read.
AUDIT_DETAILS = {
    "uscc": _l("Unified social credit code"),
    "fields": _l("Changed"),
    "note": _l("Note"),
    "file": _l("File"),
    "create": _l("New enterprises"),
    "update": _l("Updated"),
    "unchanged": _l("Unchanged"),
    "skip": _l("Rows skipped"),
}

#: Detail values → what staff read.
AUDIT_VALUES = {**ENTERPRISE_STATUSES, **ENTERPRISE_SOURCES}

#: Object types → the page that shows one.
AUDIT_LINKS = {"enterprise": ("enterprises.detail", "enterprise_id")}
