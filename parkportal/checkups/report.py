"""The report as documents: an A4 PDF (WeasyPrint; CJK text in Noto from Debian's fonts-noto-cjk) and the park's
findings as CSV. Both render from the same data the pages show."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from flask import current_app, render_template
from flask_babel import gettext as _

from ..core import spreadsheet, vocab
from ..models import Appointment, Checkup, Finding
from ..timeutil import to_local
from .vocab import FINDING_STATUSES, RISK_COLOURS


def pdf(
    appointment: Appointment,
    checkup: Checkup | None,
    report: dict[str, Any],
    *,
    english: bool,
    draft: bool,
) -> bytes:
    """The report (``report``: summary, findings, revision, issued_at) as an A4 PDF document."""
    from weasyprint import HTML  # imported on use: it loads Pango, which only this needs

    config = current_app.config
    html = render_template(
        "checkups/report_pdf.html",
        appointment=appointment,
        checkup=checkup,
        report=report,
        draft=draft,
        park=config["PARK_NAME_EN"] if english else config["PARK_NAME"],
        firm=config["PARTNER_FIRM_NAME_EN"] if english else config["PARTNER_FIRM_NAME"],
        location=config["PARK_LOCATION"],
    )
    return HTML(string=html, base_url=current_app.root_path).write_pdf()


#: The CSV's columns: header (Chinese, like the park's other exports) → value of a finding.
COLUMNS = (
    "企业名称",
    "统一社会信用代码",
    "领域",
    "风险等级",
    "问题",
    "法律依据",
    "整改建议",
    "整改期限",
    "状态",
    "出具日期",
    "未整改天数",
    "律师",
    "体检编号",
)


def findings_csv(findings: Iterable[Finding], today: date) -> bytes:
    """The findings as UTF-8 CSV with a BOM (so Excel reads the Chinese), one row per finding."""
    return spreadsheet.csv_bytes(COLUMNS, (_finding_row(finding, today) for finding in findings))


def _finding_row(finding: Finding, today: date) -> list:
    """One finding's line of the CSV."""
    appointment = finding.checkup.appointment
    issued = to_local(finding.issued_at).date() if finding.issued_at else None
    return [
        appointment.enterprise.name,
        appointment.enterprise.uscc,
        vocab.label(vocab.TOPICS, finding.area),
        str(RISK_COLOURS[finding.level]),
        finding.finding,
        finding.basis,
        finding.recommendation,
        finding.deadline.isoformat() if finding.deadline else "",
        vocab.label(FINDING_STATUSES, finding.status),
        issued.isoformat() if issued else "",
        (today - issued).days if issued and finding.status == "open" else "",
        appointment.lawyer.name if appointment.lawyer else "",
        appointment.id,
    ]


def filename(appointment: Appointment, revision: int | None) -> str:
    """The PDF's file name (ASCII): checkup-report-<booking>-r<revision>.pdf."""
    suffix = f"-r{revision}" if revision else "-draft"
    return f"checkup-report-{appointment.id}{suffix}.pdf"


def csv_filename(today: date) -> str:
    """The CSV's file name."""
    return f"checkup-findings-{today.isoformat()}.csv"


def untitled() -> str:
    """The title of the report document."""
    return _("Legal risk assessment report")
