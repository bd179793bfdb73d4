"""Reads an uploaded PDF in a child process of its own: does it open, has it pages, what active content is in it.

A hostile PDF can cost a parser much time or memory (pypdf reads a 180 KB array of numbers in about a second,
and a file may hold 20 MB of them), so ``formats.check_pdf`` runs this file as a script —
``python -I pdfscan.py`` with the PDF on standard input — under a wall-clock timeout, and the script first caps
its own memory and CPU time. The worker that serves the request never parses the PDF itself: whatever the file
does, the worker answers. The script imports nothing of the portal (it starts in a bare interpreter) and prints
one JSON object: ``{"problem": null | "damaged" | "encrypted" | "no_pages" | "complex", "found": [...]}``, where
``found`` lists the kinds of active content, in order of weight.

**Active content**, read from every object pypdf finds (also those packed in object streams, which WeasyPrint
writes, and whatever ``#xx`` escapes spell in names), and PDFium's own count of document scripts and attachments
beside it (so a file the two parsers read differently is refused, not let by):

- ``script``: JavaScript (``/JS``, the ``/JavaScript`` name tree or action, ``/Rendition`` and
  ``/RichMediaExecute`` actions, XFA forms);
- ``launch``: actions that start programs, open or fetch other files or send data (``/Launch``, ``/GoToR``,
  ``/GoToE``, ``/ImportData``, ``/SubmitForm``, ``/Movie``, ``/Sound``);
- ``automatic``: actions that run by themselves (``/AA`` anywhere, an ``/OpenAction`` that is more than "go to");
- ``embedded``: embedded files and media (``/EmbeddedFiles``, ``/EF``, file attachment, rich media, movie, sound,
  screen and 3D annotations).
"""

from __future__ import annotations

import io
import json
import resource
import sys

#: The child's own caps: address space (bytes) and CPU seconds (the parent's timeout is the wall-clock bound).
MEMORY_BYTES = 1536 * 1024 * 1024
CPU_SECONDS = 30
#: More objects than this is no compilation (each costs pypdf roughly 0.1–0.3 ms to read).
MAX_OBJECTS = 50_000

SCRIPT, LAUNCH, AUTOMATIC, EMBEDDED = "script", "launch", "automatic", "embedded"
ORDER = (SCRIPT, LAUNCH, AUTOMATIC, EMBEDDED)
SCRIPT_KEYS = {"/JS", "/JavaScript", "/XFA"}
SCRIPT_ACTIONS = {"/JavaScript", "/Rendition", "/RichMediaExecute"}
LAUNCH_ACTIONS = {"/Launch", "/GoToR", "/GoToE", "/ImportData", "/SubmitForm", "/Movie", "/Sound"}
EMBEDDED_KEYS = {"/EmbeddedFiles", "/EF", "/RichMediaContent"}
EMBEDDED_TYPES = {"/EmbeddedFile", "/FileAttachment", "/RichMedia", "/Movie", "/Sound", "/Screen", "/3D"}
#: The only action an ``/OpenAction`` may be (a plain destination array is fine too).
HARMLESS_OPEN = {"/GoTo"}


class Problem(Exception):
    """The PDF is refused for ``code`` (``damaged``, ``encrypted``, ``no_pages``, ``complex``)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def scan(data: bytes) -> dict:
    """What PDFium and pypdf find in ``data``: ``{"problem": code or None, "found": [kinds of active content]}``."""
    try:
        found = _pypdf(data)  # first: it tells a file without pages from a damaged one, PDFium doesn't
        found |= _pdfium(data)
    except Problem as problem:
        return {"problem": problem.code, "found": []}
    return {"problem": None, "found": [item for item in ORDER if item in found]}


def _pdfium(data: bytes) -> set[str]:
    """PDFium's view (the engine that draws the cover): it must open the file and find pages; the document-level
    scripts and attachments it counts."""
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        encrypted = getattr(error, "err_code", None) == pdfium.raw.FPDF_ERR_PASSWORD
        raise Problem("encrypted" if encrypted else "damaged") from None
    try:
        if len(pdf) == 0:
            raise Problem("no_pages")
        found = set()
        if pdfium.raw.FPDFDoc_GetJavaScriptActionCount(pdf.raw) > 0:
            found.add(SCRIPT)
        if pdfium.raw.FPDFDoc_GetAttachmentCount(pdf.raw) > 0:
            found.add(EMBEDDED)
        return found
    finally:
        pdf.close()


def _pypdf(data: bytes) -> set[str]:
    """pypdf's view: unencrypted, at most ``MAX_OBJECTS`` objects, and the active content in every one of them."""
    import pypdf
    from pypdf.errors import PyPdfError

    found: set[str] = set()
    try:
        reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise Problem("encrypted")
        if sum(map(len, reader.xref.values())) + len(reader.xref_objStm) > MAX_OBJECTS:
            raise Problem("complex")
        if len(reader.pages) == 0:
            raise Problem("no_pages")
        for value in _objects(reader):
            found |= _content(value)
    except (PyPdfError, ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError, OSError):
        raise Problem("damaged") from None
    return found


def _objects(reader):
    """Every indirect object of the file (in the cross-reference table and in object streams), and the trailer."""
    from pypdf.generic import IndirectObject

    yield reader.trailer
    for generation, numbers in reader.xref.items():
        for number in numbers:
            yield reader.get_object(IndirectObject(number, generation, reader))
    for number in reader.xref_objStm:
        yield reader.get_object(IndirectObject(number, 0, reader))


def _content(value) -> set[str]:
    """The active content in one object and the direct objects nested in it (references are not followed: the
    objects they name are read on their own)."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

    found: set[str] = set()
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, ArrayObject):
            pending.extend(element for element in item if not isinstance(element, IndirectObject))
        elif isinstance(item, DictionaryObject):
            keys = {str(key) for key in item}
            kind, subtype, action = (str(item.get(name, "")) for name in ("/Type", "/Subtype", "/S"))
            if keys & SCRIPT_KEYS or action in SCRIPT_ACTIONS:
                found.add(SCRIPT)
            if action in LAUNCH_ACTIONS:
                found.add(LAUNCH)
            if "/AA" in keys:
                found.add(AUTOMATIC)
            opening = item.get("/OpenAction")
            if isinstance(opening, IndirectObject):
                opening = opening.get_object()
            if isinstance(opening, DictionaryObject) and not (
                isinstance(opening.get("/S"), NameObject) and str(opening["/S"]) in HARMLESS_OPEN
            ):
                found.add(AUTOMATIC)
            if keys & EMBEDDED_KEYS or kind in EMBEDDED_TYPES or subtype in EMBEDDED_TYPES:
                found.add(EMBEDDED)
            pending.extend(element for element in item.values() if not isinstance(element, IndirectObject))
    return found


def main() -> None:
    """Cap this process, read the PDF from standard input, print what ``scan`` finds as JSON."""
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))
    data = sys.stdin.buffer.read()
    json.dump(scan(data), sys.stdout)


if __name__ == "__main__":
    main()
