"""Bookings that lead to a meeting (issue 8): meeting details, deliberate completion, fair rescheduling with one
booking number, the month picker, truthful messages, staff tools, ratings, titles and the receipt."""

from __future__ import annotations

import re
from datetime import time, timedelta
from pathlib import Path

import icalendar
import pytest
from sqlalchemy import event, func, select

from parkportal.availability import slots as slot_rules
from parkportal.availability.service import add_weekly_range, set_video_room
from parkportal.bookings import ical as booking_ical
from parkportal.bookings import meeting
from parkportal.bookings import service as booking
from parkportal.core.errors import Invalid
from parkportal.extensions import db
from parkportal.models import Appointment, AppointmentMove, OutboxMessage, User
from parkportal.timeutil import local_today

from . import factories
from .booking_support import at, future_weekday, iso, service, working_lawyer
from .conftest import english, sign_in

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def people(ctx):
    """A working lawyer, an enterprise (contact 张伟, phone) with a user, and staff."""
    lawyer = working_lawyer(name="陈明")
    user = factories.enterprise_user(name="李娜", phone="13900001111")
    user.enterprise.contact_name, user.enterprise.phone = "张伟", "0519-8888 1234"
    return {"lawyer": lawyer, "user": user, "enterprise": user.enterprise, "staff": factories.staff()}


def book(people, hhmm="10:00", mode="onsite", code="labor", day=None):
    """A booking of the enterprise with the lawyer (labor: confirmed at once)."""
    return factories.appointment(
        enterprise=people["enterprise"],
        service=code,
        start=at(day or future_weekday(2), hhmm),
        lawyer=people["lawyer"],
        actor=people["user"],
        mode=mode,
    )


def parsed(appointment) -> icalendar.Event:
    """The booking's .ics file parsed by icalendar: its one VEVENT."""
    calendar = icalendar.Calendar.from_ical(booking_ical.appointment_ics(appointment))
    (vevent,) = [c for c in calendar.walk("VEVENT")]
    return vevent


# ------------------------------------------------------------------------------------------ 1. meeting details


def test_video_link_is_checked_given_on_confirming_and_shown_in_the_ics(people):
    """The lawyer's meeting link must be https; given on confirming it is the .ics LOCATION/URL and the sentence."""
    appointment = book(people, mode="video", code="consultation")
    for wrong in ("http://meet.example.cn/1", "javascript:alert(1)", "https://", "not a link"):
        with pytest.raises(Invalid) as raised:
            booking.confirm(appointment, people["lawyer"], meeting_link=wrong)
        assert raised.value.field == "meeting_link" and appointment.status == "requested"
    booking.confirm(appointment, people["lawyer"], meeting_link="https://meeting.tencent.com/dm/abc123")
    vevent = parsed(appointment)
    assert str(vevent["LOCATION"]) == str(vevent["URL"]) == "https://meeting.tencent.com/dm/abc123"
    assert "https://meeting.tencent.com/dm/abc123" in str(vevent["DESCRIPTION"])


def test_a_video_call_without_a_link_uses_the_lawyers_default_room(people):
    """Confirmed without a link, a video call joins the lawyer's default room (set on the availability page)."""
    with pytest.raises(Invalid):
        set_video_room(people["lawyer"], "ftp://room", people["lawyer"])
    set_video_room(people["lawyer"], "https://meeting.tencent.com/p/chenming", people["lawyer"])
    appointment = book(people, mode="video", code="consultation")
    booking.confirm(appointment, people["lawyer"])
    assert meeting.details(appointment).url == "https://meeting.tencent.com/p/chenming"
    assert str(parsed(appointment)["URL"]) == "https://meeting.tencent.com/p/chenming"


def test_phone_says_who_calls_whom_at_which_number_and_on_site_gives_the_station(people, app):
    """Phone: the lawyer calls the enterprise's contact at its number; on site: the station's address and phone."""
    phone = book(people, "10:00", mode="phone")
    how = meeting.details(phone).how
    assert "陈明" in how and "张伟" in how and "0519-8888 1234" in how
    assert "0519-8888 1234" in str(parsed(phone)["LOCATION"])
    onsite = book(people, "14:00", mode="onsite")
    details = meeting.details(onsite)
    assert app.config["SERVICE_STATION_ADDRESS"] in details.location
    assert app.config["SERVICE_STATION_PHONE"] in details.how
    assert app.config["SERVICE_STATION_PHONE"] in str(parsed(onsite)["DESCRIPTION"])


