"""The booking flow in Chromium: book through the htmx slot picker, the lawyer confirms, the .ics downloads."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from parkportal.extensions import db

from .. import factories
from ..booking_support import at, future_weekday, iso, working_lawyer
from .conftest import sign_in

pytestmark = pytest.mark.browser


def test_enterprise_books_lawyer_confirms_enterprise_downloads_ics(app, page, live_server, screenshot, tmp_path):
    """Book a consultation via the htmx slot picker; the lawyer confirms; the enterprise sees it, gets the .ics."""
    with app.app_context():
        user = factories.enterprise_user()
        lawyer = working_lawyer(specialties="contracts", name="陈明")
        db.session.commit()
        user_email, lawyer_email, lawyer_id = user.email, lawyer.email, lawyer.id
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    day = future_weekday(2)

    sign_in(page, live_server, user_email)
    page.goto(live_server + "/bookings/new")
    page.select_option("select[name=service]", "consultation")
    page.fill("input[name=date]", day.isoformat())
    slot = page.locator(f'[data-start="{iso(day, "10:00")}"]')
    expect(slot).to_be_visible()  # loaded by htmx from GET /bookings/slots
    assert slot.get_attribute("data-lawyer-id") == str(lawyer_id)
    hint = page.locator("#mode-hint")  # swapped out-of-band with the slots: the chosen service's modes
    expect(hint).to_have_attribute("data-modes", re.compile(r"(^| )video( |$)"))
    expect(hint).not_to_be_empty()
    screenshot("booking-01-slots")
    slot.click()
    page.select_option("select[name=topic]", "contracts")
    page.check("input[name=mode][value=video]")
    page.fill("textarea[name=description]", "股权转让协议审查：创始股东拟转让 15% 股权给投资方。")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot("booking-02-form-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.locator("#booking-form button[type=submit]").click()
    expect(page.locator(".booking-detail")).to_have_attribute("data-status", "requested")
    booking_id = page.locator(".booking-detail").get_attribute("data-booking-id")
    screenshot("booking-03-requested")

    sign_in(page, live_server, lawyer_email)
    page.goto(live_server + "/bookings/agenda")
    expect(page.locator(f'[data-booking-id="{booking_id}"]')).to_be_visible()
    screenshot("booking-04-agenda")
    page.locator(f'[data-booking-id="{booking_id}"] a').first.click()
    page.locator(f'form[action="/bookings/{booking_id}/confirm"] button[type=submit]').click()
    expect(page.locator(".booking-detail")).to_have_attribute("data-status", "confirmed")

    sign_in(page, live_server, user_email)
    page.goto(live_server + "/bookings/")
    card = page.locator(f'[data-booking-id="{booking_id}"]')
    expect(card.locator(".status-confirmed")).to_be_visible()
    screenshot("booking-05-my-bookings")
    card.locator("a").first.click()
    expect(page.locator(".booking-detail")).to_have_attribute("data-status", "confirmed")
    screenshot("booking-06-confirmed")
    with page.expect_download() as download_info:
        page.locator(f'a[href="/bookings/{booking_id}.ics"]').click()
    path = tmp_path / "booking.ics"
    download_info.value.save_as(path)
    body = path.read_text()
    assert "STATUS:CONFIRMED" in body and f"DTSTART;TZID=Asia/Shanghai:{day.strftime('%Y%m%d')}T100000" in body
    assert not [e for e in errors if "Content Security Policy" in e], errors


#: How many lines the text of an element takes (distinct tops of its text's boxes).
LINES = """el => {
    const range = document.createRange();
    range.selectNodeContents(el);
    return new Set(Array.from(range.getClientRects(), r => Math.round(r.top))).size;
}"""


def test_staff_list_keeps_names_and_dates_on_one_line_on_a_phone(app, page, live_server, screenshot):
    """On /bookings/all at 390 px the time, the lawyer's name and the status each stay on one line."""
    with app.app_context():
        lawyer = working_lawyer(name="赵欣")
        staff = factories.staff()
        factories.appointment(
            enterprise=factories.enterprise(name="常州德恒通仓储服务有限公司"),
            service="checkup",
            start=at(future_weekday(2), "10:00"),
            topic="company_law",
            lawyer=lawyer,
        )
        db.session.commit()
        staff_email = staff.email
    sign_in(page, live_server, staff_email)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server + "/bookings/all")
    row = page.locator("#results tbody tr").first
    expect(row).to_contain_text("赵欣")
    cells = row.locator("td")
    when, lawyer_cell, status = cells.nth(0), cells.nth(3), cells.nth(4).locator(".status")
    assert lawyer_cell.inner_text().strip() == "赵欣"
    assert [c.evaluate(LINES) for c in (when, lawyer_cell, status)] == [1, 1, 1]
    page.locator(".table-wrap").evaluate("w => { w.scrollIntoView(); w.scrollLeft = w.scrollWidth; }")
    screenshot("booking-07-staff-list-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    assert lawyer_cell.evaluate(LINES) == 1
    screenshot("booking-08-staff-list-desk")


def test_choosing_the_topic_after_the_time_keeps_the_lawyer(app, page, live_server):
    """Choosing the topic after the time refreshes the slots but keeps the lawyer shown under the chosen time (who
    then gets the booking), even when the topic would prefer another lawyer for "any lawyer"."""
    with app.app_context():
        user = factories.enterprise_user()
        generalist = working_lawyer(specialties="company_law", name="陈明")
        specialist = working_lawyer(specialties="labor", name="刘洋")
        db.session.commit()
        user_email, generalist_id, specialist_id = user.email, generalist.id, specialist.id
    day = future_weekday(3)

    sign_in(page, live_server, user_email)
    page.goto(live_server + "/bookings/new")
    page.select_option("select[name=service]", "consultation")
    page.fill("input[name=date]", day.isoformat())
    slot = page.locator(f'[data-start="{iso(day, "10:00")}"]')
    expect(slot).to_have_attribute("data-lawyer-id", str(generalist_id))  # no topic yet: the first lawyer
    slot.check()
    page.select_option("select[name=topic]", "labor")
    page.wait_for_load_state("networkidle")
    expect(slot).to_have_attribute("data-lawyer-id", str(generalist_id))  # kept under the chosen time
    expect(slot).to_be_checked()  # the chosen time survives the refresh
    other = page.locator(f'[data-start="{iso(day, "11:00")}"]')
    expect(other).to_have_attribute("data-lawyer-id", str(specialist_id))  # other times follow the topic
    page.check("input[name=mode][value=onsite]")
    page.locator("#booking-form button[type=submit]").click()
    expect(page.locator(".booking-detail")).to_contain_text("陈明")


def test_cancelling_asks_first_and_a_no_changes_nothing(app, page, live_server):
    """The cancel button asks for confirmation: dismissing keeps the booking, accepting cancels it."""
    with app.app_context():
        user = factories.enterprise_user()
        lawyer = working_lawyer()
        appointment = factories.appointment(
            enterprise=user.enterprise,
            service="consultation",
            start=at(future_weekday(3), "10:00"),
            mode="video",
            topic="contracts",
            lawyer=lawyer,
            actor=user,
        )
        db.session.commit()
        email, booking_id = user.email, appointment.id
    sign_in(page, live_server, email)
    page.goto(f"{live_server}/bookings/{booking_id}")
    detail = page.locator(".booking-detail")
    cancel = page.locator(f'form[action="/bookings/{booking_id}/cancel"] button')

    questions = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    cancel.click()
    page.wait_for_timeout(300)
    assert questions, "no confirmation was asked"
    page.reload()
    expect(detail).to_have_attribute("data-status", "requested")  # a consultation waits for the lawyer

    page.once("dialog", lambda dialog: dialog.accept())
    cancel.click()
    expect(detail).to_have_attribute("data-status", "cancelled")


def test_only_the_services_modes_can_be_chosen(app, page, live_server):
    """A checkup is on site only: the other modes are disabled and on site is chosen; a consultation offers all."""
    with app.app_context():
        user = factories.enterprise_user()
        working_lawyer()
        db.session.commit()
        email = user.email
    sign_in(page, live_server, email)
    page.goto(live_server + "/bookings/new")
    page.fill("input[name=date]", future_weekday(2).isoformat())
    page.select_option("select[name=service]", "checkup")
    expect(page.locator("#mode-hint")).to_have_attribute("data-modes", "onsite")
    expect(page.locator("input[name=mode][value=video]")).to_be_disabled()
    expect(page.locator("input[name=mode][value=phone]")).to_be_disabled()
    expect(page.locator("input[name=mode][value=onsite]")).to_be_checked()
    page.select_option("select[name=service]", "consultation")
    expect(page.locator("#mode-hint")).to_have_attribute("data-modes", re.compile("phone"))
    expect(page.locator("input[name=mode][value=video]")).to_be_enabled()
    page.check("input[name=mode][value=video]")
    expect(page.locator("input[name=mode][value=video]")).to_be_checked()
