"""The events pages through HTTP: the calendar and list, the event page and its hooks, sign-up and cancel through
the contract's fields, staff's event form, check-in (list, htmx search, one tap, walk-ins, QR links), the
attendance CSV, ratings and the calendar files."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import icalendar
from sqlalchemy import func, select

from parkportal.events import checkin, service
from parkportal.extensions import db
from parkportal.models import Event, Registration, User
from parkportal.timeutil import local_today, to_local, utcnow

from . import factories
from .conftest import english
from .event_support import make_event, registered

HX = {"HX-Request": "true"}


def event_id_of(**kwargs) -> int:
    """A committed event's id (see ``make_event``)."""
    event = make_event(**kwargs)
    db.session.commit()
    return event.id


# ------------------------------------------------------------------------------------------ calendar, list


def test_month_grid_shows_this_months_events_as_links_and_marks_today(app, client):
    """The month grid links each event (data-event-id) on its day and marks today; drafts stay hidden."""
    with app.app_context():
        shown = make_event(starts_in=timedelta(hours=1), title="安全生产月启动仪式")
        hidden = make_event(starts_in=timedelta(hours=1), status="draft", title="内部草稿")
        db.session.commit()
        month = to_local(shown.start_at).strftime("%Y-%m")
        shown_id, hidden_id = shown.id, hidden.id
    page = client.get(f"/events/?month={month}").get_data(as_text=True)
    assert f'data-event-id="{shown_id}"' in page and f'href="/events/{shown_id}"' in page
    assert f'data-event-id="{hidden_id}"' not in page and "内部草稿" not in page
    assert 'aria-current="date"' in page or month != local_today().strftime("%Y-%m")


def test_month_navigation_is_an_htmx_fragment_that_pushes_the_url(client):
    """Previous/next carry hx-get and hx-push-url; the htmx answer is the calendar block only."""
    page = client.get("/events/?month=2026-03").get_data(as_text=True)
    assert 'hx-get="/events/?month=2026-02"' in page and 'hx-get="/events/?month=2026-04"' in page
    assert 'hx-push-url="true"' in page
    fragment = client.get("/events/?month=2026-04", headers=HX)
    body = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "<html" not in body and 'data-month="2026-04"' in body
    assert "HX-Request" in fragment.headers["Vary"]


def test_a_bad_month_says_so_and_shows_this_month(client):
    """?month=2026-13 answers 422 with the format hint and this month's calendar."""
    response = english(client).get("/events/?month=2026-13")
    assert response.status_code == 422 and "YYYY-MM" in response.get_data(as_text=True)
    assert f'data-month="{local_today().strftime("%Y-%m")}"' in response.get_data(as_text=True)


def test_multi_day_events_show_on_each_day_of_the_grid(app, client):
    """A three-day campaign appears in three cells."""
    with app.app_context():
        event = make_event(starts_in=timedelta(days=40), hours=50, category="campaign")
        db.session.commit()
        month, event_id = to_local(event.start_at).strftime("%Y-%m"), event.id
        last_month = to_local(event.end_at).strftime("%Y-%m")
    pages = {m: client.get(f"/events/?month={m}").get_data(as_text=True) for m in {month, last_month}}
    grid_cells = sum(len(re.findall(rf'class="cal-event[^"]*" data-event-id="{event_id}"', p)) for p in pages.values())
    assert grid_cells >= 3


def test_list_view_filters_upcoming_and_past_by_topic_and_category(app, client):
    """The list shows upcoming or past events, narrowed by topic and category."""
    with app.app_context():
        labour = event_id_of(topics=("labor",), category="lecture", title="劳动法宣传周")
        company = event_id_of(topics=("company_law",), category="training", title="新《公司法》解读")
        past = event_id_of(starts_in=timedelta(days=-20), title="合同风险防范")
    upcoming = client.get("/events/?view=list").get_data(as_text=True)
    assert f'data-event-id="{labour}"' in upcoming and f'data-event-id="{company}"' in upcoming
    assert f'data-event-id="{past}"' not in upcoming
    assert f'data-event-id="{past}"' in client.get("/events/?view=list&when=past").get_data(as_text=True)
    by_topic = client.get("/events/?view=list&topic=company_law").get_data(as_text=True)
    assert f'data-event-id="{company}"' in by_topic and f'data-event-id="{labour}"' not in by_topic
    by_category = client.get("/events/?view=list&category=lecture").get_data(as_text=True)
    assert f'data-event-id="{labour}"' in by_category and f'data-event-id="{company}"' not in by_category


