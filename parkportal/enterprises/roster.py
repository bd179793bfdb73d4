"""The park's roster: read a spreadsheet of enterprises, preview what it would change, apply it in one transaction.

One code path for the staff page and ``flask import-roster``. Columns are matched by their header, in Chinese or
English and in any order (企业名称, 统一社会信用代码, 行业, 人数, 联系人, 电话, 地址 / name, uscc, industry, employees,
contact, phone, address). Enterprises are keyed by their 统一社会信用代码: an existing one (imported before, or
registered by itself) is updated, never duplicated; importing the same file twice changes nothing.
"""

from __future__ import annotations

import re
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import insert, select
from sqlalchemy.orm import selectinload

from .. import accounts
from ..core import audit, spreadsheet
from ..core.errors import Conflict, Invalid, NotFound
from ..core.locking import insert_or_lose
from ..extensions import db
from ..models import Enterprise, User
from ..timeutil import utcnow
from . import service
from .vocab import employee_band, industry_code, industry_labels

#: Roster columns → the header names people write for them (compared without spaces, brackets or case).
COLUMNS: dict[str, tuple[str, ...]] = {
    "name": (
        "企业名称",
        "名称",
        "公司名称",
        "单位名称",
        "企业",
        "name",
        "company",
        "enterprise",
        "enterprisename",
        "companyname",
    ),
    "uscc": (
        "统一社会信用代码",
        "社会信用代码",
        "信用代码",
        "统一代码",
        "uscc",
        "creditcode",
        "unifiedsocialcreditcode",
    ),
    "industry": ("行业", "所属行业", "行业类别", "行业分类", "industry", "sector"),
    "employees": ("人数", "员工人数", "职工人数", "从业人数", "员工数", "employees", "staff", "headcount", "size"),
    "contact_name": ("联系人", "联系人姓名", "contact", "contactperson", "contactname"),
    "phone": ("电话", "联系电话", "手机", "手机号", "联系方式", "phone", "tel", "telephone", "mobile"),
    "address": ("地址", "企业地址", "注册地址", "办公地址", "园区地址", "address"),
}
#: Longest value each column may hold (the enterprise table's limits).
LIMITS = {"name": 200, "contact_name": 100, "phone": 32, "address": 200}

CREATE, UPDATE, UNCHANGED, SKIP = "create", "update", "unchanged", "skip"


@dataclass
class Row:
    """One line of the file: what it says, what is wrong with it, and what importing would do."""

    line: int
    values: dict[str, str]
    original: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    action: str = SKIP
    changes: list[str] = field(default_factory=list)

    @property
    def problems(self) -> list[str]:
        """Errors (the row is skipped) and warnings (imported, with a note)."""
        return self.errors + self.warnings


@dataclass
class Plan:
    """What importing a file would do, row by row."""

    rows: list[Row]

    def count(self, action: str) -> int:
        """How many rows would ``action`` (create, update, unchanged, skip)."""
        return sum(1 for row in self.rows if row.action == action)

    @property
    def with_problems(self) -> list[Row]:
        """The rows that have errors or warnings, in file order."""
        return [row for row in self.rows if row.problems]


def _header_key(text: object) -> str:
    """A header cell compared loosely: no spaces, brackets, colons, BOM or case."""
    return re.sub(r"[\s\ufeff（）()：:*_\-]", "", str(text or "")).lower()


_LOOKUP = {_header_key(name): column for column, names in COLUMNS.items() for name in names}


