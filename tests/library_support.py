"""Test files for the library (a real one-page PDF, DOCX and XLSX, made in memory) and a compilation factory."""

from __future__ import annotations

import io
import itertools
import zipfile

from parkportal.extensions import db
from parkportal.library import service
from parkportal.models import Compilation, User

_serial = itertools.count(1)


def pdf_bytes(text: str = "Legal practice", *, catalog: bytes = b"") -> bytes:
    """A valid one-page PDF (A4, one line of Helvetica text) that PDF readers and pdfium can draw; ``catalog`` is
    written into its catalog dictionary as it is.

    Each call with new text gives a new file (and so a new SHA-256).
    """
    stream = f"BT /F1 24 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog + b">>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
EXCEL_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
WORD_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def content_types(overrides: dict[str, str], defaults: dict[str, str] | None = None) -> str:
    """A ``[Content_Types].xml`` naming each part's content type (``overrides``: part name → type)."""
    defaults = {"rels": "application/vnd.openxmlformats-package.relationships+xml", "xml": "application/xml"} | (
        defaults or {}
    )
    entries = [f'<Default Extension="{ext}" ContentType="{kind}"/>' for ext, kind in defaults.items()]
    entries += [f'<Override PartName="/{part}" ContentType="{kind}"/>' for part, kind in overrides.items()]
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' + "".join(entries) + "</Types>"
    )


def office_bytes(
    parts: dict[str, str | bytes], overrides: dict[str, str] | None = None, *, types: str | None = None
) -> bytes:
    """A zip holding the given parts and ``[Content_Types].xml`` (``types``, else one naming ``overrides``)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", types if types is not None else content_types(overrides or {}))
        for name, body in parts.items():
            archive.writestr(name, body)
    return out.getvalue()


def word_document(text: str) -> str:
    """The main part of a DOCX holding one paragraph of ``text``."""
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{WORD_NS}">'
        f"<w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>"
    )


def docx_bytes(text: str = "合同", *, extra: dict[str, str | bytes] | None = None, **overrides: str) -> bytes:
    """A minimal real DOCX (content types, package relationship, ``word/document.xml``), plus ``extra`` parts."""
    relationships = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Target="word/document.xml" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>'
        "</Relationships>"
    )
    parts = {"_rels/.rels": relationships, "word/document.xml": word_document(text)} | (extra or {})
    return office_bytes(parts, {"word/document.xml": WORD_MAIN} | overrides)


def xlsx_bytes(text: str = "台账") -> bytes:
    """A real XLSX written by openpyxl, ``text`` in its first cell."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active["A1"] = text
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def compilation(
    actor: User,
    title: str = "企业法律实务汇编",
    edition: str = "2025年版",
    *,
    data: bytes | None = None,
    name: str | None = None,
    summary: str = "新《公司法》、劳动用工、合同管理的实务要点。",
    topics: tuple[str, ...] = ("company_law", "contracts"),
    published: bool = True,
    year: int = 2025,
    previous: Compilation | None = None,
) -> Compilation:
    """A compilation uploaded through the domain (a fresh PDF unless ``data`` is given); flushed."""
    serial = next(_serial)
    data = data if data is not None else pdf_bytes(f"Compilation {serial}")
    row = service.upload(
        actor=actor,
        title=title,
        edition=edition,
        year=year,
        summary=summary,
        topics=list(topics),
        published=published,
        filename=name or f"{title}.pdf",
        stream=io.BytesIO(data),
        previous=previous,
    )
    db.session.flush()
    return row