def test_the_lawyers_page_shows_the_enterprise_contact_and_the_email_says_how(app):
    """The lawyer's booking page names the contact person, phone and e-mail; the e-mails carry the meeting sentence."""
    with app.app_context():
        lawyer = working_lawyer(name="陈明")
        user = factories.enterprise_user(name="李娜")
        user.enterprise.contact_name, user.enterprise.phone = "张伟", "0519-8888 1234"
        appointment = factories.appointment(
            enterprise=user.enterprise,
            service="labor",
            start=at(future_weekday(2), "10:00"),
            lawyer=lawyer,
            actor=user,
            mode="phone",
        )
        db.session.commit()
        booking_id, lawyer_email, user_email = appointment.id, lawyer.email, user.email
        mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == lawyer_email))
        assert "张伟" in mail.body_text and "0519-8888 1234" in mail.body_text
    page = sign_in(app, lawyer_email).get(f"/bookings/{booking_id}").get_data(as_text=True)
    assert "张伟" in page and "0519-8888 1234" in page and user_email in page and "data-contact" in page
    enterprise_page = sign_in(app, user_email).get(f"/bookings/{booking_id}").get_data(as_text=True)
    assert "data-contact" not in enterprise_page and "data-meeting" in enterprise_page


def test_confirm_over_http_takes_the_meeting_link_and_refuses_a_bad_one_next_to_the_field(app):
    """POST /bookings/<id>/confirm with meeting_link: a bad link is 422 next to the field, a good one is kept."""
    with app.app_context():
        lawyer = working_lawyer()
        appointment = factories.appointment(
            service="consultation", start=at(future_weekday(2), "10:00"), lawyer=lawyer, mode="video"
        )
        db.session.commit()
        booking_id, email = appointment.id, lawyer.email
    client = english(sign_in(app, email))
    page = client.get(f"/bookings/{booking_id}").get_data(as_text=True)
    assert 'name="meeting_link"' in page
    bad = client.post(f"/bookings/{booking_id}/confirm", data={"meeting_link": "http://insecure.example.cn"})
    assert bad.status_code == 422 and 'id="meeting_link-error"' in bad.get_data(as_text=True)
    good = client.post(f"/bookings/{booking_id}/confirm", data={"meeting_link": "https://meeting.tencent.com/dm/1"})
    assert good.status_code == 303
    page = client.get(f"/bookings/{booking_id}").get_data(as_text=True)
    assert 'href="https://meeting.tencent.com/dm/1"' in page and "data-meeting-link" in page


def test_the_station_phone_is_given_wherever_the_portal_says_call_the_station(app, enterprise_client):
    """The cut-off message on the page, the cancel refusal and the deactivated sign-in message give the number."""
    phone = app.config["SERVICE_STATION_PHONE"]
    with app.app_context():
        user = db.session.get(User, enterprise_client.user_id)
        lawyer = working_lawyer()
        soon = factories.appointment(
            enterprise=user.enterprise, lawyer=lawyer, status="confirmed", start=booking.utcnow() + timedelta(hours=3)
        )
        db.session.commit()
        soon_id = soon.id
        with pytest.raises(Invalid) as raised:
            booking.cancel(db.session.get(Appointment, soon_id), db.session.get(User, enterprise_client.user_id))
        assert phone in raised.value.message
        db.session.rollback()
        gone = factories.lawyer()
        gone.active = False
        db.session.commit()
        gone_email = gone.email
    assert phone in enterprise_client.get(f"/bookings/{soon_id}").get_data(as_text=True)
    refused = app.test_client().post("/auth/login", data={"email": gone_email, "password": factories.PASSWORD})
    assert phone in refused.get_data(as_text=True)


# ------------------------------------------------------------------------------------------ 2. completion