def test_staff_see_drafts_in_the_list(app, staff_client, client):
    """A draft is listed for staff, and its page is 404 for everyone else."""
    with app.app_context():
        draft = event_id_of(status="draft")
    assert f'data-event-id="{draft}"' in staff_client.get("/events/?view=list").get_data(as_text=True)
    assert client.get(f"/events/{draft}").status_code == 404
    assert staff_client.get(f"/events/{draft}").status_code == 200


def test_everyone_finds_the_calendar_in_the_navigation(client, enterprise_client):
    """The navigation links the event calendar for visitors and signed-in users alike (活动日历)."""
    for c in (client, enterprise_client):
        assert 'href="/events/"' in c.get("/").get_data(as_text=True)
    assert "活动日历" in client.get("/").get_data(as_text=True)


# --------------------------------------------------------------------------------------------- event page


def test_event_page_shows_places_left_sanitised_description_and_speakers(app, client):
    """Places left, the Markdown as HTML without script, and the speakers' names."""
    with app.app_context():
        lawyer = factories.lawyer(name="陈明")
        event = make_event(
            capacity=30, description="**重点**\n\n<script>alert(1)</script>\n\n[链接](javascript:alert(1))"
        )
        event.speakers = [lawyer]
        registered(event, attendees=2)
        db.session.commit()
        event_id = event.id
    page = english(client).get(f"/events/{event_id}").get_data(as_text=True)
    assert "28 of 30 places left" in page and 'data-places-left="28"' in page
    assert "<strong>重点</strong>" in page and "<script>alert(1)</script>" not in page
    assert 'href="javascript' not in page and "陈明" in page


def test_signed_in_enterprise_sees_its_registration_status_hook(app, enterprise_client):
    """data-registration-status carries the enterprise's registration (and nothing without one)."""
    with app.app_context():
        user = db.session.get(User, enterprise_client.user_id)
        event = make_event()
        other = make_event()
        registered(event, user.enterprise, status="waitlisted")
        db.session.commit()
        event_id, other_id = event.id, other.id
    assert 'data-registration-status="waitlisted"' in enterprise_client.get(f"/events/{event_id}").get_data(
        as_text=True
    )
    assert "data-registration-status" not in enterprise_client.get(f"/events/{other_id}").get_data(as_text=True)


# ---------------------------------------------------------------------------------------- sign-up via HTTP


def test_enterprise_registers_through_the_contract_fields_and_cancels(app, enterprise_client):
    """POST attendees and names registers; the page shows 'registered' and a QR code; POST cancel cancels."""
    with app.app_context():
        event_id = event_id_of(capacity=10)
    response = enterprise_client.post(f"/events/{event_id}/register", data={"attendees": "2", "names": "张三\n李四"})
    assert response.status_code == 303
    page = enterprise_client.get(f"/events/{event_id}").get_data(as_text=True)
    assert 'data-registration-status="registered"' in page and "/qr.svg" in page and "8 个名额" in page
    assert enterprise_client.post(f"/events/{event_id}/cancel").status_code == 303
    assert 'data-registration-status="cancelled"' in enterprise_client.get(f"/events/{event_id}").get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Event, event_id).seats_taken == 0


def test_a_full_event_waitlists_the_sign_up(app, enterprise_client):
    """When no place is left, the sign-up joins the waitlist and the page says so."""
    with app.app_context():
        event = make_event(capacity=1, seats_per_enterprise=1)
        registered(event)
        db.session.commit()
        event_id = event.id
    assert (
        enterprise_client.post(f"/events/{event_id}/register", data={"attendees": "1", "names": "张三"}).status_code
        == 303
    )
    assert 'data-registration-status="waitlisted"' in enterprise_client.get(f"/events/{event_id}").get_data(
        as_text=True
    )


