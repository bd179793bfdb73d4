"""What an uploaded file is, decided by parsing it with real parsers — never by its name or its first bytes.

- **PDF**: it must end in ``%%EOF``, open in pypdf and in PDFium (the engine that draws the cover), have at least
  one page, not be encrypted, and hold no active content (JavaScript, actions that start programs, open other files
  or send data, actions that run by themselves, embedded files or media: ``pdfscan`` lists them). The PDF is read
  by ``pdfscan`` in a child process with a timeout and its own memory and CPU caps, so a hostile file costs the
  worker nothing but the wait. Such a PDF is **refused**, not stripped (``docs/security.md`` says why).
- **DOCX / XLSX**: a ZIP archive (Office Open XML) whose ``[Content_Types].xml`` declares exactly one main part,
  the Word document (``wordprocessingml.document.main+xml``) or the Excel workbook (``spreadsheetml.sheet.main+xml``),
  that part present and XML whose root is ``w:document`` or ``workbook``. Read through ``core.zipsafe`` (the one
  reader of uploaded ZIPs, which the roster's workbooks share), with this module's bounds: before anything is
  unpacked, members, declared sizes and the compression ratio of each member (Apache POI's rule: past 100 KiB no
  member may unpack to more than 100 times its compressed size); then every member is unpacked in chunks, never past
  its declared size, CRC checked, and every XML part is parsed by expat with no DTD (so no entity of any kind).
  Macros are refused whatever the case of their names: ``vbaProject.bin``, VBA data, Excel 4.0 macro sheets,
  ActiveX controls, and any macro-enabled content type. So is what runs or fetches something when the file is
  opened: embedded OLE objects and packaged files (by name, declared content type, or an OLE compound file's
  signature as content) and relationships to outside the file (``TargetMode="External"``) but hyperlinks.

``identify(stream)`` answers the kind, or raises ``Invalid`` on the ``file`` field naming what is wrong, in the
user's language. It reads the stream only; it writes nothing.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import BinaryIO
from urllib.parse import unquote
from xml.parsers import expat

from babel.lists import format_list
from flask_babel import get_locale
from flask_babel import gettext as _

from ..core import zipsafe
from ..core.errors import Invalid
from . import pdfscan
from .vocab import Kind

log = logging.getLogger(__name__)

# ------------------------------------------------------------------------------------------------ Office limits

#: More members than this is no document of ours (and would only cost time to list).
MAX_ZIP_MEMBERS = 10_000
#: The most all members of an Office file may unpack to, together (bytes).
MAX_UNPACKED_BYTES = 256 * 1024 * 1024
#: Past ``RATIO_GRACE_BYTES`` unpacked, no member may unpack to more than this many times its packed size.
MAX_RATIO = 100
RATIO_GRACE_BYTES = 100 * 1024

CONTENT_TYPES = "[Content_Types].xml"
CONTENT_TYPES_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
#: The main part's content type of each Office kind, and the root elements (namespace, name) it may have
#: (transitional and strict Office Open XML).
MAIN_PARTS = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": (
        Kind.DOCX,
        {
            ("http://schemas.openxmlformats.org/wordprocessingml/2006/main", "document"),
            ("http://purl.oclc.org/ooxml/wordprocessingml/main", "document"),
        },
    ),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": (
        Kind.XLSX,
        {
            ("http://schemas.openxmlformats.org/spreadsheetml/2006/main", "workbook"),
            ("http://purl.oclc.org/ooxml/spreadsheetml/main", "workbook"),
        },
    ),
}
#: Words in a content type (compared in lower case) that mean macros or ActiveX controls.
MACRO_CONTENT_TYPES = ("macroenabled", "vbaproject", "vbadata", "macrosheet", "activex", "ms-office.vba")
#: A member's folder (any case) that holds ActiveX controls or Excel 4.0 macro sheets.
MACRO_FOLDERS = {"activex", "macrosheets"}
#: How a member's file name (in lower case) that holds VBA begins.
MACRO_NAMES = ("vbaproject", "vbadata")
XML_SUFFIXES = (".xml", ".rels")
#: The first bytes of an OLE compound file: what embedded OLE objects, packaged files (Packager) and legacy Office
#: files are. No part of a plain DOCX or XLSX is one (macros and ActiveX, which also are, are refused as such).
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: How a member's file name (in lower case) that holds an OLE object begins, and a word in its content type.
OLE_NAME = "oleobject"
OLE_CONTENT_TYPE = "oleobject"
RELATIONSHIPS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
#: The one kind of relationship that may point outside the file: a hyperlink, followed only when clicked.
HYPERLINKS = {
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink",
    "http://purl.oclc.org/ooxml/officeDocument/relationships/hyperlink",
}
#: How many embedded objects or outside links a refusal names (the rest are counted).
NAMED_AT_MOST = 3

# ------------------------------------------------------------------------------------------------ PDF

#: The scanner run as a child process, and how long it may take (wall clock, seconds).
PDF_SCANNER = Path(__file__).with_name("pdfscan.py")
PDF_SECONDS = 20.0


def identify(stream: BinaryIO) -> Kind | None:
    """The file's kind by parsing it: ``None`` when it doesn't even look like a PDF or a ZIP; ``Invalid`` when it
    does but isn't a sound PDF, DOCX or XLSX without active content (the message names what is wrong)."""
    stream.seek(0)
    head = stream.read(8)
    if head.startswith(b"%PDF-"):
        stream.seek(0)
        check_pdf(stream.read())
        return Kind.PDF
    if head.startswith(b"PK\x03\x04"):
        return office_kind(stream)
    return None


