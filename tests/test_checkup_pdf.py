"""The report as a PDF: a real A4 document whose text (read back with pypdf) holds the park, the firm, the
enterprise's name and USCC and the findings in Chinese; the download is audited; drafts are marked."""

from __future__ import annotations

import io

from pypdf import PdfReader
from sqlalchemy import select

from parkportal.checkups import service as checkups
from parkportal.extensions import db
from parkportal.models import AuditLog

from . import factories
from .booking_support import working_lawyer
from .checkup_support import checkup_booking
from .conftest import english


def _pdf_text(data: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(data))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def test_issued_report_pdf_has_the_enterprise_and_the_findings(app, client):
    """The enterprise downloads an A4 PDF naming the park, the firm, itself, its USCC and a Chinese finding."""
    with app.app_context():
        user = factories.enterprise_user(factories.enterprise(name="常州江南智造精密机械有限公司"))
        lawyer = working_lawyer(name="陈明")
        appointment = checkup_booking(user, lawyer)
        checkups.add_finding(
            appointment,
            lawyer,
            area="labor",
            finding="部分员工未签订书面劳动合同",
            basis="《劳动合同法》第八十二条",
            level="high",
            recommendation="一个月内补签",
        )
        checkups.add_finding(appointment, lawyer, area="contracts", finding="印章使用未登记", level="medium")
        checkups.issue(appointment, lawyer, "总体风险中等，劳动用工为重点整改领域。")
        db.session.commit()
        booking_id, email, uscc = appointment.id, user.email, user.enterprise.uscc
    client.post("/auth/login", data={"email": email, "password": factories.PASSWORD})
    response = client.get(f"/checkups/{booking_id}/report.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert f"checkup-report-{booking_id}-r1.pdf" in response.headers["Content-Disposition"]
    reader, text = _pdf_text(response.data)
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    compact = "".join(text.split())
    for expected in ("常州江南智造精密机械有限公司", uscc, "部分员工未签订书面劳动合同", "印章使用未登记"):
        assert expected in compact, expected
    assert app.config["PARK_NAME"] in compact and app.config["PARTNER_FIRM_NAME"] in compact
    with app.app_context():
        entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "checkup.report_downloaded"))
        assert entry is not None and entry.details["revision"] == 1


def test_the_lawyer_previews_a_draft(app, lawyer_client):
    """Before issuing, the lawyer's PDF is marked as a draft."""
    with app.app_context():
        from parkportal.models import User

        lawyer = db.session.get(User, lawyer_client.user_id)
        from datetime import time

        from parkportal.availability.service import add_weekly_range

        for weekday in range(1, 6):
            add_weekly_range(lawyer, weekday, time(9), time(17))
        appointment = checkup_booking(lawyer=lawyer)
        checkups.add_finding(appointment, lawyer, area="ip", finding="商标未注册", level="low")
        db.session.commit()
        booking_id = appointment.id
    english(lawyer_client)
    response = lawyer_client.get(f"/checkups/{booking_id}/report.pdf")
    assert response.status_code == 200
    _reader, text = _pdf_text(response.data)
    assert "DRAFT" in text and "商标未注册" in "".join(text.split())
