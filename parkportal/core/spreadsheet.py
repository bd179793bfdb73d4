"""Spreadsheets in and out: every CSV and XLSX the portal writes, and workbooks read within bounds.

Writing: ``csv_bytes`` and ``xlsx_bytes`` are the only writers, and they pass every cell through ``safe``, so text
from anyone (a roster cell, an enterprise's name, a finding) that starts like a formula (``=``, ``+``, ``-``, ``@``,
tab, CR) is written as text with a leading apostrophe and never runs in Excel, WPS or LibreOffice.

Reading: ``checked_workbook`` looks at an uploaded XLSX before any spreadsheet library does. A workbook is a ZIP of
XML parts, and a reader sizes its grid by where the cells say they are: one cell at ``XFD1048576`` in a 2 KB file
makes calamine allocate half a terabyte (the process aborts, nothing can catch it), and a small file can unzip to
gigabytes. So the ZIP's declared sizes are checked first (total and ratio), each part is unzipped by Python's
``zipfile`` (which stops at the declared size and checks the CRC) — both through ``zipsafe``, the one reader of
uploaded ZIPs, with the roster's bounds — and the worksheets are streamed through expat (DTDs refused, no tree is
built: one cell in memory; names are matched without their prefix, as readers match them), which finds the real extent
of the cells, their lengths (shared strings counted at every use) and the declared dimension,
against ``Limits``, with a deadline. Only then is the workbook handed to the reader, repacked from exactly the parts
that were checked (stored, not compressed), so the reader never sees a byte that was not measured. Beyond a limit:
``Invalid`` (field ``file``) saying what was too big.
"""

from __future__ import annotations

import csv
import io
import re
import time
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from xml.parsers import expat

from flask_babel import gettext as _

from . import zipsafe
from .errors import Invalid