def _cell(value: object) -> str:
    """A cell as text: numbers without a trailing ``.0`` (phones and head counts come as numbers from Excel)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def read(filename: str, data: bytes) -> list[tuple[int, dict[str, str]]]:
    """The file's rows as (line number, column → text), by its header row. ``Invalid`` (field ``file``) if unusable.

    The file is read within the ``ROSTER_*`` limits (``core.spreadsheet``: rows, columns, cell length, size, time),
    and a header that names one column twice (two synonyms of it count) is refused, not resolved silently.
    """
    limits = spreadsheet.Limits.from_config(current_app.config)
    lowered = (filename or "").lower()
    if data[:4] == b"PK\x03\x04":
        table = spreadsheet.read_xlsx(data, limits)
    elif lowered.endswith((".csv", ".txt")) or "." not in lowered:
        table = spreadsheet.read_csv(data, limits)
    else:
        raise spreadsheet.unreadable()
    header_line, header = next(((n, cells) for n, cells in table if any(_cell(c) for c in cells)), (0, ()))
    columns: dict[int, str] = {}
    named: dict[str, str] = {}
    for index, cell in enumerate(header):
        column = _LOOKUP.get(_header_key(cell))
        if column is None:
            continue
        if column in named:
            raise Invalid(
                _(
                    "The columns “%(first)s” and “%(second)s” are the same column (%(column)s). Keep one of them "
                    "and try again.",
                    first=named[column],
                    second=_cell(cell),
                    column=COLUMNS[column][0],
                ),
                "file",
            )
        named[column] = _cell(cell)
        columns[index] = column
    if not {"name", "uscc"} <= named.keys():
        raise Invalid(
            _("The first row must name the columns, at least 企业名称 (name) and 统一社会信用代码 (uscc)."), "file"
        )
    rows = []
    for line, cells in table:
        if line <= header_line or not any(_cell(c) for c in cells):
            continue
        values = {column: _cell(cells[i]) for i, column in columns.items() if i < len(cells)}
        rows.append((line, values))
        if len(rows) > limits.rows:
            raise spreadsheet.too_many_rows(limits)
    return rows


def read_path(path: Path) -> list[tuple[int, dict[str, str]]]:
    """``read`` for a file on disk (``import-roster``): one larger than the limit is refused before it is read."""
    limits = spreadsheet.Limits.from_config(current_app.config)
    if path.stat().st_size > limits.bytes:
        raise spreadsheet.too_large(_("the file"), limits)
    return read(path.name, path.read_bytes())


def plan(rows: list[tuple[int, dict[str, str]]]) -> Plan:
    """Check each row and decide what it would do, against the enterprises on the roster now (one query per 500)."""
    labels = industry_labels()
    checked = [_check(line, values, labels) for line, values in rows]
    codes = [row.values["uscc"] for row in checked if not row.errors]
    existing = _existing(codes)
    first_line: dict[str, int] = {}
    for row in checked:
        if row.errors:
            continue
        code = row.values["uscc"]
        if code in first_line:
            row.errors.append(_("The same code is on line %(line)d already.", line=first_line[code]))
            row.action = SKIP
            continue
        first_line[code] = row.line
        enterprise = existing.get(code)
        if enterprise is None:
            row.action = CREATE
            continue
        row.changes = [key for key, value in _fields(row).items() if value and getattr(enterprise, key) != value]
        if enterprise.status in ("pending", "rejected"):
            row.changes.append("status")
        row.action = UPDATE if row.changes else UNCHANGED
    return Plan(checked)


def _check(line: int, values: dict[str, str], labels: dict[str, str]) -> Row:
    """One row's errors and warnings, with its values normalised."""
    row = Row(line, dict(values), original=dict(values))
    name, code = values.get("name", ""), accounts.clean_uscc(values.get("uscc", ""))
    row.values["uscc"] = code
    if not name:
        row.errors.append(_("The enterprise name is missing."))
    if not code:
        row.errors.append(_("The unified social credit code is missing."))
    elif not accounts.uscc_is_valid(code):
        row.errors.append(_("%(code)s is not a valid unified social credit code.", code=values.get("uscc", "")))
    for key, limit in LIMITS.items():
        if len(values.get(key, "")) > limit:
            row.errors.append(_("%(column)s is longer than %(n)d characters.", column=COLUMNS[key][0], n=limit))
    industry = values.get("industry", "")
    code_for = industry_code(industry, labels)
    if industry and code_for == "other" and labels.get(industry.lower()) != "other" and industry != "other":
        row.warnings.append(_("Unknown industry “%(text)s”: imported as “Other”.", text=industry))
    row.values["industry"] = code_for or ""
    employees = values.get("employees", "")
    band = employee_band(employees)
    if employees and band is None:
        row.warnings.append(_("The number of employees “%(text)s” can't be read: left empty.", text=employees))
    row.values["employees"] = band or ""
    if not row.errors:
        row.action = CREATE  # decided against the database in ``plan``
    return row


def _fields(row: Row) -> dict[str, str]:
    """The enterprise's columns this row sets."""
    return {
        key: row.values.get(key, "") for key in ("name", "industry", "employees", "contact_name", "phone", "address")
    }


def _existing(codes: list[str]) -> dict[str, Enterprise]:
    """The enterprises with these codes, by code."""
    found: dict[str, Enterprise] = {}
    for start in range(0, len(codes), 500):
        chunk = codes[start : start + 500]
        found.update({e.uscc: e for e in db.session.scalars(select(Enterprise).where(Enterprise.uscc.in_(chunk)))})
    return found