def test_completing_needs_a_summary_asks_first_and_a_bare_post_is_answered_next_to_the_field(app):
    """The form confirms first (hx-confirm) and says the summary goes to the enterprise; a bare POST is 422 with the
    message next to the summary; the lawyer adds to it later, audited and the enterprise told."""
    with app.app_context():
        lawyer = working_lawyer()
        user = factories.enterprise_user()
        appointment = factories.appointment(
            enterprise=user.enterprise, lawyer=lawyer, status="confirmed", start=booking.utcnow() - timedelta(hours=2)
        )
        db.session.commit()
        booking_id, email, user_id = appointment.id, lawyer.email, user.id
    client = english(sign_in(app, email))
    page = client.get(f"/bookings/{booking_id}").get_data(as_text=True)
    assert "hx-confirm=" in page and "receives this summary" in page
    bare = client.post(f"/bookings/{booking_id}/complete")
    assert bare.status_code == 422 and 'id="summary-error"' in bare.get_data(as_text=True)
    done = client.post(f"/bookings/{booking_id}/complete", data={"summary": "建议续签"})
    assert done.status_code == 303
    more = client.post(f"/bookings/{booking_id}/summary", data={"summary": "补充：社保记录"})
    assert more.status_code == 303
    with app.app_context():
        appointment = db.session.get(Appointment, booking_id)
        assert "建议续签" in appointment.summary and "补充：社保记录" in appointment.summary
        told = db.session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.recipient == db.session.get(User, user_id).email)
        )
        assert told >= 2  # completed, then the addition


# --------------------------------------------------------------------------------------- 3. rescheduling


def test_the_enterprise_reschedules_its_own_booking_from_the_page_and_its_email_link(app, enterprise_client):
    """The enterprise's e-mail links to the reschedule page; it moves the booking there: same number, history,
    not shown as cancelled in its list."""
    day = future_weekday(2)
    with app.app_context():
        lawyer = working_lawyer()
        user = db.session.get(User, enterprise_client.user_id)
        appointment = factories.appointment(
            enterprise=user.enterprise, service="labor", start=at(day, "10:00"), lawyer=lawyer, actor=user
        )
        db.session.commit()
        booking_id = appointment.id
        mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == user.email))
        assert f"/bookings/{booking_id}/reschedule" in mail.body_text
    page = english(enterprise_client).get(f"/bookings/{booking_id}").get_data(as_text=True)
    assert f"/bookings/{booking_id}/reschedule" in page
    form = enterprise_client.get(f"/bookings/{booking_id}/reschedule?date={day}").get_data(as_text=True)
    assert f'data-start="{iso(day, "15:00")}"' in form and "data-free-day" in form
    moved = enterprise_client.post(f"/bookings/{booking_id}/reschedule", data={"start": iso(day, "15:00")})
    assert moved.status_code == 303 and moved.headers["Location"].endswith(f"/bookings/{booking_id}")
    mine = enterprise_client.get("/bookings/").get_data(as_text=True)
    assert mine.count(f'data-booking-id="{booking_id}"') == 1 and "Cancelled" not in mine
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AppointmentMove)) == 1
        assert db.session.get(Appointment, booking_id).status == "confirmed"


def test_ics_round_trip_of_a_rescheduled_booking_same_uid_higher_sequence_new_time(people):
    """A moved booking's .ics parses with the same UID, a higher SEQUENCE and the new time in Asia/Shanghai."""
    appointment = book(people, "10:00")
    before = parsed(appointment)
    booking.reschedule(appointment, people["lawyer"], at(future_weekday(2), "15:30"), reason="开庭")
    after = parsed(appointment)
    assert str(after["UID"]) == str(before["UID"])
    assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])
    start = after["DTSTART"].dt
    assert str(start.tzinfo) == "Asia/Shanghai" and (start.hour, start.minute) == (15, 30)
    assert start.date() == future_weekday(2)
    assert after["DTSTART"].params["TZID"] == "Asia/Shanghai"


# --------------------------------------------------------------------------------------- 4. picking a day


def test_month_picker_marks_free_days_and_its_query_count_does_not_grow(app, ctx):
    """free_days answers a month with the same few queries for one lawyer or many, for a week or a month; the
    days it marks are exactly those with free slots."""
    svc = service("labor")
    first = local_today().replace(day=1) + timedelta(days=32)
    first = first.replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    working_lawyer()
    db.session.flush()
    queries: list[str] = []

    def counted(conn, cursor, statement, *args):
        queries.append(statement)

    def count(*args, **kwargs) -> tuple[set, int]:
        queries.clear()
        event.listen(db.engine, "before_cursor_execute", counted)
        try:
            found = slot_rules.free_days(*args, **kwargs)
        finally:
            event.remove(db.engine, "before_cursor_execute", counted)
        return found, len(queries)

    one_week, week_queries = count(svc, first, first + timedelta(days=6))
    one_lawyer, one_queries = count(svc, first, last)
    for _ in range(4):
        working_lawyer()
    db.session.flush()
    many, many_queries = count(svc, first, last)
    assert week_queries == one_queries == many_queries <= 5  # plans, exceptions, held per day, two unit reads
    assert one_lawyer == many and one_week <= one_lawyer
    expected = {
        d for d in (first + timedelta(days=i) for i in range((last - first).days + 1)) if slot_rules.free_slots(svc, d)
    }
    assert one_lawyer == expected and all(d.isoweekday() <= 5 for d in one_lawyer)


