"""Issue 8 in Chromium, desktop and 390 px: the month picker, the phone error summary, a lawyer's confirmation with a
video link, the enterprise's reschedule (same booking number), completion with a confirmation step, the receipt
and the readable audit log. Screenshots go to test-artifacts/."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from parkportal.extensions import db

from .. import factories
from ..booking_support import at, future_weekday, iso, working_lawyer
from .conftest import sign_in

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def both(page, screenshot, name: str) -> None:
    """Screenshots of the current page at desktop width and at 390 px."""
    page.set_viewport_size(DESKTOP)
    screenshot(f"{name}-desktop")
    page.set_viewport_size(PHONE)
    screenshot(f"{name}-phone")
    page.set_viewport_size(DESKTOP)


def header_spread(page) -> float:
    """How far apart (px) the tops of the header's items lie: under a row's height means one row."""
    return page.evaluate(
        "() => { const tops = Array.from(document.querySelectorAll('.site-header nav > ul > li'))"
        ".map((li) => li.getBoundingClientRect().top); return Math.max(...tops) - Math.min(...tops); }"
    )


def test_the_booking_loop_with_meeting_details(app, page, live_server, screenshot):
    """Enterprise picks a free day in the month view and books a video call; the lawyer confirms with a link; the
    enterprise sees the link, moves the booking (same number) and prints the receipt; the lawyer completes after a
    confirmation step; staff read the audit log as sentences."""
    with app.app_context():
        user = factories.enterprise_user(name="李娜")
        user.enterprise.contact_name, user.enterprise.phone = "张伟", "0519-8888 1234"
        lawyer = working_lawyer(specialties="contracts", name="陈明")
        staff = factories.staff(name="王丽")
        db.session.commit()
        user_email, lawyer_email, staff_email = user.email, lawyer.email, staff.email
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    day = future_weekday(2)

    # The enterprise: the month picker marks free days; clicking one loads its slots.
    sign_in(page, live_server, user_email)
    page.goto(live_server + "/bookings/new")
    page.select_option("select[name=service]", "consultation")
    free_day = page.locator(f'#month [data-free-day="{day.isoformat()}"]')
    if not free_day.count():  # the day lies in the next month: page forward
        page.locator("#month button[aria-label]").last.click()
    expect(free_day).to_be_visible()
    expect(page.locator("#month [data-free-day]").first).to_be_visible()
    free_day.click()
    expect(page.locator(f'[data-start="{iso(day, "10:00")}"]')).to_be_visible()
    assert page.input_value("input[name=date]") == day.isoformat()
    both(page, screenshot, "meeting-01-month-picker")

    # At 390 px the header is one row; a failed submit shows the error summary and focuses the first field.
    page.set_viewport_size(PHONE)
    page.evaluate("() => window.scrollTo(0, 0)")
    page.screenshot(path="test-artifacts/meeting-00-header-phone.png")
    assert header_spread(page) < 20
    page.locator("#booking-form button[type=submit]").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    assert summary.locator("a").count() >= 2
    focused = page.evaluate("() => document.activeElement && document.activeElement.getAttribute('aria-invalid')")
    assert focused == "true"
    screenshot("meeting-02-error-summary-phone")
    page.set_viewport_size(DESKTOP)
    screenshot("meeting-02-error-summary-desktop")

    page.locator(f'[data-start="{iso(day, "10:00")}"]').click()
    page.select_option("select[name=topic]", "contracts")
    page.check("input[name=mode][value=video]")
    page.locator("#booking-form button[type=submit]").click()
    detail = page.locator(".booking-detail")
    expect(detail).to_have_attribute("data-status", "requested")
    booking_id = detail.get_attribute("data-booking-id")

    # The lawyer sees the contact and confirms with a video link (a wrong one is refused next to the field).
    sign_in(page, live_server, lawyer_email)
    page.goto(f"{live_server}/bookings/{booking_id}")
    expect(page.locator("[data-contact]")).to_contain_text("张伟")
    page.fill("input[name=meeting_link]", "http://insecure.example.cn/room")
    page.locator(f'form[action="/bookings/{booking_id}/confirm"] button[type=submit]').click()
    expect(page.locator("#meeting_link-error")).to_be_visible()
    page.fill("input[name=meeting_link]", "https://meeting.tencent.com/dm/8848")
    both(page, screenshot, "meeting-03-lawyer-confirms-with-video-link")
    page.locator(f'form[action="/bookings/{booking_id}/confirm"] button[type=submit]').click()
    expect(page.locator(".booking-detail")).to_have_attribute("data-status", "confirmed")
    expect(page.locator("[data-meeting-link]")).to_have_attribute("href", "https://meeting.tencent.com/dm/8848")
    both(page, screenshot, "meeting-04-lawyer-confirmed")

    # The enterprise moves it: the same booking number, a history of moves.
    sign_in(page, live_server, user_email)
    page.goto(f"{live_server}/bookings/{booking_id}")
    expect(page.locator("[data-meeting-link]")).to_be_visible()
    page.locator(f'a[href="/bookings/{booking_id}/reschedule"]').click()
    page.fill("input[name=date]", day.isoformat())
    page.wait_for_load_state("networkidle")
    new_slot = page.locator(f'[data-start="{iso(day, "15:00")}"]')
    expect(new_slot).to_be_visible()
    new_slot.click()
    both(page, screenshot, "meeting-05-enterprise-reschedules")
    page.locator("#reschedule-form button[type=submit]").click()
    expect(page.locator(".booking-detail")).to_have_attribute("data-booking-id", booking_id)
    expect(page.locator("[data-move]")).to_have_count(1)
    both(page, screenshot, "meeting-06-moved-same-number")
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator(".receipt-head")).to_be_visible()
    screenshot("meeting-07-receipt-print")
    page.emulate_media(media="screen")

    # The lawyer completes after the confirmation step (hx-confirm), with the required summary.
    with app.app_context():
        from parkportal.models import Appointment

        appointment = db.session.get(Appointment, int(booking_id))
        appointment.start_at = at(day, "15:00").replace(year=day.year - 1)  # as if it had happened
        appointment.end_at = appointment.start_at.replace(minute=30)
        db.session.commit()
    sign_in(page, live_server, lawyer_email)
    page.goto(f"{live_server}/bookings/{booking_id}")
    page.fill("textarea[name=summary]", "建议尽快签署补充协议，明确违约责任。")
    dialogs: list[str] = []
    page.once("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))
    page.locator(f'form[action="/bookings/{booking_id}/complete"] button[type=submit]').click()
    expect(page.locator(".booking-detail")).to_have_attribute("data-status", "completed")
    assert dialogs, "completing asks first"
    both(page, screenshot, "meeting-08-completed")

    # Staff read the audit log as sentences.
    sign_in(page, live_server, staff_email)
    page.goto(live_server + "/admin/audit")
    expect(page.locator("main")).to_contain_text("陈明")
    both(page, screenshot, "meeting-09-audit-log")
    page.goto(live_server + "/bookings/all")
    page.fill("input[name=enterprise_q]", "测试")
    expect(page).to_have_url(re.compile(r"enterprise_q="))  # answered: leaving now would abort it (a console error)
    expect(page.locator(f'[data-booking-id="{booking_id}"]')).to_be_visible()
    both(page, screenshot, "meeting-10-staff-list-search")
    page.goto(live_server + "/bookings/new")
    page.fill("#enterprise_id-q", "测试")
    expect(page.locator("#enterprise_id-results input[name=enterprise_id]").first).to_be_visible()
    both(page, screenshot, "meeting-11-staff-books-on-behalf-search")
    assert not [e for e in errors if "favicon" not in e and "status of 422" not in e], errors
