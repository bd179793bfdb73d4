"""Reading a ZIP archive someone uploaded (a roster workbook, a Word or Excel compilation) without letting it cost
more than its caller allows: the one place that knows how a "zip bomb" is bounded.

- ``members(archive, bounds)`` looks only at the central directory, before anything is unpacked: no more members
  than ``bounds.members``, no name twice (compared in lower case, as Office part names are), none encrypted or packed
  by a method but stored or deflated, at most ``bounds.unpacked`` bytes declared in all, and no member (or, given the
  file's size, the whole archive) declaring more than ``bounds.ratio`` times its packed size past ``bounds.grace``.
- ``chunks(archive, info)`` / ``read(archive, info)`` unpack one member with Python's ``zipfile``, never past the
  size it declares, the CRC checked at its end; a member that ends short or runs long is damaged.
- ``xml_parser()`` is expat with every DTD refused, so no entity can be declared, expanded or fetched.

Each refusal is ``Refused`` with ``bound`` naming which rule the archive broke; the caller turns it into its own
message in the user's language. This module reads only; it knows nothing of requests, areas or languages.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO
from xml.parsers import expat

#: Unpacked in pieces of this many bytes.
CHUNK = 64 * 1024
#: The compression methods Office writes (stored, deflated); any other is refused as damaged.
METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
#: What ``zipfile`` raises on an archive it can't read (damaged, truncated, encrypted, of an unknown method).
UNREADABLE = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    NotImplementedError,
    RuntimeError,
    OSError,
    EOFError,
    ValueError,
)


class Refused(Exception):
    """The archive passes one of its reader's bounds, or is not sound; ``bound`` says which (one of the constants)."""

    MEMBERS = "members"  # more members than allowed
    UNPACKED = "unpacked"  # more bytes declared in all than allowed
    RATIO = "ratio"  # a member, or the whole archive, declares far more than it packs
    DAMAGED = "damaged"  # unreadable, a name twice, encrypted, an odd method, or not the size it declares
    DTD = "dtd"  # an XML part declares a DTD (and so could declare entities)

    def __init__(self, bound: str, detail: str = ""):
        """A refusal for ``bound``; ``detail`` is for the log, never for the user."""
        super().__init__(f"{bound}: {detail}" if detail else bound)
        self.bound = bound


@dataclass(frozen=True)
class Bounds:
    """What a caller allows an archive before anything of it is unpacked."""

    members: int  # members at the most (of those the caller keeps)
    unpacked: int  # bytes all members may declare, together
    ratio: float  # unpacked ÷ packed, past ``grace`` ...
    grace: float = 0  # ... bytes unpacked, which are allowed whatever the ratio


def open_archive(stream: BinaryIO) -> zipfile.ZipFile:
    """The ZIP archive in ``stream`` (its central directory read, nothing unpacked); ``Refused`` (damaged) if it
    isn't one."""
    stream.seek(0)
    try:
        return zipfile.ZipFile(stream)
    except UNREADABLE as error:
        raise Refused(Refused.DAMAGED, repr(error)) from None


def members(
    archive: zipfile.ZipFile,
    bounds: Bounds,
    *,
    keep: Callable[[zipfile.ZipInfo], bool] | None = None,
    file_size: int | None = None,
) -> dict[str, zipfile.ZipInfo]:
    """The members ``keep`` accepts (all by default), by lower-case name, in the archive's order; ``Refused`` before
    anything is unpacked when they pass ``bounds`` or one is unsound.

    The ratio is each member's (its declared size ÷ its packed size); with ``file_size``, it is the whole archive's
    (all members' declared sizes ÷ the file's size) instead. Either is refused only past ``bounds.grace`` bytes.
    """
    infos = [info for info in archive.infolist() if keep is None or keep(info)]
    if len(infos) > bounds.members:
        raise Refused(Refused.MEMBERS, f"{len(infos)} members")
    found: dict[str, zipfile.ZipInfo] = {}
    total = 0
    for info in infos:
        name = info.filename.lower()
        if name in found or info.flag_bits & 0x1 or info.compress_type not in METHODS:
            raise Refused(Refused.DAMAGED, f"{info.filename!r}: twice, encrypted or method {info.compress_type}")
        found[name] = info
        total += info.file_size
        if total > bounds.unpacked:
            raise Refused(Refused.UNPACKED, f"{total} bytes declared")
        if file_size is None and _too_tight(info.file_size, info.compress_size, bounds):
            raise Refused(Refused.RATIO, f"{info.filename!r}: {info.file_size} from {info.compress_size} bytes")
    if file_size is not None and _too_tight(total, file_size, bounds):
        raise Refused(Refused.RATIO, f"{total} from {file_size} bytes")
    return found


def _too_tight(unpacked: int, packed: int, bounds: Bounds) -> bool:
    """Whether ``unpacked`` bytes from ``packed`` pass the ratio (beyond the grace)."""
    return unpacked > bounds.grace and unpacked > bounds.ratio * max(1, packed)


def chunks(archive: zipfile.ZipFile, info: zipfile.ZipInfo, size: int = CHUNK) -> Iterator[bytes]:
    """One member unpacked in pieces of at most ``size`` bytes, never past its declared size, its CRC checked at the
    end; ``Refused`` (damaged) if it can't be unpacked or isn't the size it declares."""
    read = 0
    try:
        with archive.open(info) as member:
            while piece := member.read(size):
                read += len(piece)
                if read > info.file_size:  # pragma: no cover - zipfile itself stops at the declared size
                    raise Refused(Refused.DAMAGED, f"{info.filename!r} is larger than declared")
                yield piece
    except UNREADABLE as error:
        raise Refused(Refused.DAMAGED, f"{info.filename!r}: {error!r}") from None
    if read != info.file_size:
        raise Refused(Refused.DAMAGED, f"{info.filename!r} is {read} bytes, not the {info.file_size} declared")


def read(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """One member unpacked whole, as ``chunks`` unpacks it (in one piece: its declared size is already bounded)."""
    return b"".join(chunks(archive, info, size=info.file_size + 1))


def _refuse_dtd(*_args) -> None:
    """A DTD or an entity declaration: refused."""
    raise Refused(Refused.DTD)


def xml_parser(namespace_separator: str | None = None) -> expat.XMLParserType:
    """An expat parser that refuses any DTD (so no entity of any kind) with ``Refused`` (dtd); names are split into
    namespace and local name at ``namespace_separator`` when it is given."""
    parser = expat.ParserCreate(namespace_separator=namespace_separator)
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    return parser