def test_month_fragment_and_the_empty_day_offers_the_next_free_day(app, enterprise_client):
    """GET /bookings/days marks free days as buttons; a day without time offers the next free day."""
    with app.app_context():
        working_lawyer()
        db.session.commit()
    saturday = future_weekday(6)
    response = enterprise_client.get(
        f"/bookings/days?service=labor&month={saturday:%Y-%m}", headers={"HX-Request": "true"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    assert f'data-free-day="{future_weekday(1, 2).isoformat()}"' in html or "data-free-day" in html
    assert f'data-free-day="{saturday.isoformat()}"' not in html
    slots = english(enterprise_client).get(f"/bookings/slots?service=labor&date={saturday}").get_data(as_text=True)
    assert "The next day with free times is" in slots and "data-set-date" in slots
    bad = enterprise_client.get("/bookings/days?service=labor&month=2026-13", headers={"HX-Request": "true"})
    assert bad.status_code == 422


def test_a_lawyer_without_any_plan_is_not_offered_and_times_step_by_half_hours(app, enterprise_client, lawyer_client):
    """The booking's lawyer select leaves out a lawyer with no availability; the editor's times step by 30 min."""
    with app.app_context():
        working_lawyer(name="有排班律师")
        factories.lawyer(name="无排班律师")
        db.session.commit()
    page = enterprise_client.get("/bookings/new").get_data(as_text=True)
    assert "有排班律师" in page and "无排班律师" not in page
    editor = lawyer_client.get("/availability").get_data(as_text=True)
    assert editor.count('step="1800"') == 4


def test_choosing_the_topic_after_the_time_keeps_the_lawyer_under_the_chosen_slot(app, enterprise_client):
    """With "any lawyer", the slot shown for 10:00 (lawyer A) stays A after choosing a topic that would prefer B,
    and the booking goes to A."""
    day = future_weekday(2)
    with app.app_context():
        first = working_lawyer(specialties="contracts", name="甲律师")
        second = working_lawyer(specialties="ip", name="乙律师")
        db.session.commit()
        first_id, second_id = first.id, second.id
    start = iso(day, "10:00")
    plain = enterprise_client.get(f"/bookings/slots?service=labor&date={day}").get_data(as_text=True)
    shown = re.search(rf'data-start="{start}" data-lawyer-id="(\d+)"', plain).group(1)
    other = str(second_id if int(shown) == first_id else first_id)
    other_topic = "ip" if other == str(second_id) else "contracts"
    picked = enterprise_client.get(
        f"/bookings/slots?service=labor&date={day}&topic={other_topic}&start={start}&slot_lawyer={shown}"
    ).get_data(as_text=True)
    assert re.search(rf'data-start="{start}" data-lawyer-id="(\d+)"', picked).group(1) == shown
    data = {
        "service": "labor",
        "date": day.isoformat(),
        "start": start,
        "lawyer_id": "",
        "mode": "onsite",
        "topic": other_topic,
        "slot_lawyer": shown,
    }
    assert enterprise_client.post("/bookings/new", data=data).status_code == 303
    with app.app_context():
        assert str(db.session.scalar(select(Appointment.lawyer_id))) == shown


# --------------------------------------------------------------------------------------- 5. truthful messages


def test_slots_inside_the_cutoff_are_marked_and_a_same_day_booking_is_not_promised_a_reminder(app, enterprise_client):
    """Slots starting within the cancellation cut-off carry the "can't be cancelled online" mark; a booking for today
    doesn't promise a reminder the day before."""
    with app.app_context():
        lawyer = working_lawyer(start=time(0), end=time(23, 30))
        for weekday in (6, 7):
            add_weekly_range(lawyer, weekday, time(0), time(23, 30))
        db.session.commit()
    today = local_today()
    html = english(enterprise_client).get(f"/bookings/slots?service=labor&date={today}").get_data(as_text=True)
    starts = re.findall(r'data-start="([^"]+)"', html)
    if not starts:
        pytest.skip("no free time left today (late in the day)")
    assert "data-no-online-cancel" in html and "can't be cancelled or moved online" in html
    data = {"service": "labor", "date": today.isoformat(), "start": starts[0], "mode": "onsite", "topic": "labor"}
    response = english(enterprise_client).post("/bookings/new", data=data, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "reminder the day before" not in page and "no reminder will be sent" in page


# ------------------------------------------------------------------------------- 6, 7, 13: pages and assets


def test_every_page_has_one_loading_indicator_and_disables_submit_buttons_while_waiting(client):
    """base.html: one global hx-indicator and hx-disabled-elt for submit buttons; no inline script (CSP)."""
    html = client.get("/").get_data(as_text=True)
    assert 'hx-indicator="#loading"' in html and 'id="loading"' in html
    assert "<script>" not in html and "onclick" not in html
    script = (ROOT / "static/js/app.js").read_text()
    assert "error-summary" in script and ".focus(" in script
    assert "htmx:beforeRequest" in script and "button.disabled = true" in script
    css = (ROOT / "static/css/app.css").read_text()
    assert ".htmx-request.htmx-indicator" in css and "@media print" in css


def test_the_booking_page_is_a_receipt_with_its_number(app, enterprise_client):
    """The booking number is visible and the page has the print-only header with the park and firm."""
    with app.app_context():
        user = db.session.get(User, enterprise_client.user_id)
        appointment = factories.appointment(
            enterprise=user.enterprise,
            service="labor",
            start=at(future_weekday(2), "10:00"),
            lawyer=working_lawyer(),
            actor=user,
        )
        db.session.commit()
        booking_id = appointment.id
    page = enterprise_client.get(f"/bookings/{booking_id}").get_data(as_text=True)
    assert f"#{booking_id}</strong>" in page and "receipt-head" in page and "data-print" in page
    assert app.config["PARK_NAME"] in page


# --------------------------------------------------------------------------------------------- 8. staff tools


def test_staff_filter_bookings_by_an_enterprise_search(app, staff_client):
    """The staff list's enterprise filter is a search box (enterprise_q, literal), not a select of the roster."""
    with app.app_context():
        lawyer = working_lawyer()
        one = factories.enterprise(name="常州星河电子有限公司")
        two = factories.enterprise(name="常州百分百_食品有限公司")
        for ent, hhmm in ((one, "10:00"), (two, "11:00")):
            factories.appointment(enterprise=ent, service="labor", start=at(future_weekday(2), hhmm), lawyer=lawyer)
        db.session.commit()
    page = staff_client.get("/bookings/all").get_data(as_text=True)
    assert 'name="enterprise_q"' in page and '<select name="enterprise"' not in page
    found = staff_client.get("/bookings/all?enterprise_q=星河", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "常州星河电子有限公司" in found and "常州百分百_食品有限公司" not in found
    literal = staff_client.get("/bookings/all?enterprise_q=百_", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "常州百分百_食品有限公司" in literal and "常州星河电子有限公司" not in literal


# ------------------------------------------------------------------------------------------- 12. titles


def test_lawyer_titles_are_codes_with_labels_in_each_language(app, enterprise_client):
    """A title is stored as a code; the booking page shows it in the reader's language."""
    with app.app_context():
        lawyer = working_lawyer(name="陈明")
        lawyer.lawyer_profile.title = "senior_partner"
        db.session.commit()
    english(enterprise_client)
    assert "陈明 Senior partner" in enterprise_client.get("/bookings/new").get_data(as_text=True)
    enterprise_client.post("/language", data={"lang": "zh_CN"})
    assert "陈明 高级合伙人" in enterprise_client.get("/bookings/new").get_data(as_text=True)


def test_the_migration_maps_the_old_chinese_titles_to_codes():
    """0009 maps the titles typed before (合伙人律师, 专职律师 …) to codes; unknown ones become no title."""
    source = (ROOT / "migrations/versions/0009_bookings_meeting.py").read_text()
    namespace: dict = {}
    exec(compile(source, "0009", "exec"), namespace)  # noqa: S102 - our own migration file
    assert namespace["TITLE_CODES"]["合伙人律师"] == "partner" and namespace["TITLE_CODES"]["专职律师"] == "associate"
    assert set(namespace["TITLE_CODES"].values()) <= set(namespace["TITLES"])