def test_refused_sign_ups_keep_the_input_and_change_nothing(app, enterprise_client):
    """Beyond the limit (422 next to the field, names kept), twice (409), after the deadline (409): no change."""
    client = english(enterprise_client)
    with app.app_context():
        event_id = event_id_of(seats_per_enterprise=2)
        closed = event_id_of(deadline=utcnow() - timedelta(hours=1))
    response = client.post(f"/events/{event_id}/register", data={"attendees": "3", "names": "王小明"})
    assert response.status_code == 422
    assert "at most 2 people" in response.get_data(as_text=True) and "王小明" in response.get_data(as_text=True)
    assert client.post(f"/events/{event_id}/register", data={"attendees": "1", "names": "张三"}).status_code == 303
    twice = client.post(f"/events/{event_id}/register", data={"attendees": "1", "names": "李四"})
    assert twice.status_code == 409 and "already" in twice.get_data(as_text=True)
    late = client.post(f"/events/{closed}/register", data={"attendees": "1", "names": "张三"})
    assert late.status_code == 409 and "Registration closed on" in late.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Registration)) == 1


def test_non_numbers_for_attendees_are_refused_next_to_the_field(app, enterprise_client):
    """'两个' or '١' (Arabic-Indic one) as attendees is a 422 with the field's message, no 500."""
    with app.app_context():
        event_id = event_id_of()
    for value in ("两个", "\u0661", "99999999999999999999"):
        response = english(enterprise_client).post(
            f"/events/{event_id}/register", data={"attendees": value, "names": "张三"}
        )
        assert response.status_code == 422 and "whole number" in response.get_data(as_text=True)


def test_pending_enterprise_is_told_to_wait_for_verification(app, pending_client):
    """An unverified enterprise's sign-up is refused with the verification message."""
    with app.app_context():
        event_id = event_id_of()
    response = english(pending_client).post(f"/events/{event_id}/register", data={"attendees": "1", "names": "张三"})
    assert response.status_code == 422 and "verified" in response.get_data(as_text=True)


def test_staff_register_on_behalf_through_the_search_box(app, staff_client):
    """Staff find the enterprise by a search fragment (not a select of all) and register it."""
    with app.app_context():
        target = factories.enterprise(name="常州龙城智能装备有限公司")
        event_id = event_id_of()
        db.session.commit()
        target_id = target.id
    page = staff_client.get(f"/events/{event_id}").get_data(as_text=True)
    assert 'hx-get="/events/enterprises?field=enterprise_id"' in page and "龙城智能" not in page
    found = staff_client.get("/events/enterprises?enterprise_q=龙城", headers=HX).get_data(as_text=True)
    assert f'value="{target_id}"' in found and "<html" not in found
    response = staff_client.post(
        f"/events/{event_id}/register", data={"enterprise_id": str(target_id), "attendees": "1", "names": "赵六"}
    )
    assert response.status_code == 303
    with app.app_context():
        assert db.session.scalar(select(Registration.enterprise_id)) == target_id


def test_staff_without_an_enterprise_get_the_message_on_the_field(app, staff_client):
    """Staff's sign-up without a chosen enterprise is 422 with the picker's message."""
    with app.app_context():
        event_id = event_id_of()
    response = english(staff_client).post(f"/events/{event_id}/register", data={"attendees": "1", "names": "赵六"})
    assert response.status_code == 422 and "Choose the enterprise you register" in response.get_data(as_text=True)


# ------------------------------------------------------------------------------------------- staff events


def form_data(**overrides) -> dict:
    """The contract's event fields, valid: a published lecture in three weeks (local times)."""
    day = local_today() + timedelta(days=21)
    data = {
        "title": "新《公司法》解读：注册资本实缴与股东责任",
        "description": "## 内容\n- 五年实缴",
        "category": "lecture",
        "topics": ["company_law", "contracts"],
        "start": f"{day.isoformat()}T14:00",
        "end": f"{day.isoformat()}T16:30",
        "location": "园区综合服务中心三楼报告厅",
        "capacity": "80",
        "seats_per_enterprise": "2",
        "registration_deadline": f"{(day - timedelta(days=1)).isoformat()}T17:00",
        "status": "published",
    }
    data.update(overrides)
    return data


