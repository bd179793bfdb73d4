"""Long booking lists in Chromium: pages of 20 with "next", the agenda's capped requests, the staff list's bounded
count — on a desktop and at 390 px."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from parkportal.bookings import queries
from parkportal.extensions import db
from parkportal.timeutil import utcnow

from .. import factories
from ..booking_support import working_lawyer
from .conftest import sign_in

pytestmark = pytest.mark.browser


def test_long_lists_page_on_desktop_and_phone(app, page, live_server, screenshot, monkeypatch):
    """A lawyer with 35 open requests sees the 10 soonest on the agenda with their number and a link, pages through
    the upcoming ones on "my bookings"; staff see "more than" beyond the count limit and still reach the next page."""
    monkeypatch.setattr(queries, "COUNT_LIMIT", 20)
    with app.app_context():
        lawyer = working_lawyer(name="陈明")
        staff = factories.staff()
        start = utcnow().replace(minute=0, second=0, microsecond=0) + timedelta(days=1)
        names = ["常州恒力传动科技有限公司", "常州德恒通仓储服务有限公司", "江苏富都新材料有限公司"]
        for i in range(35):
            factories.appointment(enterprise=factories.enterprise(name=f"{names[i % 3]}{i}"),
                                  lawyer=lawyer if i % 2 else None, status="requested",
                                  start=start + timedelta(hours=i))  # fmt: skip
        db.session.commit()
        lawyer_email, staff_email = lawyer.email, staff.email

    sign_in(page, live_server, lawyer_email)
    page.goto(live_server + "/bookings/agenda")
    requests = page.locator("section[aria-labelledby=requests-title] .booking-card")
    expect(requests).to_have_count(queries.AGENDA_ROWS)
    expect(page.locator("[data-requests-count]")).to_have_text("35")
    screenshot("booking-lists-01-agenda-desk")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot("booking-lists-02-agenda-phone")
    page.locator("[data-more-requests] a").click()
    page.wait_for_url("**/bookings/")
    expect(page.locator("[data-upcoming] .booking-card")).to_have_count(20)
    screenshot("booking-lists-03-mine-phone")
    page.locator("[data-upcoming] ~ nav.pagination a[rel=next]").click()
    page.wait_for_url("**ahead=2")
    expect(page.locator("[data-upcoming] .booking-card")).to_have_count(15)
    page.set_viewport_size({"width": 1280, "height": 900})
    screenshot("booking-lists-04-mine-page-2-desk")

    sign_in(page, live_server, staff_email)
    page.goto(live_server + "/bookings/all")
    expect(page.locator("[data-count]")).to_contain_text("20")
    expect(page.locator("#results tbody tr")).to_have_count(30)
    expect(page.locator("nav.pagination span")).to_have_text("第 1 页")  # no "of y": the total wasn't counted
    screenshot("booking-lists-05-staff-desk")
    page.locator("nav.pagination a[rel=next]").click()
    page.wait_for_url("**page=2")
    expect(page.locator("#results tbody tr")).to_have_count(5)
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot("booking-lists-06-staff-page-2-phone")