# ------------------------------------------------------------------------------------------------ PDF


def _damaged_pdf() -> Invalid:
    """The refusal of a PDF that doesn't open."""
    return Invalid(
        _(
            "This PDF can't be opened: it is damaged or incomplete (its content was checked, not its name). "
            "Please export or save it again and upload the new file."
        ),
        "file",
    )


def check_pdf(data: bytes) -> None:
    """Refuse (``Invalid``) a PDF that doesn't open in pypdf and PDFium, has no page, is encrypted, too complex or
    too slow to read, or holds active content; the message names which. The PDF is read by ``pdfscan`` in a child
    process (bounded in time and memory), never in this one."""
    if b"%%EOF" not in data[-2048:]:
        raise _damaged_pdf()  # cut off before its end: readers may patch it up, but it isn't the whole file
    result = _scan(data)
    problem = result.get("problem")
    if problem == "encrypted":
        raise Invalid(
            _(
                "This PDF is encrypted or protected with a password, so its content can't be checked. "
                "Please upload a copy without protection."
            ),
            "file",
        )
    if problem == "no_pages":
        raise Invalid(_("This PDF has no pages."), "file")
    if problem == "complex":
        raise Invalid(
            _(
                "This PDF is too complex to check (more than %(count)d internal objects, or more than %(seconds)d "
                "seconds to read), more than a compilation needs; it is refused. Please export it again, for "
                "example split into smaller files.",
                count=pdfscan.MAX_OBJECTS,
                seconds=PDF_SECONDS,
            ),
            "file",
        )
    if problem is not None:
        raise _damaged_pdf()
    found = [item for item in pdfscan.ORDER if item in result.get("found", ())]
    if found:
        raise Invalid(
            _(
                "This PDF contains %(what)s, which a compilation may not hold. Please save it again without them "
                "(for example, print it to a new PDF) and upload that file.",
                what=format_list([_pdf_content_words(item) for item in found], locale=get_locale()),
            ),
            "file",
        )


def _scan(data: bytes) -> dict:
    """What ``pdfscan`` finds in ``data``, run as a child process; a child that overruns ``PDF_SECONDS``, hits its
    own caps or fails counts as ``complex``."""
    try:
        done = subprocess.run(
            [sys.executable, "-I", str(PDF_SCANNER)], input=data, capture_output=True, timeout=PDF_SECONDS, check=False
        )
    except subprocess.TimeoutExpired:
        log.warning("a PDF upload took more than %s s to read: refused", PDF_SECONDS)
        return {"problem": "complex"}
    except OSError:  # no process could be started: the file is refused, never let through unread
        log.exception("the PDF scanner could not be started")
        return {"problem": "complex"}
    try:
        result = json.loads(done.stdout) if done.returncode == 0 else None
    except ValueError:
        result = None
    if not isinstance(result, dict):
        log.warning(
            "the PDF scanner failed (exit %s): %s", done.returncode, done.stderr[-2000:].decode(errors="replace")
        )
        return {"problem": "complex"}
    return result


def _pdf_content_words(item: str) -> str:
    """The words for one kind of active content, in the user's language."""
    return {
        pdfscan.SCRIPT: _("JavaScript"),
        pdfscan.LAUNCH: _("actions that start programs, open other files or send data"),
        pdfscan.AUTOMATIC: _("actions that run by themselves when the file is opened or read"),
        pdfscan.EMBEDDED: _("embedded files or media"),
    }[item]


# ------------------------------------------------------------------------------------------------ Office


def _not_office() -> Invalid:
    """The refusal of a ZIP that is no Word or Excel file."""
    return Invalid(
        _(
            "This file is a ZIP archive but not a Word (.docx) or Excel (.xlsx) document: it doesn't declare a Word "
            "document or an Excel workbook (its content was checked, not its name). Please save it again from Word "
            "or Excel."
        ),
        "file",
    )


