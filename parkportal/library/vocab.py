"""Vocabulary of the library: file kinds, where printed copies were handed out, and the audit actions."""

from __future__ import annotations

from enum import StrEnum

from flask_babel import lazy_gettext as _l


class Kind(StrEnum):
    """The stored file kinds (decided by the file's content, never by its name)."""

    PDF = "pdf"
    DOCX = "docx"
    XLSX = "xlsx"


FILE_KINDS = {
    "pdf": _l("PDF document"),
    "docx": _l("Word document"),
    "xlsx": _l("Excel workbook"),
}

#: Where printed copies were handed out.
HANDOUT_PLACES = {
    "event": _l("At an event"),
    "station": _l("At the park service station"),
}

#: Audit log actions (the stored codes) → what staff read.
AUDIT_ACTIONS = {
    "library.uploaded": _l("Compilation uploaded"),
    "library.published": _l("Compilation published"),
    "library.unpublished": _l("Compilation unpublished"),
    "library.printed": _l("Printed copies recorded"),
}

#: Audit log object types → what staff read.
AUDIT_OBJECTS = {
    "compilation": _l("Compilation"),
    "printed_copy": _l("Printed copies"),
}
