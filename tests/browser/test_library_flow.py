"""The library in Chromium: staff publish a compilation; an enterprise finds it by active search and downloads it;
staff see the download counted. Screenshots at desktop width and 390 px."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from parkportal.extensions import db

from .. import factories
from ..library_support import compilation, pdf_bytes
from .conftest import sign_in

pytestmark = pytest.mark.browser

TITLE = "新《公司法》实务问答"


def test_staff_publish_enterprise_finds_and_downloads_staff_see_it_counted(
    app, page, live_server, screenshot, tmp_path
):
    """Publish through the form, find it by typing in the search box (htmx), download it, see the count."""
    with app.app_context():
        staff = factories.staff()
        user = factories.enterprise_user()
        compilation(staff, "劳动用工合规指引", topics=("labor",), summary="招聘、试用期与解除")
        db.session.commit()
        staff_email, user_email = staff.email, user.email
    upload = tmp_path / "新公司法实务问答（2025年版）.pdf"
    upload.write_bytes(pdf_bytes("Company Law Q&A"))
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

    sign_in(page, live_server, staff_email)
    page.goto(live_server + "/library/new")
    page.fill("#title", TITLE)
    page.fill("#edition", "2025年版")
    page.fill("#summary", "以问答形式解读认缴出资五年内缴足、股权转让与公司治理的实务问题。")
    page.check("input[name=topics][value=company_law]")
    page.set_input_files("#file", str(upload))
    page.check("#published")
    screenshot("library-01-publish-form")
    page.locator("main form button[type=submit]").click()
    detail = page.locator(".compilation-detail")
    expect(detail).to_have_attribute("data-published", "true")
    compilation_id = detail.get_attribute("data-compilation-id")
    expect(page.locator(".compilation-cover-large")).to_be_visible()  # drawn from the PDF's first page
    screenshot("library-02-published")

    sign_in(page, live_server, user_email)
    page.goto(live_server + "/library/")
    expect(page.locator("[data-compilation-id]")).to_have_count(2)
    search = page.locator("input[name=q]")
    search.press_sequentially("公司法", delay=60)
    search.press("End")  # the key that ends an IME composition: the keyup that starts the search
    expect(page).to_have_url(f"{live_server}/library/?q=%E5%85%AC%E5%8F%B8%E6%B3%95&topic=&year=")
    card = page.locator(f'[data-compilation-id="{compilation_id}"]')
    expect(card).to_be_visible()
    expect(page.locator("[data-compilation-id]")).to_have_count(1)
    screenshot("library-03-search")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot("library-04-search-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.set_viewport_size({"width": 1280, "height": 900})
    card.locator("h3 a").click()
    expect(page.locator(".compilation-detail")).to_be_visible()
    with page.expect_download() as download_info:
        page.locator('[data-action="download"]').click()
    download = download_info.value
    assert download.suggested_filename == upload.name
    saved = tmp_path / "downloaded.pdf"
    download.save_as(saved)
    assert saved.read_bytes() == upload.read_bytes()

    sign_in(page, live_server, staff_email)
    page.goto(f"{live_server}/library/{compilation_id}")
    expect(page.locator(".download-count")).to_have_attribute("data-downloads", "1")
    expect(page.locator("[data-distributed]")).to_have_attribute("data-distributed", "1")
    screenshot("library-05-staff-counted")
    page.goto(live_server + "/library/stats")
    expect(page.locator(f'tr[data-compilation-id="{compilation_id}"] .downloads')).to_have_text("1")
    screenshot("library-06-stats")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/library/{compilation_id}")
    screenshot("library-07-staff-detail-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert not [e for e in errors if "Content Security Policy" in e], errors
