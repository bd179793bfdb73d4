"""Long booking lists at district scale: pages of 20 with a look-ahead, counts that stop at a limit, capped requests."""

from __future__ import annotations

import re
from datetime import timedelta

from parkportal.bookings import queries
from parkportal.extensions import db
from parkportal.models import User
from parkportal.timeutil import utcnow

from . import factories
from .conftest import english

IDS = re.compile(r'data-booking-id="(\d+)"')


def shown(html: str) -> list[int]:
    """The booking ids a page lists, in order."""
    return [int(x) for x in IDS.findall(html)]


def upcoming_requests(app, lawyer_id: int | None, number: int, enterprise=None) -> list[int]:
    """``number`` requests ahead (one an hour from tomorrow), for ``lawyer_id`` or unassigned; their ids by start."""
    with app.app_context():
        lawyer = db.session.get(User, lawyer_id) if lawyer_id else None
        start = utcnow().replace(minute=0, second=0, microsecond=0) + timedelta(days=1)
        made = [
            factories.appointment(
                enterprise=enterprise and db.session.merge(enterprise),
                lawyer=lawyer,
                status="requested",
                start=start + timedelta(hours=i),
            )  # fmt: skip
            for i in range(number)
        ]
        db.session.commit()
        return [a.id for a in made]


def test_my_bookings_pages_the_upcoming_ones_twenty_at_a_time(app, lawyer_client):
    """A lawyer's upcoming bookings come 20 a page, soonest first; "ahead=2" shows the rest, the past list stays."""
    ids = upcoming_requests(app, lawyer_client.user_id, 23)
    first = english(lawyer_client).get("/bookings/").get_data(as_text=True)
    assert shown(first) == ids[:20]
    assert 'href="/bookings/?ahead=2"' in first
    second = lawyer_client.get("/bookings/?ahead=2").get_data(as_text=True)
    assert shown(second) == ids[20:]
    assert 'href="/bookings/?ahead=1"' in second and "ahead=3" not in second
    beyond = lawyer_client.get("/bookings/?ahead=9").get_data(as_text=True)
    assert shown(beyond) == [] and "Nothing more ahead." in beyond


def test_my_bookings_past_pages_say_page_x_of_y(app, enterprise_client):
    """An enterprise's past bookings come 20 a page with "Page 1 of 2" and a link to the next page."""
    with app.app_context():
        enterprise = db.session.get(User, enterprise_client.user_id).enterprise
        now = utcnow().replace(second=0, microsecond=0)
        for i in range(21):
            factories.appointment(enterprise=enterprise, status="completed", start=now - timedelta(days=i + 1))
        db.session.commit()
    html = english(enterprise_client).get("/bookings/").get_data(as_text=True)
    assert len(shown(html)) == 20 and "Page 1 of 2" in html and 'href="/bookings/?page=2"' in html
    assert len(shown(enterprise_client.get("/bookings/?page=2").get_data(as_text=True))) == 1


def test_agenda_shows_the_soonest_requests_and_counts_them(app, lawyer_client):
    """With more open requests than it shows (``AGENDA_ROWS``) the agenda shows the soonest, their number, and a link
    to all of them."""
    own = upcoming_requests(app, lawyer_client.user_id, 12)
    unassigned = upcoming_requests(app, None, 12)
    html = english(lawyer_client).get("/bookings/agenda").get_data(as_text=True)
    soonest = sorted(own + unassigned)  # made one hour apart in turn: the ids follow the starts within each list
    listed = shown(html.split('id="requests-title"')[1].split("</section>")[0])
    assert len(listed) == queries.AGENDA_ROWS and set(listed) <= set(soonest)
    assert re.search(r"data-requests-count>24<", html)
    assert "data-more-requests" in html and 'href="/bookings/"' in html


def test_agenda_request_count_stops_at_its_limit(app, lawyer_client, monkeypatch):
    """Beyond ``REQUESTS_LIMIT`` the badge says "limit+" instead of counting every request of the district."""
    monkeypatch.setattr(queries, "REQUESTS_LIMIT", 3)
    upcoming_requests(app, None, 5)
    html = lawyer_client.get("/bookings/agenda").get_data(as_text=True)
    assert re.search(r"data-requests-count>3\+<", html)


def test_staff_list_counts_up_to_the_limit_then_says_more_than(app, staff_client, monkeypatch):
    """The staff list's count is exact up to ``COUNT_LIMIT``; beyond it the page says "More than N" and numbers the
    page without a total, still linking to the next one."""
    upcoming_requests(app, None, 35)
    html = english(staff_client).get("/bookings/all").get_data(as_text=True)
    assert "35 bookings" in html and "Page 1 of 2" in html and len(shown(html)) == 30
    monkeypatch.setattr(queries, "COUNT_LIMIT", 10)
    capped = english(staff_client).get("/bookings/all").get_data(as_text=True)
    assert "More than 10 bookings" in capped and "<span>Page 1</span>" in capped
    assert 'href="/bookings/all?page=2"' in capped
    last = english(staff_client).get("/bookings/all?page=2").get_data(as_text=True)
    assert len(shown(last)) == 5 and "page=3" not in last and 'href="/bookings/all?page=1"' in last


