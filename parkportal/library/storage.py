"""The library's files: checked by their content, stored under ``instance/library/`` with random names.

- ``check(name, stream)`` reads an upload (size, SHA-256, and its kind by parsing it: ``formats.identify``, a PDF
  that opens with pages and no active content, a DOCX or XLSX that is the Office file it declares, without macros
  and within the unpacking bounds) and refuses a wrong or unsound type, an oversized or empty file and names with
  path tricks — before anything is written.
- ``store(stream, kind)`` writes the checked file under a random name (``<32 hex>.<kind>``); ``render_cover``
  draws a PDF's first page once, as a PNG beside it. Both files are removed again when the transaction that
  was to record them rolls back, so a refused or failed upload leaves no file behind.
- Nothing here is ever under ``static/``: files are served only by the views, which check access and log.
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
import shutil
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import event
from sqlalchemy.orm import Session

from ..core.errors import Invalid
from ..extensions import db
from . import formats
from .vocab import Kind

log = logging.getLogger(__name__)

#: The longest original filename kept (characters); longer names are refused, not cut.
MAX_NAME_LENGTH = 120
#: Width in pixels of a rendered cover, and the most its height may be (a page's shape can't make it large).
COVER_WIDTH = 360
COVER_MAX_HEIGHT = 4 * COVER_WIDTH
CHUNK = 64 * 1024
PENDING = "library_new_files"


class TooLarge(Invalid):
    """The file is over the configured limit (413)."""

    status = 413


@dataclass(frozen=True)
class Checked:
    """An upload that passed the checks: its kind (by content), size in bytes, SHA-256 and cleaned name."""

    kind: Kind
    size: int
    sha256: str
    name: str


def folder() -> Path:
    """Where the files live: ``LIBRARY_STORAGE_DIR``, by default ``instance/library/``."""
    configured = current_app.config.get("LIBRARY_STORAGE_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "library"


def max_upload_bytes() -> int:
    """The largest file accepted (``LIBRARY_MAX_UPLOAD_MB`` mebibytes, 20 by default)."""
    return int(float(current_app.config["LIBRARY_MAX_UPLOAD_MB"]) * 1024 * 1024)


def megabytes(size: int) -> str:
    """A size for people: ``'1.4 MB'`` (one decimal below 10 MB), ``'20 MB'``, ``'12 KB'``."""
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    value = size / (1024 * 1024)
    return f"{value:.1f} MB" if value < 10 else f"{value:.0f} MB"


def clean_name(name: str | None) -> str:
    """The uploader's filename if it is a plain name (NFC), else ``Invalid`` on the ``file`` field.

    Refused: no name, slashes or backslashes, ``..``, NUL and other control characters, names of only dots
    and names longer than ``MAX_NAME_LENGTH`` characters (or 255 bytes in UTF-8).
    """
    text = unicodedata.normalize("NFC", (name or "").strip())
    if not text:
        raise Invalid(_("Choose a file to upload."), "file")
    if any(char in text for char in "/\\") or ".." in text or any(unicodedata.category(c) == "Cc" for c in text):
        raise Invalid(
            _("The file's name can't contain slashes, '..' or control characters. Please rename the file."), "file"
        )
    if len(text) > MAX_NAME_LENGTH or len(text.encode()) > 255:
        raise Invalid(
            _("The file's name is too long (at most %(count)d characters). Please rename it.", count=MAX_NAME_LENGTH),
            "file",
        )
    return text


def measure(stream: BinaryIO, limit: int) -> tuple[int, str]:
    """Size and SHA-256 of the stream, read once; ``TooLarge`` as soon as it passes ``limit`` bytes."""
    stream.seek(0)
    digest = hashlib.sha256()
    size = 0
    while chunk := stream.read(CHUNK):
        size += len(chunk)
        if size > limit:
            raise TooLarge(
                _(
                    "The file is larger than %(limit)s. Please choose a smaller file (e.g. a compressed PDF).",
                    limit=megabytes(limit),
                ),
                "file",
            )
        digest.update(chunk)
    return size, digest.hexdigest()


def check(name: str | None, stream: BinaryIO, limit: int | None = None) -> Checked:
    """Every rule an upload must pass, read from the stream without writing anything anywhere."""
    cleaned = clean_name(name)
    size, sha256 = measure(stream, max_upload_bytes() if limit is None else limit)
    if size == 0:
        raise Invalid(_("The file is empty."), "file")
    kind = formats.identify(stream)
    if kind is None:
        raise Invalid(
            _(
                "This file is not a PDF, Word (.docx) or Excel (.xlsx) document (its content was checked, not its "
                "name; files with macros are not accepted)."
            ),
            "file",
        )
    if Path(cleaned).suffix.lower() != f".{kind}":
        raise Invalid(
            _("The file is a %(kind)s document, but its name doesn't end in .%(kind)s. Please rename it.", kind=kind),
            "file",
        )
    return Checked(kind=kind, size=size, sha256=sha256, name=cleaned)


def _forget_on_rollback(path: Path) -> None:
    """Remove ``path`` if the session's transaction rolls back instead of committing."""
    session = db.session()
    if not event.contains(Session, "after_soft_rollback", _remove_pending):
        event.listen(Session, "after_soft_rollback", _remove_pending, propagate=True)
        event.listen(Session, "after_commit", _keep_pending, propagate=True)
    session.info.setdefault(PENDING, []).append(path)