def _damaged_office() -> Invalid:
    """The refusal of a Word or Excel file that can't be unpacked or read."""
    return Invalid(
        _(
            "This Word or Excel file is damaged: its parts can't be unpacked or read. Please save it again from Word "
            "or Excel and upload the new file."
        ),
        "file",
    )


def _macros() -> Invalid:
    """The refusal of a file with macros or ActiveX controls."""
    return Invalid(
        _(
            "This file contains macros (VBA or Excel 4.0 macro sheets) or ActiveX controls, which are not accepted. "
            "Please save it as a plain Word (.docx) or Excel (.xlsx) file without macros."
        ),
        "file",
    )


def office_bounds() -> zipsafe.Bounds:
    """The bounds an Office upload is held to before anything is unpacked (``MAX_ZIP_MEMBERS``, ``MAX_UNPACKED_BYTES``,
    and Apache POI's rule: past ``RATIO_GRACE_BYTES`` no member unpacks to more than ``MAX_RATIO`` times its packed
    size); read at each call, so a test may lower them."""
    return zipsafe.Bounds(
        members=MAX_ZIP_MEMBERS, unpacked=MAX_UNPACKED_BYTES, ratio=MAX_RATIO, grace=RATIO_GRACE_BYTES
    )


def office_kind(stream: BinaryIO) -> Kind:
    """DOCX or XLSX, by the main part ``[Content_Types].xml`` declares and that part's root; ``Invalid`` for a zip
    that isn't one, is damaged, holds macros or would unpack beyond the bounds."""
    try:
        with zipsafe.open_archive(stream) as archive:
            members = zipsafe.members(archive, office_bounds())
            types = _content_types(archive, members)
            if _has_macros(members, types.values()):
                raise _macros()
            mains = [(part, MAIN_PARTS[kind]) for part, kind in types.items() if kind in MAIN_PARTS and part in members]
            if len(mains) != 1:
                raise _not_office()
            part, (kind, roots) = mains[0]
            objects = _ole_parts(members, types)
            links: list[tuple[str, str]] = []
            for name, info in members.items():
                start = _outside_links(links) if name.endswith(".rels") else None
                root, head = _unpack(archive, info, parse=name.endswith(XML_SUFFIXES), start=start)
                if name == part and root not in roots:
                    raise _not_office()
                if head.startswith(OLE_SIGNATURE) and info.filename not in objects:
                    objects.append(info.filename)
            if objects or links:
                raise _embedded_or_linked(objects, links)
            return kind
    except zipsafe.Refused as refused:
        log.info("an Office upload is refused: %s", refused)
        raise _refusal(refused.bound) from None
    except (expat.ExpatError, *zipsafe.UNREADABLE) as error:
        log.info("an Office upload can't be read: %r", error)
        raise _damaged_office() from None


def _embedded_or_linked(objects: list[str], links: list[tuple[str, str]]) -> Invalid:
    """The refusal of an Office file with embedded OLE objects or outside links, naming the first few of them."""
    named = [_("an embedded object (%(part)s)", part=part) for part in objects]
    for kind, target in dict.fromkeys(links):
        shown = target if len(target) <= 80 else target[:79] + "…"
        named.append(_("a link that loads %(what)s from %(target)s", what=_linked_words(kind), target=shown))
    if len(named) > NAMED_AT_MOST:
        named = [*named[:NAMED_AT_MOST], _("%(count)d more", count=len(named) - NAMED_AT_MOST)]
    return Invalid(
        _(
            "This file contains %(what)s. Opening it could run a program or fetch content from outside, which a "
            "compilation may not do. Please remove them (or save the file as a PDF) and upload the new file.",
            what=format_list(named, locale=get_locale()),
        ),
        "file",
    )


def _linked_words(kind: str) -> str:
    """What an outside relationship of type ``kind`` (its URI) loads, in the user's language."""
    words = {
        "attachedtemplate": _("a template"),
        "frame": _("a frame"),
        "subdocument": _("a sub-document"),
        "oleobject": _("an object"),
        "externallinkpath": _("another workbook's data"),
        "externallink": _("another workbook's data"),
        "image": _("a picture"),
    }
    return words.get(kind.rstrip("/").rpartition("/")[2].lower(), _("content"))


