"""Events in Chromium: a visitor browses two months of the calendar (htmx keeps the URL in step), an enterprise
signs up, staff check it in with one tap on the check-in page; desktop and phone screenshots."""

from __future__ import annotations

import re
from datetime import time, timedelta

import pytest
from playwright.sync_api import expect

from parkportal.extensions import db
from parkportal.timeutil import local_datetime, to_local, utcnow

from .. import factories
from ..event_support import make_event
from .conftest import sign_in

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def test_visitor_browses_enterprise_signs_up_staff_check_in(app, page, live_server, screenshot):
    """Two months of the calendar, a sign-up, a one-tap check-in; no console errors, no sideways scrolling."""
    with app.app_context():
        soon = make_event(starts_in=timedelta(hours=3), title="劳动法宣传周：劳动合同签订与解除", capacity=20)
        month = to_local(soon.start_at).date().replace(day=1)
        soon_day = to_local(soon.start_at).date().isoformat()
        following = (month + timedelta(days=32)).replace(day=1)
        later = make_event(
            starts_in=local_datetime(following + timedelta(days=9), time(10)) - utcnow(),
            title="新《公司法》解读",
            category="training",
            topics=("company_law",),
        )
        user = factories.enterprise_user(factories.enterprise(name="常州江南智造精密机械有限公司"))
        staff = factories.staff()
        db.session.commit()
        soon_id, later_id, user_email, staff_email = soon.id, later.id, user.email, staff.email
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

    # A visitor browses this month and the next one.
    page.set_viewport_size(DESKTOP)
    page.goto(live_server + f"/events/?month={month.strftime('%Y-%m')}")
    expect(page.locator(f'.month-grid [data-event-id="{soon_id}"]').first).to_be_visible()  # late evening: two days
    screenshot("events-01-month-desktop")
    page.locator("[data-month-nav=next]").click()
    expect(page.locator("#month-title")).to_have_attribute("data-month", following.strftime("%Y-%m"))
    assert page.url.endswith(f"/events/?month={following.strftime('%Y-%m')}")  # hx-push-url
    expect(page.locator(f'.month-grid [data-event-id="{later_id}"]')).to_be_visible()
    screenshot("events-02-next-month-desktop")
    page.go_back()
    expect(page.locator("#month-title")).to_have_attribute("data-month", month.strftime("%Y-%m"))
    page.set_viewport_size(PHONE)
    expect(page.locator(".month-grid")).to_be_hidden()  # on a phone the list shows instead of the grid
    expect(page.locator(f'.month-agenda [data-day="{soon_day}"]')).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshot("events-03-month-phone")
    page.locator(f'.month-agenda [data-day="{soon_day}"]').click()  # the day's events
    expect(page.locator(f'.event-list [data-event-id="{soon_id}"]')).to_be_visible()
    assert page.url.endswith(f"/events/?date={soon_day}")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshot("events-03b-day-phone")

    # An enterprise signs up.
    page.set_viewport_size(DESKTOP)
    sign_in(page, live_server, user_email)
    page.goto(live_server + f"/events/{soon_id}")
    page.fill("input[name=attendees]", "2")
    page.fill("textarea[name=names]", "王建国\n李娜")
    page.locator(".register-form button[type=submit]").click()
    expect(page.locator(".event-detail")).to_have_attribute("data-registration-status", "registered")
    expect(page.locator("img.qr")).to_be_visible()
    screenshot("events-04-registered-desktop")
    page.set_viewport_size(PHONE)
    screenshot("events-05-registered-phone")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")

    # Staff check the enterprise in from the check-in page.
    page.set_viewport_size(DESKTOP)
    sign_in(page, live_server, staff_email)
    page.goto(live_server + f"/events/{soon_id}/checkin")
    page.fill("#checkin-search", "江南智造")
    # Wait for the live search's answer to land: a swap between the button's mousedown and mouseup loses the click.
    expect(page).to_have_url(re.compile(r"[?&]q="))
    row = page.locator("[data-registration-id]").filter(has_text="江南智造")
    expect(page.locator("[data-registration-id]")).to_have_count(1)
    row.locator("button[type=submit]").click()
    expect(page.locator("[data-registration-id]").first).to_have_attribute(
        "data-registration-status", "attended", timeout=15_000
    )  # a loaded machine can take a while
    expect(page.locator(".checkin-summary")).to_have_attribute("data-checked-in", "1")
    screenshot("events-06-checked-in-desktop")
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshot("events-07-checked-in-phone")
    assert not errors, errors
