"""The browser's back and forward buttons after htmx searches: the page matches its URL, no CSP violations."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from parkportal.extensions import db

from .. import factories
from .conftest import sign_in

pytestmark = pytest.mark.browser

CSP_REPORTER = (
    """document.addEventListener("securitypolicyviolation", (e) => console.error("CSP " + e.violatedDirective));"""
)


def test_back_button_restores_the_search_box_with_the_results(app, page, live_server):
    """Back after a live search and a filter shows the earlier search term in the box, fetched fresh, CSP-clean."""
    with app.app_context():
        staff = factories.staff()
        factories.enterprise(name="常州回退测试新能源有限公司")
        factories.enterprise(name="常州回退测试机械有限公司", status="pending")
        db.session.commit()
        email = staff.email
    errors = []
    page.add_init_script(CSP_REPORTER)
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    sign_in(page, live_server, email)
    page.goto(live_server + "/enterprises/")
    rows = page.locator("#results tbody tr")
    page.locator("input[name=q]").press_sequentially("新能源", delay=50)
    expect(rows).to_have_count(1)
    expect(page).to_have_url(live_server + "/enterprises/?q=%E6%96%B0%E8%83%BD%E6%BA%90&status=")
    page.locator("select[name=status]").select_option("pending")
    expect(rows).to_have_count(0)
    expect(page).to_have_url(live_server + "/enterprises/?q=%E6%96%B0%E8%83%BD%E6%BA%90&status=pending")

    page.go_back()
    expect(page).to_have_url(live_server + "/enterprises/?q=%E6%96%B0%E8%83%BD%E6%BA%90&status=")
    expect(rows).to_have_count(1)
    expect(page.locator("input[name=q]")).to_have_value("新能源")
    expect(page.locator("select[name=status]")).to_have_value("")
    page.go_back()
    expect(rows).to_have_count(2)
    expect(page.locator("input[name=q]")).to_have_value("")
    page.go_forward()
    expect(page.locator("input[name=q]")).to_have_value("新能源")
    assert not [e for e in errors if e.startswith("CSP")], errors