def _remove_pending(session: Session, previous) -> None:
    """The transaction that was to record new files rolled back: remove them (a savepoint's end is not that)."""
    if previous.nested or previous.parent is not None:
        return
    for path in session.info.pop(PENDING, []):
        discard(path)


def _keep_pending(session: Session) -> None:
    """The transaction committed: its new files stay (a released savepoint is not yet a commit)."""
    if session.get_nested_transaction() is None:
        session.info.pop(PENDING, None)


def discard(path: Path) -> None:
    """Remove a file of the library if it is there."""
    try:
        path.unlink(missing_ok=True)
    except OSError:  # pragma: no cover - a file we can't remove is logged, not fatal
        log.exception("could not remove %s", path)


def store(stream: BinaryIO, kind: Kind) -> str:
    """Write the checked file under a new random name in the library folder; returns that name."""
    target = folder()
    target.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_hex(16)}.{kind}"
    partial = target / f"{name}.part"
    stream.seek(0)
    try:
        with open(partial, "xb") as out:
            shutil.copyfileobj(stream, out, CHUNK)
        os.replace(partial, target / name)
    except BaseException:
        discard(partial)
        raise
    _forget_on_rollback(target / name)
    return name


def path_of(stored_name: str) -> Path:
    """The full path of a stored file (names are ours: random hex and a known suffix)."""
    return folder() / stored_name


def render_cover(stored_name: str) -> str | None:
    """Draw the first page of a stored PDF as a PNG (``covers/<random>.png``); ``None`` when it can't be drawn."""
    try:
        import pypdfium2 as pdfium
    except ImportError:  # pragma: no cover - the dependency is installed; without it there is no cover
        return None
    covers = folder() / "covers"
    name = f"{secrets.token_hex(16)}.png"
    try:
        pdf = pdfium.PdfDocument(str(path_of(stored_name)))
        try:
            if len(pdf) == 0:
                return None
            page = pdf[0]
            width, height = page.get_width() or COVER_WIDTH, page.get_height() or COVER_WIDTH
            scale = min(4.0, COVER_WIDTH / width, COVER_MAX_HEIGHT / height)  # a 1 × 10⁸ pt page stays small too
            image = page.render(scale=scale).to_pil()
            covers.mkdir(parents=True, exist_ok=True)
            image.save(covers / name, "PNG", optimize=True)
            page.close()
        finally:
            pdf.close()
    except Exception:  # noqa: BLE001 - a PDF that pdfium can't draw simply has no cover
        log.info("no cover for %s", stored_name, exc_info=True)
        discard(covers / name)
        return None
    _forget_on_rollback(covers / name)
    return name


def cover_path(cover_name: str) -> Path:
    """The full path of a stored cover image."""
    return folder() / "covers" / cover_name