def _refusal(bound: str) -> Invalid:
    """The user's message for an archive ``zipsafe`` refused, by the bound it passed."""
    if bound == zipsafe.Refused.MEMBERS:
        return Invalid(
            _(
                "This file holds more than %(count)d parts, more than any document needs; it is refused.",
                count=MAX_ZIP_MEMBERS,
            ),
            "file",
        )
    if bound in (zipsafe.Refused.UNPACKED, zipsafe.Refused.RATIO):
        return Invalid(
            _(
                "This file would unpack to much more than it weighs (more than %(ratio)d times, or over "
                '%(limit)d MB in all), as a "zip bomb" does; it is refused.',
                ratio=MAX_RATIO,
                limit=MAX_UNPACKED_BYTES // (1024 * 1024),
            ),
            "file",
        )
    return _damaged_office()


def _ole_parts(members: dict[str, zipfile.ZipInfo], types: dict[str, str]) -> list[str]:
    """The members (as named in the archive) that are OLE objects by their name (``oleObject*.bin``, any case, any
    folder) or by the content type ``[Content_Types].xml`` gives them (its own, or its extension's default)."""
    found = []
    for name, info in members.items():
        base = name.rpartition("/")[2]
        content_type = types.get(name) or types.get("*." + base.rpartition(".")[2], "")
        if base.startswith(OLE_NAME) or OLE_CONTENT_TYPE in content_type:
            found.append(info.filename)
    return found


def _outside_links(found: list[tuple[str, str]]):
    """An expat start handler for a ``.rels`` part that adds to ``found`` (type, target) each relationship that
    points outside the file (``TargetMode="External"``, any case) and is no hyperlink: Office follows those by itself
    when the file is opened (a template, a frame, a sub-document, a linked object, picture or workbook)."""

    def start(tag: str, attributes: dict[str, str]) -> None:
        """Note one outside relationship."""
        namespace, _sep, name = tag.rpartition(" ")
        if namespace != RELATIONSHIPS_NS or name != "Relationship":
            return
        kind = attributes.get("Type", "").strip()
        if attributes.get("TargetMode", "").strip().lower() == "external" and kind not in HYPERLINKS:
            found.append((kind, attributes.get("Target", "").strip()))

    return start


def _content_types(archive: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo]) -> dict[str, str]:
    """``[Content_Types].xml`` read safely: each part it names (lower-case member name) → its content type (lower
    case), and ``"*.<extension>"`` → the default type of that extension."""
    info = members.get(CONTENT_TYPES.lower())
    if info is None:
        raise _not_office()
    types: dict[str, str] = {}

    def start(tag: str, attributes: dict[str, str]) -> None:
        """Collect one ``Default`` or ``Override`` entry."""
        namespace, _sep, name = tag.rpartition(" ")
        if namespace != CONTENT_TYPES_NS:
            return
        content_type = attributes.get("ContentType", "").strip().lower()
        if name == "Override":
            types[unquote(attributes.get("PartName", "")).lstrip("/").lower()] = content_type
        elif name == "Default":
            types["*." + attributes.get("Extension", "").lower()] = content_type

    root, _head = _unpack(archive, info, parse=True, start=start)
    if root != (CONTENT_TYPES_NS, "Types"):
        raise _not_office()
    return types


def _has_macros(members: dict[str, zipfile.ZipInfo], content_types) -> bool:
    """Whether a member's name (any case) or a declared content type means VBA, macro sheets or ActiveX."""
    for name in members:
        *folders, base = name.split("/")
        if base.startswith(MACRO_NAMES) or MACRO_FOLDERS & set(folders):
            return True
    return any(word in content_type for content_type in content_types for word in MACRO_CONTENT_TYPES)


def _unpack(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, *, parse: bool, start=None
) -> tuple[tuple[str, str] | None, bytes]:
    """Unpack one member (``zipsafe.chunks``: in pieces, never past its declared size, CRC checked), parsing it as
    XML with no DTD when ``parse``; returns its root element (namespace, name; ``None`` when not parsed) and its
    first bytes (``OLE_SIGNATURE``'s length)."""
    parser = zipsafe.xml_parser(namespace_separator=" ") if parse else None
    root: list[tuple[str, str]] = []
    if parser is not None:

        def element(tag: str, attributes: dict[str, str]) -> None:
            """Note the root element; the elements after it go to ``start`` (or to no Python code at all)."""
            namespace, _sep, name = tag.rpartition(" ")
            root.append((namespace, name))
            parser.StartElementHandler = start
            if start is not None:
                start(tag, attributes)

        parser.StartElementHandler = element
    head = b""
    for piece in zipsafe.chunks(archive, info):
        if len(head) < len(OLE_SIGNATURE):
            head += piece[: len(OLE_SIGNATURE) - len(head)]
        if parser is not None:
            parser.Parse(piece, False)
    if parser is None:
        return None, head
    parser.Parse(b"", True)
    return (root[0] if root else None), head