def test_staff_create_an_event_through_the_contract(app, staff_client):
    """POST /events/new with the contract's fields publishes an event at the given Beijing times."""
    response = staff_client.post("/events/new", data=form_data())
    assert response.status_code == 303
    with app.app_context():
        event = db.session.scalar(select(Event))
        assert event.status == "published" and event.capacity == 80 and event.topics == ["company_law", "contracts"]
        assert to_local(event.start_at).strftime("%H:%M") == "14:00" and event.start_at.hour == 6
        assert response.headers["Location"] == f"/events/{event.id}"


def test_bad_event_input_is_shown_next_to_the_field_with_the_input_kept(app, staff_client):
    """An end before the start, a bad capacity and no topics are refused (422) keeping the title."""
    client = english(staff_client)
    for change, message in (
        ({"end": form_data()["start"].replace("14:00", "13:00")}, "end must be later"),
        ({"capacity": "-5"}, "whole number"),
        ({"topics": []}, "at least one legal topic"),
        ({"start": "next tuesday"}, "date and time"),
    ):
        response = client.post("/events/new", data=form_data(**change))
        body = response.get_data(as_text=True)
        assert response.status_code == 422 and message in body and "注册资本实缴与股东责任" in body, change
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Event)) == 0


def test_staff_edit_and_cancel_an_event_and_registrants_are_told(app, staff_client):
    """Editing keeps the event; cancelling it marks it cancelled and notifies the registered enterprise."""
    with app.app_context():
        event = make_event()
        user = factories.enterprise_user()
        service.register(event, None, 1, "张三", user)
        db.session.commit()
        event_id, user_id = event.id, user.id
    assert staff_client.get(f"/events/{event_id}/edit").status_code == 200
    assert staff_client.post(f"/events/{event_id}/edit", data=form_data(capacity="40")).status_code == 303
    assert staff_client.post(f"/events/{event_id}/cancel-event", data={"reason": "场地检修"}).status_code == 303
    with app.app_context():
        from parkportal.models import Notification

        assert db.session.get(Event, event_id).status == "cancelled"
        assert db.session.scalar(select(func.count()).select_from(Notification).where(Notification.user_id == user_id))


# ---------------------------------------------------------------------------------------------- check-in


def checkin_setup(app):
    """An event starting in 30 minutes with two registrations (one by 常州云帆信息技术有限公司)."""
    with app.app_context():
        event = make_event(starts_in=timedelta(minutes=30))
        first = registered(event, factories.enterprise(name="常州云帆信息技术有限公司"), attendees=2)
        second = registered(event, factories.enterprise(name="常州通达物流有限公司"))
        db.session.commit()
        return event.id, first.id, second.id


def test_checkin_page_searches_with_htmx_and_checks_in_with_one_tap(app, staff_client):
    """The search narrows the list (fragment); one POST marks attended with the count and returns the list."""
    event_id, first, second = checkin_setup(app)
    page = staff_client.get(f"/events/{event_id}/checkin").get_data(as_text=True)
    assert f'data-registration-id="{first}"' in page and f'data-registration-id="{second}"' in page
    found = staff_client.get(f"/events/{event_id}/checkin?q=云帆", headers=HX).get_data(as_text=True)
    assert "<html" not in found and f'data-registration-id="{first}"' in found
    assert f'data-registration-id="{second}"' not in found
    tapped = staff_client.post(f"/events/registrations/{first}/checkin", data={"attended_count": "2"}, headers=HX)
    body = tapped.get_data(as_text=True)
    assert tapped.status_code == 200 and "<html" not in body
    assert re.search(rf'data-registration-id="{first}" data-registration-status="attended"', body)
    with app.app_context():
        registration = db.session.get(Registration, first)
        assert (registration.status, registration.attended_count) == ("attended", 2)