#: The characters that make a spreadsheet read a text cell as a formula (or hide its start).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe(value: Any) -> Any:
    """A cell a spreadsheet won't run as a formula: text starting with ``FORMULA_STARTS`` gets a leading ``'``.

    Numbers, dates and ``None`` are returned as they are (they are not formulas); ``None`` becomes ``""``.
    """
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_bytes(header: Iterable[Any], rows: Iterable[Iterable[Any]]) -> bytes:
    """A CSV file in UTF-8 with a BOM (so Excel reads the Chinese), every cell passed through ``safe``."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow([safe(cell) for cell in header])
    writer.writerows([safe(cell) for cell in row] for row in rows)
    return out.getvalue().encode("utf-8")


def xlsx_bytes(title: str, header: Iterable[Any], rows: Iterable[Iterable[Any]]) -> bytes:
    """A one-sheet XLSX workbook (openpyxl write-only: rows stream out), every cell passed through ``safe``."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title)
    sheet.append([safe(cell) for cell in header])
    for row in rows:
        sheet.append([safe(cell) for cell in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# ------------------------------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class Limits:
    """What an uploaded spreadsheet may hold (the ``ROSTER_*`` configuration keys)."""

    rows: int  # data rows, the header row aside
    columns: int
    cell_chars: int
    megabytes: float  # a CSV file; a workbook unzipped; and the text of all its cells
    zip_ratio: float  # a workbook's unzipped size ÷ its file size
    seconds: float  # reading, checking included

    @classmethod
    def from_config(cls, config: Any) -> Limits:
        """The limits an app is configured with."""
        return cls(
            rows=int(config["ROSTER_MAX_ROWS"]),
            columns=int(config["ROSTER_MAX_COLUMNS"]),
            cell_chars=int(config["ROSTER_MAX_CELL_CHARS"]),
            megabytes=float(config["ROSTER_MAX_MB"]),
            zip_ratio=float(config["ROSTER_MAX_ZIP_RATIO"]),
            seconds=float(config["ROSTER_READ_SECONDS"]),
        )

    @property
    def bytes(self) -> int:
        """``megabytes`` in bytes."""
        return int(self.megabytes * 1024 * 1024)

    @property
    def zip_bounds(self) -> zipsafe.Bounds:
        """What a workbook's ZIP may declare: ``MAX_PARTS`` parts, ``bytes`` unzipped in all, and no more than
        ``zip_ratio`` times the file's size (a file under 1 KB counted as 1 KB)."""
        return zipsafe.Bounds(members=MAX_PARTS, unpacked=self.bytes, ratio=self.zip_ratio, grace=self.zip_ratio * 1024)


def unreadable() -> Invalid:
    """The refusal of a file that is not a spreadsheet we can read."""
    return Invalid(_("This file is not a spreadsheet we can read. Save it as .xlsx or .csv and try again."), "file")


def too_slow(limits: Limits) -> Invalid:
    """The refusal of a file that took longer than the limit to read."""
    return Invalid(
        _("Reading the file took longer than %(n)d seconds. Please split it.", n=round(limits.seconds)), "file"
    )


def too_many_rows(limits: Limits) -> Invalid:
    """The refusal of a file with more data rows than the limit."""
    return Invalid(_("The file has more than %(n)d rows. Please split it.", n=limits.rows), "file")


def too_many_columns(where: str, limits: Limits) -> Invalid:
    """The refusal of a file with a cell beyond the last column allowed."""
    return Invalid(
        _(
            "%(where)s lies beyond column %(last)s: a roster may have at most %(n)d columns.",
            where=where,
            last=column_letter(limits.columns - 1),
            n=limits.columns,
        ),
        "file",
    )


def cell_too_long(where: str, limits: Limits) -> Invalid:
    """The refusal of a file with a cell longer than the limit."""
    return Invalid(
        _("%(where)s holds more than %(n)d characters. Shorten it and try again.", where=where, n=limits.cell_chars),
        "file",
    )


def too_large(what: str, limits: Limits) -> Invalid:
    """The refusal of a file whose size (``what``: which size) is beyond ``megabytes``."""
    return Invalid(
        _(
            "The file is too large: %(what)s is more than %(n)s MB. Please split it.",
            what=what,
            n=f"{limits.megabytes:g}",
        ),
        "file",
    )


def _refusal(bound: str, limits: Limits) -> Invalid:
    """The refusal of a workbook whose ZIP ``zipsafe`` refused, by the bound it passed."""
    if bound == zipsafe.Refused.UNPACKED:
        return too_large(_("its content unzipped"), limits)
    if bound == zipsafe.Refused.RATIO:
        return Invalid(
            _(
                "The file unzips to more than %(n)d times its size, which a spreadsheet doesn't. Save it again "
                "from Excel or WPS and try again.",
                n=round(limits.zip_ratio),
            ),
            "file",
        )
    return unreadable()  # too many parts, a damaged or encrypted part, or a DTD: no workbook we can read


def column_letter(index: int) -> str:
    """The spreadsheet letter of a column (0 → A, 26 → AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def where(line: int, index: int) -> str:
    """A cell named for the person who will open the file: "line 5, column C"."""
    return _("line %(line)d, column %(column)s", line=line, column=column_letter(index))


_REF = re.compile(r"([A-Za-z]{1,3})([0-9]{1,7})")
#: Parts of an XLSX package that are kept (an .xlsb's binary sheets, an .ods's content, macros are left out).
_PACKAGE = re.compile(r"(\[Content_Types\]\.xml|_rels/.*|docProps/.*|xl/.*)(?<!\.bin)", re.IGNORECASE)
#: How an XML part in UTF-16 or UTF-32 begins (a byte-order mark, or ``<`` in two or four bytes: how XML readers
#: tell its encoding); images and other binary parts begin otherwise.
_WIDE_XML = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff", b"<\x00", b"\x00<", b"\x00\x00\x00<")
#: More parts than this is no roster (and would only cost time to check).
MAX_PARTS = 10_000


def _in_package(member: zipfile.ZipInfo) -> bool:
    """Whether a ZIP member is a part of the XLSX package that is checked and handed on (``_PACKAGE``)."""
    return not member.is_dir() and _PACKAGE.fullmatch(member.filename) is not None


def _cell_ref(ref: str) -> tuple[int, int]:
    """(row, column index) of a reference like ``C5``; ``unreadable`` if it isn't one."""
    found = _REF.fullmatch(ref)
    if not found:
        raise unreadable()
    column = 0
    for letter in found.group(1).upper():
        column = column * 26 + ord(letter) - 64
    return int(found.group(2)), column - 1


def checked_workbook(data: bytes, limits: Limits) -> bytes:
    """The workbook repacked from its checked parts, for a reader to open; ``Invalid`` if it is beyond ``limits``."""
    deadline = time.monotonic() + limits.seconds
    try:
        with zipsafe.open_archive(io.BytesIO(data)) as archive:
            members = zipsafe.members(archive, limits.zip_bounds, keep=_in_package, file_size=len(data))
            if "xl/workbook.xml" not in members:
                raise unreadable()
            parts: dict[str, bytes] = {}
            for member in members.values():
                body = zipsafe.read(archive, member)
                if b"<!DOCTYPE" in body or b"<!ENTITY" in body:  # no part of a workbook declares entities
                    raise unreadable()
                if body.startswith(_WIDE_XML):  # the checks below read UTF-8 bytes; no workbook needs another
                    raise unreadable()
                parts[member.filename] = body
                if time.monotonic() > deadline:
                    raise too_slow(limits)
    except zipsafe.Refused as refused:
        raise _refusal(refused.bound, limits) from None
    # By content, not by name or root: a reader follows the rels to a part and reads the elements it looks for
    # (``sst``, ``sheetData``) wherever they are in it.
    tables = []
    for body in parts.values():
        declared = _sst_elements(body) if b"sst" in body else []
        for attributes in declared:
            _check_declared_strings(attributes, limits)
        if declared:
            tables.append(body)
    if len(tables) > 1:
        raise unreadable()
    longest = _longest_shared(tables[0]) if tables else 0
    lengths: list[int] | None = None if tables else []
    for body in parts.values():
        if b"sheetData" in body and not _plainly_within(body, longest, limits):
            if lengths is None:
                lengths = _shared_lengths(tables[0], deadline, limits)
            _check_sheet(body, lengths, deadline, limits)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as repacked:
        for name, body in parts.items():
            repacked.writestr(name, body)
    return out.getvalue()


# The quick look: in XML without comments, CDATA, processing instructions or a DTD, every "<" starts a tag, so
# patterns over the bytes see exactly the elements a parser sees. It only ever says "plainly within the limits"
# (counting every cell, valued or not, and bytes for characters); anything else, a prefixed cell or row element
# included, goes to the exact check. Literal patterns and ``bytes.count`` keep it at a few milliseconds a sheet.
_WHITESPACE = (b" ", b"\t", b"\r", b"\n")
_CELL_REF = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"')
_DIMENSION = re.compile(rb'<dimension ref="([A-Z]{1,3}[0-9]{1,7})(?::([A-Z]{1,3}[0-9]{1,7}))?"')
_STRING_TAG = re.compile(rb"<(?:[^\s<>/:!?]+:)?si[\s/>]")
_STRING_END = re.compile(rb"</(?:[^\s<>/:!?]+:)?si>")


def _plain(body: bytes) -> bool:
    """Whether an XML part has no comment, CDATA, processing instruction (past its declaration) or DTD."""
    start = body.find(b"?>") + 2 if body.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<?xml") else 0
    return b"<!" not in body and b"<?" not in body[start:]


def _tags(body: bytes, name: bytes) -> int:
    """How many ``<name`` tags the part has, or -1 when a prefixed one (``<x:name``) may be among them."""
    if any(body.count(b":" + name + end) for end in (*_WHITESPACE, b">", b"/")):
        return -1
    return sum(body.count(b"<" + name + end) for end in (*_WHITESPACE, b">", b"/"))


def _longest_shared(body: bytes) -> int:
    """An upper bound of the longest shared string, in bytes with its markup (-1: look exactly)."""
    if not _plain(body):
        return -1
    starts = [found.start() for found in _STRING_TAG.finditer(body)]
    ends = [found.end() for found in _STRING_END.finditer(body)]
    if len(starts) != len(ends):
        return -1
    return max((end - start for start, end in zip(starts, ends, strict=True)), default=0)  # linear: no backtracking


def _plainly_within(body: bytes, longest: int, limits: Limits) -> bool:
    """The quick look at a worksheet: ``True`` only when its cells plainly lie within ``limits``."""
    if longest < 0 or longest > limits.cell_chars or not _plain(body):
        return False
    cells = _tags(body, b"c")
    refs = _CELL_REF.findall(body)
    if _tags(body, b"r") != 0:
        return False  # rich text inline: one cell's text in several runs
    if cells < 0 or len(refs) != cells:
        return False  # a prefixed cell, or one without a plain reference as its first attribute (a second r
        # attribute, or one not set off by a space, is an error to calamine's XML reader, which reads the only one)
    dimensions = _DIMENSION.findall(body)
    if len(dimensions) != _tags(body, b"dimension"):
        return False
    letters = {letter for letter, _digits in refs}
    lines = [int(digits) for _letter, digits in refs]
    for ref in (ref for dimension in dimensions for ref in dimension if ref):
        line, column = _cell_ref(ref.decode())
        lines.append(line)
        letters.add(column_letter(column).encode())
    if max(lines, default=0) > limits.rows + 1:
        return False
    if any(_cell_ref(letter.decode() + "1")[1] >= limits.columns for letter in letters):
        return False
    if b"<" not in body[: limits.cell_chars + 1] or re.search(rb"<[^<]{%d}" % (limits.cell_chars + 1), body):
        return False  # a tag and its text long enough to hold one long cell
    return cells * longest + len(body) <= limits.bytes


def _local(name: str) -> str:
    """An element's name without its prefix (``x:c`` → ``c``): readers match local names, and so does the check."""
    return name.rpartition(":")[2] if ":" in name else name


def _sst_elements(body: bytes) -> list[dict[str, str]]:
    """The attributes of every ``sst`` element of an XML part (none when it isn't XML: no reader takes it as XML)."""
    found: list[dict[str, str]] = []
    parser = zipsafe.xml_parser()

    def start(name: str, attributes: dict) -> None:
        if _local(name) == "sst":
            found.append(attributes)

    parser.StartElementHandler = start
    try:
        parser.Parse(body, True)
    except expat.ExpatError:
        return found
    except zipsafe.Refused:
        raise unreadable() from None
    return found


def _check_declared_strings(attributes: dict[str, str], limits: Limits) -> None:
    """Refuse a shared-string table that declares more strings than the cells allowed could use: calamine reserves
    memory for ``uniqueCount`` before reading one (``uniqueCount="1000000000"`` asks for 24 GB and aborts)."""
    most = (limits.rows + 1) * limits.columns
    for name in ("uniqueCount", "count"):
        value = attributes.get(name, "0").strip()
        if not value.isdigit() or len(value) > 12 or int(value) > most:
            raise Invalid(
                _(
                    "The workbook declares more texts than a roster of %(rows)d rows and %(columns)d columns can "
                    "hold. Save it again from Excel or WPS and try again.",
                    rows=limits.rows,
                    columns=limits.columns,
                ),
                "file",
            )


def _parse(body: bytes, check: Any, deadline: float, limits: Limits) -> None:
    """Feed an XML part to expat in 64 KB pieces with ``check``'s handlers (no tree is built), minding the deadline."""
    parser = zipsafe.xml_parser()
    parser.buffer_text = True
    parser.StartElementHandler, parser.EndElementHandler = check.start, check.end
    parser.CharacterDataHandler = check.text
    try:
        for offset in range(0, len(body), 65536):
            if time.monotonic() > deadline:
                raise too_slow(limits)
            parser.Parse(body[offset : offset + 65536], False)
        parser.Parse(b"", True)
    except (expat.ExpatError, zipsafe.Refused):
        raise unreadable() from None


class _SharedStrings:
    """Expat handlers that measure each shared string (phonetic runs counted too: never less than a reader shows)."""

    def __init__(self):
        """No string yet."""
        self.lengths: list[int] = []
        self.inside = 0  # depth of <t> elements we are in

    def start(self, name: str, _attributes: dict) -> None:
        """An element opens: a string, or text of one."""
        name = _local(name)
        if name == "si":
            self.lengths.append(0)
        elif name == "t":
            self.inside += 1

    def end(self, name: str) -> None:
        """An element closes."""
        if _local(name) == "t":
            self.inside -= 1

    def text(self, data: str) -> None:
        """Text, counted when it is a string's."""
        if self.inside and self.lengths:
            self.lengths[-1] += len(data)


def _shared_lengths(body: bytes, deadline: float, limits: Limits) -> list[int]:
    """The length of each shared string, in order."""
    check = _SharedStrings()
    _parse(body, check, deadline, limits)
    return check.lengths


class _SheetCheck:
    """Expat handlers that follow a worksheet cell by cell, keeping only the current cell, and refuse one beyond
    ``limits``: its place (by its reference, or counted on from the one before, as readers do), its length, the
    text of all cells, and the declared dimension. A formatted cell without a value is no cell (readers skip it).
    Written for speed (a 10,000-row roster is 150,000 elements): plain attributes, the common names first."""

    def __init__(self, shared: list[int], limits: Limits):
        """Start before the first row."""
        self.shared, self.limits = shared, limits
        self.line, self.column, self.total = 0, -1, 0
        self.in_cell = self.has_value = False
        self.kind, self.value, self.inline = "", [], 0
        self.capture = ""  # "v": the value's text; "t": an inline string's text
        self.columns: dict[str, int] = {}
        self.max_line, self.max_column = limits.rows + 1, limits.columns
        self.max_chars, self.max_total = limits.cell_chars, limits.bytes

    def start(self, name: str, attributes: dict) -> None:
        """An element opens."""
        if ":" in name:
            name = _local(name)
        if name == "c":
            ref = attributes.get("r")
            if ref:
                line, self.column = self._ref(ref)
                if line > self.line:
                    self.line = line
            else:
                self.column += 1
            self.in_cell, self.has_value = True, False
            self.kind, self.value, self.inline = attributes.get("t", ""), [], 0
        elif not self.in_cell:
            if name == "row":
                self.line = self._ref("A" + attributes["r"])[0] if attributes.get("r") else self.line + 1
                self.column = -1
            elif name == "dimension":
                for ref in (attributes.get("ref") or "").split(":"):
                    if ref:
                        _check_extent(*self._ref(ref), self.limits)
        elif name == "v":
            self.has_value, self.capture = True, "v"
        elif name in ("is", "f"):
            self.has_value = True
        elif name == "t":
            self.capture = "t"

    def _ref(self, ref: str) -> tuple[int, int]:
        """(row, column index) of a reference, the column's letters remembered."""
        letters = ref.rstrip("0123456789")
        column = self.columns.get(letters)
        digits = ref[len(letters) :]
        if column is None or not digits.isdigit() or len(digits) > 7:
            line, column = _cell_ref(ref)
            self.columns[letters] = column
            return line, column
        return int(digits), column

    def end(self, name: str) -> None:
        """An element closes: a cell is checked."""
        if ":" in name:
            name = _local(name)
        if name == "c":
            self.in_cell, self.capture = False, ""
            if self.has_value:
                self._check_cell()
        elif name in ("v", "t"):
            self.capture = ""

    def _check_cell(self) -> None:
        """Refuse the cell just read if it lies beyond the limits or holds too much text."""
        if self.column >= self.max_column or self.line > self.max_line:
            _check_extent(self.line, self.column, self.limits)
        value = "".join(self.value)
        if self.kind == "s":
            index = value.strip()
            if not index.isdigit() or len(index) > 9:
                raise unreadable()
            length = self.shared[int(index)] if int(index) < len(self.shared) else 0
        else:
            length = max(len(value), self.inline)
        if length > self.max_chars:
            raise cell_too_long(where(self.line, self.column), self.limits)
        self.total += length
        if self.total > self.max_total:
            raise too_large(_("the text of its cells"), self.limits)

    def text(self, data: str) -> None:
        """Text inside the current cell's value or inline string (its length is bounded by the part's size)."""
        if self.capture == "v":
            self.value.append(data)
        elif self.capture == "t":
            self.inline += len(data)


def _check_sheet(body: bytes, shared: list[int], deadline: float, limits: Limits) -> None:
    """Refuse a worksheet whose cells (or declared dimension) reach beyond ``limits``."""
    _parse(body, _SheetCheck(shared, limits), deadline, limits)


def _check_extent(line: int, column: int, limits: Limits) -> None:
    """Refuse a cell beyond the last row or column allowed (the header row comes on top of ``rows``)."""
    if column >= limits.columns:
        raise too_many_columns(where(line, column), limits)
    if line > limits.rows + 1:
        raise too_many_rows(limits)


Table = list[tuple[int, tuple]]


def read_xlsx(data: bytes, limits: Limits) -> Table:
    """The non-empty rows of a workbook's first sheet as (line, cells), checked first (``checked_workbook``) and then
    read by calamine (Rust: a 10,000-row roster in well under a second, where openpyxl took several)."""
    from python_calamine import CalamineError, CalamineWorkbook

    started = time.monotonic()
    checked = checked_workbook(data, limits)
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(checked))
        if not workbook.sheet_names:
            raise Invalid(_("The workbook has no sheet."), "file")
        rows = workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except (CalamineError, ValueError, OSError, TypeError):
        raise unreadable() from None
    except BaseException as error:  # a Rust panic surfaces as pyo3's PanicException (a BaseException)
        if type(error).__name__ != "PanicException":
            raise
        raise unreadable() from None
    if time.monotonic() - started > limits.seconds:
        raise too_slow(limits)
    return [(n, tuple(row)) for n, row in enumerate(rows, start=1) if any(cell not in ("", None) for cell in row)]


def read_csv(data: bytes, limits: Limits) -> Table:
    """The non-empty rows of a CSV file in UTF-8 (with or without BOM) or GBK as (line, cells), within ``limits``.

    The csv module's own field limit (128 KB) would raise from deep inside the reader; a cell longer than
    ``cell_chars`` is refused first, naming its line and column, and one past the module's limit is found by
    scanning that record.
    """
    if len(data) > limits.bytes:
        raise too_large(_("the file"), limits)
    deadline = time.monotonic() + limits.seconds
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise Invalid(_("The file's text can't be read. Save it as UTF-8 or GBK."), "file")
    if any(ord(char) < 32 and char not in "\t\r\n" for char in text[:4096]):
        raise unreadable()
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    table: Table = []
    line = ended = 0  # records read (lines as a spreadsheet shows them); the physical line the last one ended on
    while True:
        try:
            cells = next(reader, None)
        except csv.Error:
            index = _long_field(text, ended, dialect, limits.cell_chars)
            if index is None:
                raise Invalid(
                    _("Line %(line)d of the file can't be read as CSV. Save it again and try again.", line=line + 1),
                    "file",
                ) from None
            raise cell_too_long(where(line + 1, index), limits) from None
        if cells is None:
            return table
        line, ended = line + 1, reader.line_num
        if line % 1000 == 0 and time.monotonic() > deadline:
            raise too_slow(limits)
        while cells and not cells[-1].strip():
            cells.pop()  # trailing empty cells (Excel writes them) are no column
        if not cells:
            continue
        if len(cells) > limits.columns:
            raise too_many_columns(where(line, len(cells) - 1), limits)
        for index, cell in enumerate(cells):
            if len(cell) > limits.cell_chars:
                raise cell_too_long(where(line, index), limits)
        table.append((line, tuple(cells)))
        if len(table) > limits.rows + 1:
            raise too_many_rows(limits)


def _long_field(text: str, ended: int, dialect: Any, limit: int) -> int | None:
    """The column of the first field longer than ``limit`` in the record after physical line ``ended``, or None."""
    start = 0
    for _line in range(ended):
        start = text.find("\n", start) + 1
        if not start:
            return None
    index, length, quoted = 0, 0, False
    for char in text[start:]:
        if char == dialect.quotechar:
            quoted = not quoted
            continue
        if not quoted and char == dialect.delimiter:
            index, length = index + 1, 0
            continue
        if not quoted and char in "\r\n":
            return None
        length += 1
        if length > limit:
            return index
    return None
