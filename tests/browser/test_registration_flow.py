"""An enterprise registers, staff verify it, its user sees the verified state — in Chromium, with screenshots."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from parkportal.extensions import db

from .. import factories
from ..test_registration import bad_check_digit
from .conftest import ARTIFACTS, sign_in

pytestmark = pytest.mark.browser

ENTERPRISE = "常州浏览器测试智能科技有限公司"
PASSWORD = "Browser2024"


def submit(page) -> None:
    """Press the main form's submit button (not the language switch or sign-out)."""
    page.locator("main form button[type=submit]").first.click()


def fill_registration(page, uscc: str, **overrides: str) -> None:
    """Fill the registration form with valid values, or the overrides."""
    values = {
        "enterprise_name": ENTERPRISE,
        "uscc": uscc,
        "contact_name": "周敏",
        "phone": "13812345678",
        "email": "zhoumin@browser-test.cn",
        "password": PASSWORD,
        "password_confirm": PASSWORD,
        **overrides,
    }
    for name, value in values.items():
        page.fill(f"#{name}", value)
    page.select_option("#industry", "software")
    page.select_option("#employees", "10-49")


def save(page, name: str) -> None:
    """A full-page screenshot of ``page`` under test-artifacts/ (for pages other than the ``page`` fixture)."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_register_verify_and_see_verified(app, browser, browser_context_args, page, live_server, screenshot):
    """Register an enterprise → staff verify it → its user signs in again and sees it verified (and notified)."""
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    with app.app_context():
        staff = factories.staff(name="王丽")
        db.session.commit()
        staff_email = staff.email

    page.goto(live_server + "/auth/register")
    fill_registration(page, factories.uscc())
    page.check("#agree_privacy")
    submit(page)
    expect(page.locator("[data-enterprise-status=pending]")).to_be_visible()
    expect(page.locator("h1")).to_have_text(ENTERPRISE)
    screenshot("flow-1-registered-pending")

    staff_context = browser.new_context(**browser_context_args)
    staff_page = staff_context.new_page()
    try:
        sign_in(staff_page, live_server, staff_email, factories.PASSWORD)
        expect(staff_page.locator("h1")).to_be_visible()
        staff_page.fill("input[name=q]", "浏览器测试")
        expect(staff_page).to_have_url(re.compile(r"[?&]q="))  # the search has answered: no swap under the click
        row = staff_page.locator("#results tr[data-enterprise-id]")
        expect(row).to_have_count(1)
        save(staff_page, "flow-2-staff-search")
        row.locator("a").click()
        expect(staff_page.locator("h1")).to_have_text(ENTERPRISE)
        staff_page.locator("[data-action=verify]").click()
        expect(staff_page.locator(".flash-success")).to_be_visible()
        expect(staff_page.locator("[data-action=verify]")).to_have_count(0)
        save(staff_page, "flow-3-staff-verified")
    finally:
        staff_context.close()

    page.locator("details.dropdown summary").click()
    page.locator("details.dropdown form[action='/auth/logout'] button").click()
    expect(page.locator("main a[href='/auth/register']").first).to_be_visible()
    sign_in(page, live_server, "zhoumin@browser-test.cn", PASSWORD)
    expect(page.locator("[data-enterprise-status=verified]")).to_be_visible()
    expect(page.locator("#unread-badge")).to_have_text("1")
    screenshot("flow-4-user-sees-verified")
    page.goto(live_server + "/notifications/")
    expect(page.locator(".notifications li.unread")).to_have_count(1)
    screenshot("flow-5-notifications")
    assert not errors, errors


def test_registration_errors_at_phone_width(browser, browser_context_args, live_server):
    """At 390 px the registration form with errors fits the screen and shows each message by its field."""
    context = browser.new_context(**{**browser_context_args, "viewport": {"width": 390, "height": 844}})
    page = context.new_page()
    try:
        page.goto(live_server + "/auth/register")
        fill_registration(
            page,
            bad_check_digit(factories.uscc()),
            phone="12345",
            email="zhoumin@",
            password_confirm="Different1",
        )
        submit(page)
        expect(page.locator("#uscc-error")).to_be_visible()
        for name in ("phone", "email", "password_confirm", "agree_privacy"):
            expect(page.locator(f"#{name}-error")).to_be_visible()
        expect(page.locator("#enterprise_name")).to_have_value(ENTERPRISE)
        save(page, "register-errors-390px")
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"the page is {overflow}px wider than the phone screen"
    finally:
        context.close()


PHONE_PAGES = {
    "anonymous": ["/", "/auth/login", "/auth/forgot"],
    "enterprise": ["/enterprises/mine", "/notifications/", "/auth/password", "/auth/invite"],
    "staff": ["/enterprises/", "/admin/users", "/admin/users/new", "/admin/audit", "/notifications/"],
}


@pytest.mark.parametrize("role", list(PHONE_PAGES))
def test_foundation_pages_fit_a_phone(app, browser, browser_context_args, live_server, role):
    """Home, auth, enterprise, admin and notification pages fit 390 px without sideways scrolling."""
    with app.app_context():
        enterprise = factories.enterprise(name="常州富都江南智能装备制造有限公司", status="pending")
        user = factories.enterprise_user(enterprise, name="欧阳晓东")
        staff = factories.staff(name="王丽")
        factories.lawyer(name="陈明")
        db.session.commit()
        emails = {"enterprise": user.email, "staff": staff.email}
    context = browser.new_context(**{**browser_context_args, "viewport": {"width": 390, "height": 844}})
    page = context.new_page()
    try:
        if role in emails:
            sign_in(page, live_server, emails[role], factories.PASSWORD)
            expect(page.locator("h1").first).to_be_visible()
        for path in PHONE_PAGES[role]:
            page.goto(live_server + path)
            expect(page.locator("h1").first).to_be_visible()
            name = path.strip("/").replace("/", "-") or "home"
            save(page, f"phone-{role}-{name}")
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, f"{path} is {overflow}px wider than the phone screen"
    finally:
        context.close()
