"""The vocabularies every area shares (legal topics, roles) and the helpers that turn codes into labels.

Each area owns its own vocabulary in its ``vocab.py`` (statuses, modes, categories, audit actions); codes are
stored, labels are translated at display time. Templates see every area's vocabulary merged as ``catalog``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint
from wtforms import SelectChoice

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


class Role(StrEnum):
    """The stored role codes."""

    ENTERPRISE = "enterprise"
    LAWYER = "lawyer"
    STAFF = "staff"


def choices(mapping: dict, blank: str | None = None) -> list[tuple[str, str]]:
    """(code, label) pairs from a code → label mapping, optionally led by a blank prompt."""
    items = [(str(code), label) for code, label in mapping.items()]
    return ([("", blank)] if blank is not None else []) + items


def select_choices(mapping: dict, blank: str | None = None) -> list[SelectChoice]:
    """WTForms choices from a code → label mapping (``SelectChoice``: WTForms 3.3 deprecates plain tuples)."""
    return [SelectChoice(code, label) for code, label in choices(mapping, blank)]


#: Translated labels by (label object, language): a list page shows the same few labels hundreds of times, and
#: each translation through Flask-Babel costs several context look-ups. An entry holds the label object itself, so
#: its id can't be reused while cached; the memo is emptied when it grows past ``MEMO_SIZE`` (labels made on the fly).
_translated: dict[tuple[int, object], tuple[object, str]] = {}
MEMO_SIZE = 4096


#: ``label``'s default language: the request's, asked of Flask-Babel on each call.
REQUEST_LANGUAGE: Any = object()


def label(mapping: dict, code: object, language: Any = REQUEST_LANGUAGE) -> str:
    """The translated label of a code, or the code itself when unknown.

    ``language`` is the Babel locale to translate into when the caller knows it (a template render binds it once:
    asking Flask-Babel costs several context look-ups, and a list asks hundreds of times); None: untranslated.
    """
    value = mapping.get(code)
    if value is None:
        return str(code or "")
    return translate(value, language)


def translate(value: object, language: Any = REQUEST_LANGUAGE) -> str:
    """A label (a lazy translation, or plain text) as text in ``language``, remembered per label and language."""
    if language is REQUEST_LANGUAGE:
        language = get_locale()
    if isinstance(value, str) or language is None:
        return str(value)
    key = (id(value), language)
    known = _translated.get(key)
    if known is None:
        if len(_translated) >= MEMO_SIZE:
            _translated.clear()
        known = _translated[key] = (value, str(value))
    return known[1]


class Labels(dict):
    """The translated labels of one code → label mapping in one language, each translated when first asked for
    (``labels[code]``): a list asks for the same few labels on every row."""

    def __init__(self, mapping: dict, language: Any = REQUEST_LANGUAGE):
        super().__init__()
        self.mapping = mapping
        self.language = get_locale() if language is REQUEST_LANGUAGE else language

    def __missing__(self, code: object) -> str:
        text = self[code] = label(self.mapping, code, self.language)
        return text


def labels(mapping: dict, codes, language: Any = REQUEST_LANGUAGE) -> list[str]:
    """The translated labels of several codes, in order (join them with ``i18n.format_list``)."""
    if language is REQUEST_LANGUAGE:
        language = get_locale()
    return [label(mapping, code, language) for code in codes]


#: Audit log object types (table names) → what staff read; each area adds its own in its vocab.
AUDIT_OBJECTS = {
    "system": _l("System"),
}


def check_in(column: str, codes) -> CheckConstraint:
    """A CHECK constraint named after ``column`` that keeps it to ``codes`` (the contract's stored codes)."""
    listed = ", ".join("'" + str(code).replace("'", "''") + "'" for code in codes)
    return CheckConstraint(f"{column} IN ({listed})", name=column)


#: Audit details (the keys stored with an entry) → what staff read; areas add theirs. Unlisted keys aren't shown.
AUDIT_DETAILS = {
    "email": _l("E-mail"),
    "role": _l("Role"),
    "status": _l("Status"),
    "previous": _l("Before"),
    "reason": _l("Reason"),
    "via": _l("Done through"),
    "on_behalf": _l("On behalf of the enterprise"),
    "lawyer_id": _l("Lawyer"),
}

#: Stored codes that appear as detail values → what staff read (areas add theirs).
AUDIT_VALUES = {**ROLES, **TOPICS, "cli": _l("the command line")}

#: Object types → (endpoint, URL variable) of the page that shows one (areas add theirs).
AUDIT_LINKS: dict[str, tuple[str, str]] = {}