def test_checkin_list_pages_by_name_and_a_check_in_keeps_the_page_and_search(app, staff_client, monkeypatch):
    """The list shows a page of registrants with a link to the next; a check-in posted from page 2 answers page 2 of
    the same search, whose page links lead to the check-in list (not to the POST's address)."""
    from parkportal.events import views

    monkeypatch.setattr(views, "CHECKIN_PER_PAGE", 2)
    with app.app_context():
        event = make_event(starts_in=timedelta(minutes=30))
        made = [registered(event, factories.enterprise(name=f"常州{n}号工厂有限公司")).id for n in range(1, 6)]
        db.session.commit()
        event_id = event.id
    shown = []
    for number in (1, 2, 3):
        page = staff_client.get(f"/events/{event_id}/checkin?page={number}").get_data(as_text=True)
        shown += [int(i) for i in re.findall(r'data-registration-id="(\d+)"', page)]
        assert ('rel="next"' in page) == (number < 3)
    assert shown == made  # by name, each once
    tapped = staff_client.post(
        f"/events/registrations/{made[3]}/checkin", data={"attended_count": "1", "q": "工厂", "page": "2"}, headers=HX
    ).get_data(as_text=True)
    assert re.findall(r'data-registration-id="(\d+)"', tapped) == [str(made[2]), str(made[3])]
    assert re.search(rf'data-registration-id="{made[3]}" data-registration-status="attended"', tapped)
    links = re.findall(r'href="([^"]+)" rel="(?:prev|next)"', tapped)
    assert links and all(link.startswith(f"/events/{event_id}/checkin?") and "q=" in link for link in links)


def test_walk_in_is_checked_in_through_the_search_box(app, staff_client):
    """An unregistered enterprise is found and checked in as a walk-in."""
    event_id, *_ = checkin_setup(app)
    with app.app_context():
        walk_in = factories.enterprise(name="常州墨香设计有限公司")
        db.session.commit()
        walk_in_id = walk_in.id
    response = staff_client.post(
        f"/events/{event_id}/walk-in", data={"enterprise_id": str(walk_in_id), "attended_count": "3", "names": "孙七"}
    )
    assert response.status_code == 303
    with app.app_context():
        row = db.session.scalar(select(Registration).where(Registration.enterprise_id == walk_in_id))
        assert row.walk_in and row.status == "attended" and row.attended_count == 3


def test_qr_code_is_the_enterprises_own_and_its_link_checks_in(app, enterprise_client, staff_client):
    """The enterprise gets its SVG QR code; the signed link opens for staff and checks the holder in."""
    with app.app_context():
        user = db.session.get(User, enterprise_client.user_id)
        event = make_event(starts_in=timedelta(minutes=30))
        mine = registered(event, user.enterprise, attendees=2)
        db.session.commit()
        registration_id = mine.id
        with app.test_request_context():
            link = checkin.link(db.session.get(Registration, registration_id))
    response = enterprise_client.get(f"/events/registrations/{registration_id}/qr.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml" and b"<svg" in response.data
    path = link.split("portal.test", 1)[1]
    assert staff_client.get(path).status_code == 200
    assert enterprise_client.get(path).status_code == 403
    assert staff_client.post(path, data={"attended_count": "2"}).status_code == 303
    with app.app_context():
        assert db.session.get(Registration, registration_id).status == "attended"


def test_forged_and_expired_check_in_links_are_refused(app, staff_client):
    """A token signed with another key is 404; a genuine one past the event's close is 410; nothing changes."""
    from itsdangerous import URLSafeSerializer

    with app.app_context():
        old = make_event(starts_in=timedelta(days=-3))
        registration = registered(old)
        db.session.commit()
        registration_id = registration.id
        with app.test_request_context():
            genuine = checkin.token(db.session.get(Registration, registration_id))
    forged = URLSafeSerializer("another-secret-key-entirely", salt=checkin.SALT).dumps(
        {"r": registration_id, "x": 4102444800}
    )
    assert staff_client.get(f"/events/scan/{forged}").status_code == 404
    assert staff_client.get(f"/events/scan/{genuine[:-2]}xx").status_code == 404
    expired = english(staff_client).get(f"/events/scan/{genuine}")
    assert expired.status_code == 410 and "expired" in expired.get_data(as_text=True)
    assert staff_client.post(f"/events/scan/{genuine}", data={"attended_count": "1"}).status_code == 410
    with app.app_context():
        assert db.session.get(Registration, registration_id).status == "registered"


# ----------------------------------------------------------------------------------------- after the event


def test_attendance_csv_lists_registrations_with_chinese_headers(app, staff_client):
    """The CSV (UTF-8 with BOM) has one row per registration, the head count, and defuses formulas."""
    with app.app_context():
        event = make_event(starts_in=timedelta(days=-1))
        registered(event, factories.enterprise(name="=HYPERLINK(1)"), status="attended", attended_count=3)
        registered(event, factories.enterprise(name="常州通达物流有限公司"))
        db.session.commit()
        event_id = event.id
    response = staff_client.get(f"/events/{event_id}/attendance.csv")
    text = response.data.decode("utf-8")
    assert response.mimetype == "text/csv" and text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:5] == ["企业名称", "统一社会信用代码", "状态", "报名人数", "到场人数"]
    assert len(rows) == 3 and "'=HYPERLINK(1)" in {row[0] for row in rows} and "3" in {row[4] for row in rows}


