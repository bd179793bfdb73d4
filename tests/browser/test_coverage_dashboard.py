"""The coverage dashboard in Chromium: staff open it from the navigation, read the figures and charts, search the
not-yet-served list (htmx swaps only the list), and the page raises no CSP or script errors. Screenshots at desktop
width and 390 px."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from parkportal.extensions import db

from .. import coverage_support as park
from .. import factories
from .conftest import sign_in

pytestmark = pytest.mark.browser


def test_staff_read_the_dashboard_and_search_the_outreach_list(app, page, live_server, screenshot):
    """Navigation → dashboard for 2025: 5 of 8 served, the SVG trend, the not-served list searchable by phone."""
    with app.app_context():
        park.seed()
        email = factories.staff().email
        db.session.commit()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

    sign_in(page, live_server, email)
    page.get_by_role("link", name="服务覆盖").first.click()
    page.wait_for_url("**/coverage/**")
    page.fill("#period-from", "2025-01-01")
    page.fill("#period-to", "2025-12-31")
    page.get_by_role("button", name="查看").click()
    page.wait_for_url("**from=2025-01-01**")
    expect(page.locator('[data-figure="served"] [data-value]')).to_have_text("5")
    expect(page.locator("svg.chart-svg rect")).not_to_have_count(0)
    expect(page.locator("#not-served tr[data-enterprise-id]")).to_have_count(3)
    page.reload()  # revalidates the stylesheet (Chromium's cache may hold an earlier run's)
    expect(page.locator('[data-figure="served"] [data-value]')).to_have_text("5")
    screenshot("coverage-dashboard-desktop")

    page.fill("input[name=q]", "13900001111")
    expect(page.locator("#not-served tr[data-enterprise-id]")).to_have_count(1)
    expect(page.locator("#not-served")).to_contain_text("己 物流")

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    expect(page.locator('[data-figure="served"] [data-value]')).to_have_text("5")
    screenshot("coverage-dashboard-phone")
    assert not errors, errors


def test_staff_page_through_an_enterprise_timeline(app, page, live_server, screenshot):
    """An enterprise with 55 services: the timeline shows the years table and 50 services, "next" shows the rest."""
    from datetime import date, timedelta

    with app.app_context():
        enterprise = factories.enterprise(name="甲 软件有限公司")
        for index in range(55):
            park._done(enterprise, park.local(date(2024, 12, 1) + timedelta(days=index)))
        email = factories.staff().email
        db.session.commit()
        enterprise_id = enterprise.id
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    sign_in(page, live_server, email)
    page.goto(f"{live_server}/coverage/enterprises/{enterprise_id}")
    expect(page.locator("[data-timeline] li")).to_have_count(50)
    expect(page.locator('tr[data-year="2025"] [data-total]')).to_have_text("24")
    screenshot("coverage-timeline-desktop")
    page.get_by_role("link", name="下一页").click()
    expect(page.locator("[data-timeline] li")).to_have_count(5)
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    expect(page.locator("[data-timeline] li")).to_have_count(5)
    screenshot("coverage-timeline-phone")
    assert not errors, errors