def apply(import_plan: Plan, actor: User | None, filename: str = "") -> dict[str, int]:
    """Create and update the enterprises the plan says (flushes; the caller's one commit makes it happen).

    A self-registered enterprise found on the roster is the same enterprise: its details are updated and, if it was
    waiting for verification, it is verified (its users are told). Returns how many rows did what. When another
    import (or a registration) has just created one of the enterprises, the database's unique code decides:
    everything this call wrote is undone and ``Conflict`` says to preview the file again.
    """
    lost = Conflict(
        _(
            "These enterprises were just imported or registered by someone else. Nothing was changed: preview the "
            "file again to see what is left to import."
        )
    )
    with insert_or_lose(lost):
        _write(import_plan, actor)
    summary = {action: import_plan.count(action) for action in (CREATE, UPDATE, UNCHANGED, SKIP)}
    if summary[CREATE] or summary[UPDATE]:
        audit.record("enterprise.roster_imported", None, actor=actor, file=filename[:200], **summary)
    return summary


def _write(import_plan: Plan, actor: User | None) -> None:
    """The plan's inserts and updates (``apply`` runs them in a savepoint)."""
    existing = _existing([row.values["uscc"] for row in import_plan.rows if row.action == UPDATE])
    verifying = [existing[row.values["uscc"]].id for row in import_plan.rows if "status" in row.changes]
    for start in range(0, len(verifying), 500):  # their users in one query per 500, not a query each
        db.session.scalars(
            select(Enterprise)
            .where(Enterprise.id.in_(verifying[start : start + 500]))
            .options(selectinload(Enterprise.users))
        ).all()
    now = utcnow()
    created = []
    with db.session.no_autoflush:  # one flush at the end, not one per verified enterprise
        for row in import_plan.rows:
            if row.action == CREATE:
                values = {key: value or None for key, value in _fields(row).items()}
                created.append(
                    {
                        **values,
                        "industry": values["industry"] or "other",
                        "uscc": row.values["uscc"],
                        "status": "verified",
                        "source": "imported",
                        "verified_at": now,
                        "created_at": now,
                        "updated_at": now,
                    }
                )
            elif row.action == UPDATE:
                enterprise = existing[row.values["uscc"]]
                for key, value in _fields(row).items():
                    if value and key in row.changes:
                        setattr(enterprise, key, value)
                if "status" in row.changes:
                    service.set_status(enterprise, "verified", actor)
    if created:
        db.session.execute(insert(Enterprise), created)  # one executemany: 10,000 rows in well under a second
    db.session.flush()


def problems_csv(import_plan: Plan) -> bytes:
    """The rows with problems as a CSV (``core.spreadsheet``: Excel opens it, and no cell runs as a formula) with
    the reasons in a last column."""
    header = [_("Line"), *(COLUMNS[column][0] for column in COLUMNS), _("Problems")]
    return spreadsheet.csv_bytes(
        header,
        (
            [row.line, *(row.original.get(column, "") for column in COLUMNS), "；".join(row.problems)]
            for row in import_plan.with_problems
        ),
    )


# ----------------------------------------------------------------------------- the file between preview and apply

_TOKEN = re.compile(r"[0-9a-f]{32}")
#: Uploaded rosters waiting to be applied are kept this long.
KEEP_SECONDS = 24 * 3600


def _folder() -> Path:
    """Where uploaded rosters wait between preview and apply (``instance/roster/``, never under static/)."""
    folder = Path(current_app.instance_path) / "roster"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def keep(filename: str, data: bytes) -> str:
    """Store an uploaded roster under a random name until it is applied; returns its token. Old ones are removed."""
    folder = _folder()
    cutoff = time.time() - KEEP_SECONDS
    for old in folder.glob("*.upload"):
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
    token = secrets.token_hex(16)
    suffix = ".xlsx" if data[:4] == b"PK\x03\x04" else ".csv"
    (folder / f"{token}.upload").write_bytes(data)
    (folder / f"{token}.name").write_text((Path(filename or "roster").stem[:100] or "roster") + suffix, "utf-8")
    return token


def kept(token: str) -> tuple[str, bytes]:
    """The file name and bytes of a kept roster; ``NotFound`` for an unknown or expired token."""
    folder = _folder()
    if not _TOKEN.fullmatch(token or "") or not (folder / f"{token}.upload").exists():
        raise NotFound("no such roster upload")
    return (folder / f"{token}.name").read_text("utf-8"), (folder / f"{token}.upload").read_bytes()


def forget(token: str) -> None:
    """Remove a kept roster once it has been applied."""
    if _TOKEN.fullmatch(token or ""):
        for suffix in (".upload", ".name"):
            (_folder() / f"{token}{suffix}").unlink(missing_ok=True)
