"""The coverage exports: the per-enterprise table of a period as CSV (UTF-8 with BOM, so Excel reads the Chinese)
and XLSX (openpyxl, write-only: rows stream out without a workbook in memory), and the not-yet-served list as CSV.
Both files come from the one query ``metrics.per_enterprise``; headers are Chinese like the park's other exports.
``core.spreadsheet`` writes them, so no cell runs as a formula."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from flask_babel import force_locale

from ..core import spreadsheet, vocab
from ..enterprises.vocab import INDUSTRIES
from ..extensions import db
from . import cache
from .metrics import last_touch, not_served, open_needs, per_enterprise
from .vocab import CHANNELS

#: The per-enterprise table's header (DESIGN.md: 企业名称, 统一社会信用代码, 服务次数); channel columns follow CHANNELS.
HEADER = (
    "企业名称",
    "统一社会信用代码",
    "行业",
    "服务次数",
    "法律咨询",
    "法律体检",
    "参加活动",
    "下载汇编",
    "纸质汇编",
    "最近服务日期",
)
NOT_SERVED_HEADER = ("企业名称", "统一社会信用代码", "行业", "联系人", "电话", "已提需求", "最近服务日期")


def rows(start: date | None, end: date | None) -> Iterable[list]:
    """The per-enterprise rows of the period (streamed from one query)."""
    with force_locale("zh_CN"):
        industries = {code: str(name) for code, name in INDUSTRIES.items()}
    for row in db.session.execute(per_enterprise(start, end).execution_options(yield_per=1000)):
        yield [
            row.name,
            row.uscc,
            industries.get(row.industry, row.industry),
            row.touches,
            *(getattr(row, code) for code in CHANNELS),
            row.last_touch or "",
        ]


def table_csv(start: date | None, end: date | None) -> bytes:
    """The per-enterprise table as CSV (cached under the coverage stamp: it is made of the roster and the counts)."""
    return cache.cached(("export.csv", start, end), lambda: spreadsheet.csv_bytes(HEADER, rows(start, end)))


def table_xlsx(start: date | None, end: date | None) -> bytes:
    """The per-enterprise table as an XLSX workbook (one sheet, 服务覆盖; cached like the CSV)."""
    return cache.cached(
        ("export.xlsx", start, end), lambda: spreadsheet.xlsx_bytes("服务覆盖", HEADER, rows(start, end))
    )


def not_served_csv(start: date | None, end: date | None, q: str = "") -> bytes:
    """The not-yet-served list of the period: contact, phone, stated needs, last touch ever."""
    enterprises = list(db.session.scalars(not_served(start, end, q)))
    ids = [e.id for e in enterprises]
    needs = open_needs(ids)
    last = last_touch(ids)
    with force_locale("zh_CN"):
        lines = [
            [
                e.name,
                e.uscc,
                vocab.label(INDUSTRIES, e.industry),
                e.contact_name,
                e.phone,
                "；".join(dict.fromkeys(vocab.label(vocab.TOPICS, n.topic) for n in needs[e.id])),
                last.get(e.id, ""),
            ]
            for e in enterprises
        ]
    return spreadsheet.csv_bytes(NOT_SERVED_HEADER, lines)


def filename(kind: str, start: date | None, end: date | None, ext: str) -> str:
    """An ASCII file name naming the period: coverage-2026-01-01-2026-12-31.csv."""
    span = "-".join(d.isoformat() for d in (start, end) if d)
    return f"{kind}-{span}.{ext}" if span else f"{kind}.{ext}"
