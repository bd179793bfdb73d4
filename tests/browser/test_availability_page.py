"""The lawyer's availability editor in the browser: usable on a phone and by keyboard."""

from __future__ import annotations

from datetime import time

import pytest
from playwright.sync_api import expect

from parkportal.availability.service import add_weekly_range
from parkportal.extensions import db

from .. import factories
from .test_booking_flow import sign_in

pytestmark = pytest.mark.browser


def test_weekly_plan_fits_a_phone_and_remove_buttons_show_keyboard_focus(app, page, live_server, screenshot):
    """At 390 px every range of a day is on screen (no sideways scrolling), and a focused ✕ has a solid ring."""
    with app.app_context():
        lawyer = factories.lawyer()
        for weekday in range(1, 6):
            add_weekly_range(lawyer, weekday, time(9), time(12))
            add_weekly_range(lawyer, weekday, time(14), time(17, 30))
        db.session.commit()
        email = lawyer.email
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server, email)
    page.goto(live_server + "/availability")
    wrap = page.locator(".table-wrap:has(table.plan)")
    expect(page.locator("table.plan .range")).to_have_count(10)
    assert wrap.evaluate("el => el.scrollWidth <= el.clientWidth"), "the weekly plan scrolls sideways on a phone"
    last = page.locator("table.plan tr").first.locator(".range").last
    box, viewport = last.bounding_box(), page.viewport_size
    assert box["x"] + box["width"] <= viewport["width"], "the afternoon range is cut off"

    page.locator("#plan-title").click()
    page.keyboard.press("Tab")
    focused = page.locator("table.plan button:focus-visible")
    expect(focused).to_have_count(1)
    assert focused.evaluate("el => getComputedStyle(el).outlineStyle") == "solid"
    screenshot("availability-phone")
