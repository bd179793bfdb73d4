"""The checkup in Chromium: the enterprise fills part of the questionnaire, leaves, comes back and finishes; the
lawyer sees the flags and issues a report with a red finding; the enterprise downloads the PDF (its first page is
rendered to an image for the screenshots) and marks the finding corrected. Desktop and 390 px phone width."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from parkportal.extensions import db

from .. import factories
from ..booking_support import working_lawyer
from ..checkup_support import checkup_booking
from .conftest import ARTIFACTS, sign_in

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESK = {"width": 1280, "height": 900}


def _both_widths(page, screenshot, name):
    """A screenshot at desktop width and one at phone width (without sideways scrolling)."""
    page.set_viewport_size(DESK)
    screenshot(f"{name}-desk")
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
    screenshot(f"{name}-phone")
    page.set_viewport_size(DESK)


def _pdf_page_image(pdf_path, png_path):
    """Render the PDF's first page to a PNG (pypdfium2), as a person would see it."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(pdf_path))
    try:
        image = document[0].render(scale=1.4).to_pil()
        image.save(png_path)
    finally:
        document.close()


def test_questionnaire_report_pdf_and_correction(app, page, live_server, screenshot, tmp_path):
    """Draft → leave → come back → finish; the lawyer issues a red finding; PDF download; correction reported."""
    with app.app_context():
        user = factories.enterprise_user(factories.enterprise(name="常州江南智造精密机械有限公司"), name="张伟")
        lawyer = working_lawyer(name="陈明")
        appointment = checkup_booking(user, lawyer)
        db.session.commit()
        user_email, lawyer_email, booking_id = user.email, lawyer.email, appointment.id
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

    # The enterprise finds the questionnaire from its booking and answers part of it.
    sign_in(page, live_server, user_email)
    page.goto(f"{live_server}/bookings/{booking_id}")
    page.locator("[data-checkup-link] a").click()
    expect(page.locator("#questionnaire-form")).to_be_visible()
    page.check("#cl_capital_paid-beyond_five")
    page.check("#lb_written_contracts-no")
    page.check("#ct_seal_control-keeper")
    page.fill("#lb_headcount-text", "48 人，其中实习生 3 人")
    page.locator("[data-action=save-draft]").click()
    expect(page.locator(".flash-success")).to_be_visible()
    _both_widths(page, screenshot, "checkup-01-draft")

    # It leaves, comes back later: the answers are there; it finishes.
    page.goto(f"{live_server}/bookings/")
    page.goto(f"{live_server}/checkups/")
    page.locator(f'[data-booking-id="{booking_id}"] a').click()
    expect(page.locator("#lb_written_contracts-no")).to_be_checked()
    expect(page.locator("#lb_headcount-text")).to_have_value("48 人，其中实习生 3 人")
    page.locator("[data-action=finish]").click()
    expect(page.locator(".field-error").first).to_be_visible()  # the open questions are marked
    expect(page.locator("#lb_written_contracts-no")).to_be_checked()  # nothing typed is lost
    screenshot("checkup-02-missing-answers")
    for fieldset in page.locator("fieldset.invalid").all():
        fieldset.locator("input[type=radio], input[type=checkbox]").first.check()
    page.locator("[data-action=finish]").click()
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.locator("#questionnaire-form")).to_have_count(0)

    # The lawyer sees the flags and issues a report with a red finding.
    sign_in(page, live_server, lawyer_email)
    page.goto(f"{live_server}/checkups/{booking_id}")
    expect(page.locator('[data-flag="lb_written_contracts"][data-risk-level="high"]')).to_be_visible()
    page.select_option("#area", "labor")
    page.check("input[name=level][value=high]")
    page.fill("#finding", "部分员工入职超过一个月仍未签订书面劳动合同。")
    page.fill("#basis", "《劳动合同法》第十条、第八十二条")
    page.fill("#recommendation", "十五日内补签书面劳动合同，核算二倍工资风险。")
    page.locator("#new-finding button[type=submit]").click()
    expect(page.locator('.finding[data-risk-level="high"]')).to_be_visible()
    page.fill("#summary", "总体风险中等，劳动用工为重点整改领域。")
    page.locator("#issue button[type=submit]").click()
    expect(page.locator(".flash-success")).to_be_visible()
    _both_widths(page, screenshot, "checkup-03-lawyer")

    # The enterprise reads the report, downloads the PDF and marks the finding corrected.
    sign_in(page, live_server, user_email)
    page.goto(f"{live_server}/checkups/{booking_id}")
    finding = page.locator('.finding[data-risk-level="high"]')
    expect(finding).to_contain_text("未签订书面劳动合同")
    with page.expect_download() as download_info:
        page.locator("#report [data-action=pdf]").click()
    pdf_path = tmp_path / "report.pdf"
    download_info.value.save_as(pdf_path)
    assert pdf_path.read_bytes()[:5] == b"%PDF-"
    ARTIFACTS.mkdir(exist_ok=True)
    _pdf_page_image(pdf_path, ARTIFACTS / "checkup-04-report-pdf-page1.png")
    _both_widths(page, screenshot, "checkup-05-report")
    finding.locator("summary").click()
    finding.locator("textarea[name=note]").fill("已与 5 名员工补签劳动合同，合同已归档。")
    finding.locator("button[type=submit]").click()
    expect(page.locator('.finding[data-risk-level="high"]')).to_have_attribute("data-finding-status", "corrected")
    screenshot("checkup-06-corrected")
    assert not [e for e in errors if "Content Security Policy" in e], errors


def test_staff_see_the_park_risks(app, page, live_server, screenshot, monkeypatch):
    """Staff filter the park's findings by level with htmx; each row carries the contract's hooks; the list pages."""
    from parkportal.checkups import service as checkups
    from parkportal.checkups import views

    monkeypatch.setattr(views, "FINDINGS_PER_PAGE", 2)  # three findings: two pages

    with app.app_context():
        staff = factories.staff(name="王丽")
        lawyer = working_lawyer(name="刘洋")
        cases = [
            ("high", "labor", "未签书面劳动合同"),
            ("medium", "contracts", "用印未登记"),
            ("low", "ip", "商标类别不全"),
        ]
        for index, (level, area, text) in enumerate(cases):
            appointment = checkup_booking(lawyer=lawyer, weekday=1 + index)
            checkups.add_finding(appointment, lawyer, area=area, finding=text, level=level)
            checkups.issue(appointment, lawyer, "体检结论")
        db.session.commit()
        staff_email = staff.email
    sign_in(page, live_server, staff_email)
    page.goto(f"{live_server}/checkups/")
    expect(page.locator("#results tr[data-finding-id]")).to_have_count(2)
    expect(page.locator("#results tr[data-finding-id]").first).to_have_attribute("data-risk-level", "high")
    _both_widths(page, screenshot, "checkup-07a-findings-page-1")
    page.locator('[data-pager="findings_page"] a[rel=next]').click()
    expect(page.locator("#results tr[data-finding-id]")).to_have_count(1)
    expect(page.locator("#results tr[data-finding-id]")).to_have_attribute("data-risk-level", "low")
    assert "findings_page=2" in page.url
    page.goto(f"{live_server}/checkups/")
    page.select_option("select[name=level]", "high")
    expect(page.locator("#results tr[data-finding-id]")).to_have_count(1)
    expect(page.locator("#results tr[data-finding-id]")).to_have_attribute("data-risk-level", "high")
    assert "level=high" in page.url
    _both_widths(page, screenshot, "checkup-07-park-risks")