def test_staff_list_keeps_the_filters_in_its_page_links(app, staff_client):
    """The next page's link keeps the status filter, and its count is the filtered one."""
    upcoming_requests(app, None, 31)
    html = english(staff_client).get("/bookings/all?status=requested").get_data(as_text=True)
    assert "31 bookings" in html and 'href="/bookings/all?status=requested&amp;page=2"' in html
    assert "No booking matches" in english(staff_client).get("/bookings/all?status=completed").get_data(as_text=True)


def test_staff_list_enterprise_search_finds_the_same_bookings_for_a_name_or_a_common_word(
    app, staff_client, monkeypatch
):
    """The enterprise search lists every matching enterprise's bookings, whether few enterprises match (looked up by
    id) or many (read newest first): here with the limit between the two searches' numbers of matches."""
    monkeypatch.setattr(queries, "FEW_ENTERPRISES", 1)
    with app.app_context():
        made = {}
        for name in ("常州恒力传动科技有限公司", "常州德恒通仓储服务有限公司", "江苏富都新材料有限公司"):
            made[name] = factories.appointment(enterprise=factories.enterprise(name=name), status="completed").id
        db.session.commit()
    one = staff_client.get("/bookings/all?enterprise_q=恒力").get_data(as_text=True)
    assert shown(one) == [made["常州恒力传动科技有限公司"]]
    common = staff_client.get("/bookings/all?enterprise_q=常州").get_data(as_text=True)
    assert sorted(shown(common)) == sorted([made["常州恒力传动科技有限公司"], made["常州德恒通仓储服务有限公司"]])
    assert shown(staff_client.get("/bookings/all?enterprise_q=无此企业").get_data(as_text=True)) == []


def test_agenda_shows_the_oldest_appointments_waiting_for_an_outcome(app, lawyer_client):
    """Of 22 started appointments without an outcome, the agenda shows the oldest (``AGENDA_ROWS``) and says there
    are more."""
    with app.app_context():
        lawyer = db.session.get(User, lawyer_client.user_id)
        start = utcnow().replace(minute=0, second=0, microsecond=0) - timedelta(days=30)
        ids = [
            factories.appointment(lawyer=lawyer, status="confirmed", start=start + timedelta(days=i)).id
            for i in range(22)
        ]
        db.session.commit()
    html = lawyer_client.get("/bookings/agenda").get_data(as_text=True)
    outcome = html.split("data-outcome>")[1].split("</section>")[0]
    assert shown(outcome) == ids[: queries.AGENDA_ROWS] and "data-more-outcome" in outcome


def test_a_lawyers_lists_merge_their_own_and_unassigned_requests_in_order_across_pages(app, lawyer_client):
    """A lawyer's upcoming and past lists hold their own bookings and the unassigned requests interleaved by time,
    paged 20 at a time across both kinds (each read on its own); the past one is not counted ("Page 1", no "of")."""
    own = upcoming_requests(app, lawyer_client.user_id, 13)
    unassigned = upcoming_requests(app, None, 13)
    # one of each kind every hour: the first page holds the first ten hours of both, the second the rest
    first = shown(lawyer_client.get("/bookings/").get_data(as_text=True))[:20]
    assert sorted(first) == sorted(own[:10] + unassigned[:10])
    assert set(first[:2]) == {own[0], unassigned[0]} and set(first[18:]) == {own[9], unassigned[9]}
    second = shown(lawyer_client.get("/bookings/?ahead=2").get_data(as_text=True))[:6]
    assert sorted(second) == own[10:] + unassigned[10:]
    with app.app_context():
        lawyer = db.session.get(User, lawyer_client.user_id)
        past = utcnow().replace(second=0, microsecond=0) - timedelta(days=30)
        ended = [
            factories.appointment(lawyer=lawyer if i % 2 else None, status="requested", start=past - timedelta(hours=i))
            for i in range(21)
        ]  # requests that ended unanswered: their own and unassigned ones, newest first by i
        db.session.commit()
        newest = [a.id for a in ended]
    html = english(lawyer_client).get("/bookings/").get_data(as_text=True)
    assert shown(html)[-20:] == newest[:20] and "Page 1<" in html and "Page 1 of" not in html
    assert shown(lawyer_client.get("/bookings/?page=2").get_data(as_text=True))[-1:] == newest[20:]
