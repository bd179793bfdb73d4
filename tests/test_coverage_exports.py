"""Coverage exports and the yearly report: per-enterprise CSV (UTF-8 with BOM) and XLSX with the contract's Chinese
headers, the not-yet-served CSV, and the report page and PDF with the year's figures."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from parkportal.extensions import db

from . import coverage_support as park
from . import factories
from .conftest import sign_in

PERIOD = "from=2025-01-01&to=2025-12-31"


@pytest.fixture
def staff(app):
    """A staff client on the seeded park; ``.ids`` holds the enterprises by letter."""
    with app.app_context():
        seeded = park.seed()
        email = factories.staff().email
        db.session.commit()
    client = sign_in(app, email)
    client.ids = seeded.ids
    return client


def test_csv_has_one_row_per_active_enterprise_with_its_touches(staff):
    """The CSV starts with a BOM, names 企业名称/统一社会信用代码/服务次数, and counts each enterprise's touches."""
    response = staff.get(f"/coverage/export.csv?{PERIOD}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.data.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert {"企业名称", "统一社会信用代码", "服务次数"} <= set(rows[0])
    by_name = {row["企业名称"]: row for row in rows}
    assert len(rows) == 8 and "戊 软件" not in by_name  # archived E is not on the active roster
    assert (by_name["甲 软件"]["服务次数"], by_name["甲 软件"]["法律咨询"], by_name["甲 软件"]["下载汇编"]) == (
        "4",
        "2",
        "1",
    )
    assert by_name["甲 软件"]["最近服务日期"] == "2025-09-01"
    assert by_name["己 物流"]["服务次数"] == "0"
    assert sum(int(row["服务次数"]) for row in rows) == 8  # 9 touches, less archived E's


def test_xlsx_holds_the_same_table(staff):
    """The workbook's sheet has the CSV's header and rows."""
    response = staff.get(f"/coverage/export.xlsx?{PERIOD}")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("企业名称", "统一社会信用代码", "行业", "服务次数")
    found = {row[0]: row[3] for row in rows[1:]}
    assert len(found) == 8 and found["甲 软件"] == 4 and found["丙 软件"] == 1


def test_not_served_csv_is_the_outreach_list(staff):
    """The not-yet-served CSV lists F, G and I with phone, stated needs and last touch ever."""
    response = staff.get(f"/coverage/not-served.csv?{PERIOD}")
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert {row["企业名称"] for row in rows} == {"己 物流", "庚 其他", "壬 软件"}
    f = next(row for row in rows if row["企业名称"] == "己 物流")
    assert (f["电话"], f["最近服务日期"]) == ("13900001111", "2024-11-11")
    assert next(row for row in rows if row["企业名称"] == "庚 其他")["已提需求"] == "劳动用工"


def test_yearly_report_page_and_pdf(staff):
    """The report shows the year's figures (events, reach, copies, risks, satisfaction, needs) and comes as a PDF."""
    from pypdf import PdfReader

    html = staff.get("/coverage/report?year=2025").get_data(as_text=True)
    assert '<tr data-figure="events"><th>' in html and "<td>2</td>" in html
    assert "5 / 8" in html and "62.5%" in html and "<td>21 (" in html
    assert staff.get("/coverage/report?year=abc").status_code == 404
    pdf = staff.get("/coverage/report.pdf?year=2025")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text()
    assert "2025" in text and "21" in text