def test_attending_enterprise_rates_once_and_staff_see_the_reach(app, enterprise_client, staff_client):
    """After the event the attending enterprise rates it; staff's page shows people reached and the average."""
    with app.app_context():
        user = db.session.get(User, enterprise_client.user_id)
        event = make_event(starts_in=timedelta(days=-1))
        registered(event, user.enterprise, status="attended", attended_count=4)
        db.session.commit()
        event_id = event.id
    assert enterprise_client.post(f"/events/{event_id}/rate", data={"rating": "4"}).status_code == 303
    assert enterprise_client.post(f"/events/{event_id}/rate", data={"rating": "5"}).status_code == 409
    page = english(staff_client).get(f"/events/{event_id}").get_data(as_text=True)
    assert 'data-people-reached="4"' in page and "Average rating 4.0" in page


# --------------------------------------------------------------------------------------------- calendars


def test_event_ics_round_trips_with_shanghai_times(app, client):
    """The .ics parses with icalendar; DTSTART carries TZID Asia/Shanghai and the local wall-clock time."""
    with app.app_context():
        event = make_event(title="合同风险防范专题讲座")
        db.session.commit()
        event_id, start, end = event.id, to_local(event.start_at), to_local(event.end_at)
    response = client.get(f"/events/{event_id}.ics")
    assert response.mimetype == "text/calendar"
    calendar = icalendar.Calendar.from_ical(response.data)
    (entry,) = calendar.walk("VEVENT")
    assert str(entry["SUMMARY"]) == "合同风险防范专题讲座"
    assert entry["DTSTART"].params["TZID"] == "Asia/Shanghai"
    assert entry.decoded("DTSTART") == start and entry.decoded("DTEND") == end
    assert entry.decoded("DTSTART").utcoffset() == timedelta(hours=8)
    assert calendar.walk("VTIMEZONE") and str(entry["UID"]).startswith(f"event-{event_id}@")


def test_public_feed_has_published_and_cancelled_events_but_no_drafts(app, client):
    """feed.ics lists published events (cancelled ones as CANCELLED so calendars drop them), never drafts."""
    with app.app_context():
        published = make_event(title="劳动法宣传周")
        make_event(title="草稿活动", status="draft")
        make_event(title="取消的讲座", status="cancelled")
        db.session.commit()
        published_id = published.id
    calendar = icalendar.Calendar.from_ical(client.get("/events/feed.ics").data)
    entries = {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}
    assert set(entries) == {"劳动法宣传周", "取消的讲座"}
    assert str(entries["取消的讲座"]["STATUS"]) == "CANCELLED"
    assert str(entries["劳动法宣传周"]["UID"]).startswith(f"event-{published_id}@")


def test_draft_ics_is_404_for_visitors(app, client):
    """A draft's calendar file is as hidden as its page."""
    with app.app_context():
        draft = event_id_of(status="draft")
    assert client.get(f"/events/{draft}.ics").status_code == 404


def test_send_reminders_reminds_event_registrants_too(app, runner):
    """The send-reminders command also queues event reminders, once."""
    with app.app_context():
        event = make_event(starts_in=timedelta(hours=5))
        service.register(event, None, 1, "张三", factories.enterprise_user())
        db.session.commit()
    first = runner.invoke(args=["send-reminders"])
    assert first.exit_code == 0 and "1 event reminders" in first.output
    assert "0 event reminders" in runner.invoke(args=["send-reminders"]).output
