"""The booking pages and the public contract: URLs, form fields, mode codes, markup hooks, .ics, feed, CLI."""

from __future__ import annotations

import re
from datetime import date, time, timedelta

import pytest
from sqlalchemy import func, select

from parkportal import accounts
from parkportal.availability.service import add_weekly_range
from parkportal.availability.slots import free_slots
from parkportal.extensions import db
from parkportal.models import (
    Appointment,
    AuditLog,
    AvailabilityException,
    AvailabilityRule,
    Feedback,
    OutboxMessage,
    User,
)
from parkportal.timeutil import local_today, utcnow

from . import factories
from .booking_support import at, future_weekday, iso, service, working_lawyer
from .conftest import english, sign_in

START = re.compile(r'data-start="([^"]+)"')
LAWYER = re.compile(r'data-lawyer-id="(\d+)"')


def appointments(app):
    """How many appointments are stored."""
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Appointment))


@pytest.fixture
def lawyer_id(app):
    """A lawyer working Monday to Friday 09:00–17:00, committed."""
    with app.app_context():
        lawyer = working_lawyer(specialties="labor")
        db.session.commit()
        return lawyer.id


def form(day, hhmm="10:00", **overrides):
    """The contract's booking form."""
    values = {
        "service": "consultation",
        "start": iso(day, hhmm),
        "lawyer_id": "",
        "mode": "video",
        "topic": "labor",
        "description": "劳动合同续签与竞业限制",
    }
    values.update(overrides)
    return values


def test_booking_form_has_the_contract_fields(enterprise_client, lawyer_id):
    """GET /bookings/new offers service, lawyer_id, topic, mode (onsite, video, phone) and description."""
    html = enterprise_client.get("/bookings/new").get_data(as_text=True)
    for name in ("service", "lawyer_id", "topic", "mode", "description", "date"):
        assert f'name="{name}"' in html, name
    for mode in ("onsite", "video", "phone"):
        assert f'value="{mode}"' in html
    assert 'value="consultation"' in html and 'value="checkup"' in html


def test_slots_fragment_carries_the_markup_hooks(enterprise_client, lawyer_id):
    """GET /bookings/slots is a fragment whose slots carry data-start (ISO local) and a real data-lawyer-id."""
    day = future_weekday(2)
    response = enterprise_client.get(
        f"/bookings/slots?service=labor&date={day.isoformat()}", headers={"HX-Request": "true"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    starts = START.findall(html)
    assert starts[0] == iso(day, "09:00") and starts[-1] == iso(day, "16:00") and len(starts) == 15
    assert set(LAWYER.findall(html)) == {str(lawyer_id)}
    with_lawyer = enterprise_client.get(f"/bookings/slots?service=labor&date={day.isoformat()}&lawyer={lawyer_id}")
    assert START.findall(with_lawyer.get_data(as_text=True)) == starts


def test_any_lawyer_slots_name_the_lawyer_who_would_be_assigned(app, enterprise_client, lawyer_id):
    """With two lawyers, the slot's data-lawyer-id is the one the booking then gets."""
    with app.app_context():
        working_lawyer(specialties="tax")
        db.session.commit()
    day = future_weekday(2)
    html = enterprise_client.get(f"/bookings/slots?service=labor&date={day}&topic=labor").get_data(as_text=True)
    assert LAWYER.findall(html)[0] == str(lawyer_id)
    response = enterprise_client.post("/bookings/new", data=form(day, "09:00", service="labor"))
    assert response.status_code == 303
    with app.app_context():
        assert db.session.scalar(select(Appointment.lawyer_id)) == lawyer_id


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("service=astrology&date={day}", "Choose a service from the list."),
        ("service=consultation&date=2026-13-45", "Enter the day as a date"),
        ("service=consultation&date={day}&lawyer=999999", "This lawyer doesn"),
        ("service=consultation&date={past}", "This day is in the past"),
        ("service=consultation&date={far}", "Bookings open 60 days ahead"),
    ],
)
def test_slots_fragment_explains_bad_input(enterprise_client, lawyer_id, query, message):
    """A bad service, date or lawyer gives a 422 fragment with a clear message."""
    values = {
        "day": future_weekday(2),
        "past": local_today() - timedelta(days=1),
        "far": local_today() + timedelta(days=61),
    }
    response = english(enterprise_client).get(
        "/bookings/slots?" + query.format(**values), headers={"HX-Request": "true"}
    )
    assert response.status_code == 422 and message in response.get_data(as_text=True)


MODE_HINT = re.compile(r'<small id="mode-hint"[^>]*>([^<]*)</small>')


def test_the_mode_hint_joins_the_modes_the_way_the_language_does(enterprise_client, lawyer_id):
    """The modes of a service are a locale-formatted list: "a, b, or c" in English, "甲、乙或丙" in Chinese."""
    url = f"/bookings/slots?service=consultation&date={future_weekday(2)}&modes=1"
    chinese = MODE_HINT.search(enterprise_client.get(url, headers={"HX-Request": "true"}).get_data(as_text=True))
    assert chinese and chinese.group(1).count("、") == 1 and "," not in chinese.group(1)
    english_hint = MODE_HINT.search(
        english(enterprise_client).get(url, headers={"HX-Request": "true"}).get_data(as_text=True)
    )
    assert english_hint.group(1) == (
        "Legal consultation can be booked as: On site at the park service station, Video call, or Phone call."
    )


def test_a_day_without_slots_suggests_the_next_free_day(enterprise_client, lawyer_id):
    """A Saturday has no slots; the fragment says so and offers the next day with free times."""
    saturday = future_weekday(6)
    html = enterprise_client.get(f"/bookings/slots?service=consultation&date={saturday}").get_data(as_text=True)
    assert "data-start" not in html
    assert f'data-set-date="{saturday + timedelta(days=2)}"' in html


def test_enterprise_books_and_sees_it_in_its_list(app, enterprise_client, lawyer_id):
    """POST /bookings/new → 303 to the booking; it is listed with data-booking-id, times in Shanghai time."""
    day = future_weekday(2)
    response = enterprise_client.post("/bookings/new", data=form(day, "10:00", lawyer_id=str(lawyer_id)))
    assert response.status_code == 303
    booking_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    detail = enterprise_client.get(f"/bookings/{booking_id}").get_data(as_text=True)
    assert "10:00" in detail and "10:30" in detail and "劳动合同续签与竞业限制" in detail
    listing = enterprise_client.get("/bookings/").get_data(as_text=True)
    assert f'data-booking-id="{booking_id}"' in listing
    with app.app_context():
        stored = db.session.get(Appointment, booking_id)
        # A consultation waits for the lawyer's confirmation (the flow: the lawyer confirms it).
        assert stored.start_at.hour == 2 and stored.status == "requested" and stored.mode == "video"


def test_empty_list_invites_to_book(enterprise_client):
    """Without bookings the list says so and links to the booking page."""
    html = english(enterprise_client).get("/bookings/").get_data(as_text=True)
    assert "No bookings yet" in html and 'href="/bookings/new"' in html


def test_a_taken_slot_gives_the_message_refreshed_slots_and_keeps_the_input(app, enterprise_client, lawyer_id):
    """If someone took the slot meanwhile: 422, the message, the slot gone from the list, the description kept."""
    day = future_weekday(2)
    with app.app_context():
        factories.appointment(
            service="consultation",
            start=at(day, "10:00"),
            lawyer=db.session.get(User, lawyer_id),
        )
        db.session.commit()
    response = english(enterprise_client).post("/bookings/new", data=form(day, "10:00", lawyer_id=str(lawyer_id)))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "taken by someone else" in html and "劳动合同续签与竞业限制" in html
    starts = START.findall(html)
    assert iso(day, "10:00") not in starts and iso(day, "10:30") in starts
    assert appointments(app) == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"start": "tomorrow at ten"}, "Choose one of the offered times."),
        ({"start": ""}, "Choose one of the free times."),
        ({"start": "2020-01-06T10:00"}, "This time is in the past."),
        ({"hhmm": "19:00"}, "No lawyer works at this time."),
        ({"hhmm": "10:10"}, "on the hour or half hour"),
        ({"service": "astrology"}, "Choose a service from the list."),
        ({"lawyer_id": "999999"}, "This lawyer doesn"),
        ({"lawyer_id": "abc"}, "Choose from the list."),
        ({"mode": "fax"}, "can be booked as"),
        ({"topic": ""}, "Choose the legal topic"),
        ({"far": True}, "Bookings open 60 days ahead."),
    ],
)
def test_bad_booking_input_is_explained_and_nothing_is_saved(app, enterprise_client, lawyer_id, overrides, message):
    """Each kind of bad input re-renders the form (422) with a clear message and keeps the description."""
    overrides = dict(overrides)
    day = future_weekday(2) if not overrides.pop("far", False) else local_today() + timedelta(days=70)
    data = form(day, overrides.pop("hhmm", "10:00"), **overrides)
    response = english(enterprise_client).post("/bookings/new", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and message in html
    assert "劳动合同续签与竞业限制" in html
    assert appointments(app) == 0


def test_a_pending_enterprise_sees_a_notice_and_cannot_book(app, pending_client, lawyer_id):
    """Before verification the page shows a notice instead of the form; a POST is refused with a message."""
    html = english(pending_client).get("/bookings/new").get_data(as_text=True)
    assert 'data-enterprise-status="pending"' in html and 'name="start"' not in html
    response = pending_client.post("/bookings/new", data=form(future_weekday(2)))
    assert response.status_code == 403 and "verified" in response.get_data(as_text=True)
    assert appointments(app) == 0


def test_staff_books_on_behalf_of_an_enterprise(app, staff_client, lawyer_id):
    """Staff choose the enterprise (enterprise_id); the booking records who made it and the enterprise is told."""
    with app.app_context():
        user = factories.enterprise_user()
        db.session.commit()
        enterprise_id, email = user.enterprise_id, user.email
    html = english(staff_client).get("/bookings/new").get_data(as_text=True)
    assert 'name="enterprise_q"' in html and '<select name="enterprise_id"' not in html  # a search box
    missing = staff_client.post("/bookings/new", data=form(future_weekday(2)))
    assert missing.status_code == 422 and "Choose the enterprise" in missing.get_data(as_text=True)
    response = staff_client.post("/bookings/new", data=form(future_weekday(2), enterprise_id=str(enterprise_id)))
    assert response.status_code == 303
    with app.app_context():
        appointment = db.session.scalar(select(Appointment))
        assert appointment.enterprise_id == enterprise_id and appointment.created_by_id == staff_client.user_id
        assert db.session.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.recipient == email)
        )


def test_staff_booking_on_behalf_are_told_the_enterprise_knows(app, staff_client, lawyer_id):
    """After booking on behalf, staff read that the enterprise was told, not "you'll get a reminder"."""
    with app.app_context():
        enterprise = factories.enterprise(name="常州代约测试有限公司")
        db.session.commit()
        enterprise_id = enterprise.id
    english(staff_client)
    data = form(future_weekday(2), enterprise_id=str(enterprise_id))
    page = staff_client.post("/bookings/new", data=data, follow_redirects=True).get_data(as_text=True)
    assert "The request is sent to the lawyer. The enterprise has been told." in page
    assert "You'll get a reminder" not in page
    labour = form(future_weekday(2), "14:00", service="labor", enterprise_id=str(enterprise_id))
    page = staff_client.post("/bookings/new", data=labour, follow_redirects=True).get_data(as_text=True)
    assert "The booking is confirmed. The enterprise has been told." in page


def test_an_archived_enterprise_is_told_it_is_archived_not_pending(app, enterprise_client, lawyer_id):
    """An archived enterprise's user sees the archived notice (not "verification pending") and can't book."""
    with app.app_context():
        user = db.session.get(User, enterprise_client.user_id)
        accounts.set_enterprise_status(user.enterprise, "archived")
        db.session.commit()
    english(enterprise_client)
    html = enterprise_client.get("/bookings/new").get_data(as_text=True)
    assert 'data-enterprise-status="archived"' in html and "no longer active on the roster" in html
    assert "Verification pending" not in html and 'name="start"' not in html
    response = enterprise_client.post("/bookings/new", data=form(future_weekday(2)))
    assert response.status_code == 403 and "no longer active on the roster" in response.get_data(as_text=True)
    assert "verified" not in response.get_data(as_text=True).split("<main", 1)[1]
    assert appointments(app) == 0


def test_ics_download_uses_shanghai_time(app, enterprise_client, lawyer_id):
    """GET /bookings/<id>.ics is a calendar file with TZID=Asia/Shanghai and the local wall-clock time."""
    day = future_weekday(2)
    location = enterprise_client.post("/bookings/new", data=form(day, "14:30")).headers["Location"]
    response = enterprise_client.get(location + ".ics")
    body = response.get_data(as_text=True)
    assert response.mimetype == "text/calendar" and "attachment" in response.headers["Content-Disposition"]
    assert f"DTSTART;TZID=Asia/Shanghai:{day.strftime('%Y%m%d')}T143000" in body
    assert "BEGIN:VTIMEZONE" in body and "TZID:Asia/Shanghai" in body


def test_lawyer_feed_is_secret_and_revocable(app, lawyer_client):
    """The feed answers at the secret URL without login; renewing the token makes the old URL 404."""
    with app.app_context():
        lawyer = db.session.get(User, lawyer_client.user_id)
        for weekday in range(1, 6):
            add_weekly_range(lawyer, weekday, time(9), time(17))
        factories.appointment(
            service="consultation",
            start=at(future_weekday(2), "09:00"),
            lawyer=lawyer,
        )
        db.session.commit()
        token = lawyer.lawyer_profile.feed_token
    anonymous = app.test_client()
    feed = anonymous.get(f"/availability/feed/{token}.ics")
    assert feed.status_code == 200 and feed.get_data(as_text=True).count("BEGIN:VEVENT") == 1
    assert anonymous.get("/availability/feed/not-the-token.ics").status_code == 404
    assert token in lawyer_client.get("/availability").get_data(as_text=True)
    assert lawyer_client.post("/availability/feed").status_code == 303
    assert anonymous.get(f"/availability/feed/{token}.ics").status_code == 404
    with app.app_context():
        new_token = db.session.get(User, lawyer_client.user_id).lawyer_profile.feed_token
    assert new_token != token and anonymous.get(f"/availability/feed/{new_token}.ics").status_code == 200


def test_lawyer_agenda_lists_requests_today_and_week(app, lawyer_client):
    """The agenda shows requests to answer with data-booking-id, and empty states for an empty day."""
    with app.app_context():
        lawyer = db.session.get(User, lawyer_client.user_id)
        add_weekly_range(lawyer, future_weekday(2).isoweekday(), time(9), time(17))
        request = factories.appointment(
            service="checkup",
            start=at(future_weekday(2), "09:00"),
            lawyer=lawyer,
        )
        db.session.commit()
        request_id = request.id
    html = english(lawyer_client).get("/bookings/agenda").get_data(as_text=True)
    assert f'data-booking-id="{request_id}"' in html and "Requests to answer" in html
    assert "No appointments today." in html


def test_a_lawyer_without_a_weekly_plan_is_told_enterprises_cannot_book(app, lawyer_client):
    """A new lawyer's agenda says that bookings need a weekly plan; once there is one, the notice goes."""
    html = english(lawyer_client).get("/bookings/agenda").get_data(as_text=True)
    assert "data-no-plan" in html and "Enterprises can't book you yet" in html
    with app.app_context():
        add_weekly_range(db.session.get(User, lawyer_client.user_id), 1, time(9), time(12))
        db.session.commit()
    assert "data-no-plan" not in lawyer_client.get("/bookings/agenda").get_data(as_text=True)


def test_lawyer_agenda_shows_the_next_seven_days_across_the_weekend(app, lawyer_client):
    """An appointment six days ahead is on the agenda even when it falls in next calendar week (e.g. on Sundays)."""
    with app.app_context():
        lawyer = db.session.get(User, lawyer_client.user_id)
        day = local_today() + timedelta(days=6)
        add_weekly_range(lawyer, day.isoweekday(), time(9), time(17))
        appointment = factories.appointment(
            service="consultation",
            start=at(day, "10:00"),
            mode="video",
            topic="contracts",
            lawyer=lawyer,
        )
        db.session.commit()
        appointment_id = appointment.id
    html = english(lawyer_client).get("/bookings/agenda").get_data(as_text=True)
    assert "The next 7 days" in html
    assert f'data-booking-id="{appointment_id}"' in html


def test_lawyer_completes_with_summary_and_private_notes_the_enterprise_rates_once(app, enterprise_client):
    """After completion the enterprise reads the summary (not the private notes) and rates once."""
    with app.app_context():
        lawyer = working_lawyer()
        enterprise = db.session.get(User, enterprise_client.user_id).enterprise
        appointment = factories.appointment(
            enterprise=enterprise,
            lawyer=lawyer,
            start=utcnow().replace(second=0, microsecond=0) - timedelta(hours=2),
            status="confirmed",
        )
        db.session.commit()
        booking_id, lawyer_email = appointment.id, lawyer.email
    lawyer_client = english(sign_in(app, lawyer_email))
    too_long = lawyer_client.post(f"/bookings/{booking_id}/complete", data={"summary": "长" * 5001})
    assert too_long.status_code == 422  # nothing half-written: still confirmed, as the next POST shows
    done = lawyer_client.post(
        f"/bookings/{booking_id}/complete", data={"summary": "建议续签并约定补偿", "private_notes": "客户较急"}
    )
    assert done.status_code == 303
    page = enterprise_client.get(f"/bookings/{booking_id}").get_data(as_text=True)
    assert "建议续签并约定补偿" in page and "客户较急" not in page and 'name="rating"' in page
    assert "客户较急" in lawyer_client.get(f"/bookings/{booking_id}").get_data(as_text=True)
    assert (
        enterprise_client.post(f"/bookings/{booking_id}/rate", data={"rating": "5", "comment": "很好"}).status_code
        == 303
    )
    again = enterprise_client.post(f"/bookings/{booking_id}/rate", data={"rating": "1"})
    assert again.status_code == 303  # changed within 7 days
    with app.app_context():
        assert db.session.get(Appointment, booking_id).feedback.rating == 1


def test_lawyer_reschedules_the_same_booking_which_waits_for_the_enterprise(app, enterprise_client, lawyer_id):
    """The lawyer moves a booking with a reason: same id, history on the page, the enterprise agrees; a taken
    target or a missing reason keeps everything."""
    day = future_weekday(2)
    old_url = enterprise_client.post("/bookings/new", data=form(day, "10:00")).headers["Location"]
    old_id = int(old_url.rsplit("/", 1)[-1])
    enterprise_client.post("/bookings/new", data=form(day, "11:00"))
    with app.app_context():
        lawyer_email = db.session.get(User, lawyer_id).email
    lawyer_client = english(sign_in(app, lawyer_email))
    page = lawyer_client.get(f"/bookings/{old_id}/reschedule?date={day}").get_data(as_text=True)
    assert f'data-start="{iso(day, "15:00")}"' in page
    no_reason = lawyer_client.post(f"/bookings/{old_id}/reschedule", data={"start": iso(day, "15:00")})
    assert no_reason.status_code == 422 and "why the booking moves" in no_reason.get_data(as_text=True)
    taken = lawyer_client.post(f"/bookings/{old_id}/reschedule", data={"start": iso(day, "11:00"), "reason": "开庭"})
    assert taken.status_code == 422 and "taken by someone else" in taken.get_data(as_text=True)
    moved = lawyer_client.post(
        f"/bookings/{old_id}/reschedule", data={"start": iso(day, "15:00"), "reason": "上午开庭"}
    )
    assert moved.status_code == 303 and moved.headers["Location"].endswith(f"/bookings/{old_id}")
    with app.app_context():
        same = db.session.get(Appointment, old_id)
        assert same.status == "requested" and same.awaiting_enterprise and same.start_at == at(day, "15:00")
        assert db.session.scalar(select(func.count()).select_from(Appointment)) == 2
    page = english(enterprise_client).get(old_url).get_data(as_text=True)
    assert "上午开庭" in page and "History of moves" in page and 'data-action="accept"' in page
    assert enterprise_client.post(f"/bookings/{old_id}/accept").status_code == 303
    with app.app_context():
        assert db.session.get(Appointment, old_id).status == "confirmed"


def test_availability_editor_adds_ranges_exceptions_and_specialties(app, lawyer_client):
    """The lawyer adds a weekly range, a day off and specialties; bad times are explained (422)."""
    english(lawyer_client)
    assert (
        lawyer_client.post(
            "/availability/rules", data={"weekday": "2", "start_time": "09:00", "end_time": "12:00"}
        ).status_code
        == 303
    )
    bad = lawyer_client.post("/availability/rules", data={"weekday": "2", "start_time": "13:15", "end_time": "12:00"})
    assert bad.status_code == 422 and "half hours" in bad.get_data(as_text=True)
    day = future_weekday(2)
    assert (
        lawyer_client.post(
            "/availability/exceptions", data={"day": day.isoformat(), "kind": "off", "note": "出庭"}
        ).status_code
        == 303
    )
    past = lawyer_client.post("/availability/exceptions", data={"day": "2020-01-01", "kind": "off"})
    assert past.status_code == 422
    assert lawyer_client.post("/availability/specialties", data={"specialties": ["ip", "tax"]}).status_code == 303
    with app.app_context():
        lawyer = db.session.get(User, lawyer_client.user_id)
        assert db.session.scalar(select(func.count()).select_from(AvailabilityRule)) == 1
        assert db.session.scalar(select(AvailabilityException.day)) == day
        assert lawyer.lawyer_profile.specialty_list == ["ip", "tax"]
    html = lawyer_client.get("/availability").get_data(as_text=True)
    assert "09:00–12:00" in html and "出庭" in html


@pytest.mark.parametrize(
    ("kind", "start", "end", "field", "message"),
    [
        ("extra", "", "", "exception_start_time", "Extra hours need a start and an end."),
        ("extra", "18:00", "", "exception_end_time", "Extra hours need a start and an end."),
        ("extra", "", "20:00", "exception_start_time", "Extra hours need a start and an end."),
        ("off", "09:00", "", "exception_end_time", "Enter both times, or neither for a whole day off."),
        ("off", "", "12:00", "exception_start_time", "Enter both times, or neither for a whole day off."),
        ("off", "12:00", "09:00", "exception_end_time", "The end must be later than the start."),
    ],
)
def test_exception_times_missing_or_reversed_are_explained_next_to_the_field(
    app, lawyer_client, kind, start, end, field, message
):
    """Extra hours without both times, or one time of a day off: 422 with the message at the field, nothing saved."""
    data = {"day": future_weekday(2).isoformat(), "kind": kind, "start_time": start, "end_time": end, "note": "出庭"}
    response = english(lawyer_client).post("/availability/exceptions", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'<small class="field-error" id="{field}-error" role="alert">{message}</small>' in html
    assert f'id="{field}" name="{field.removeprefix("exception_")}"' in html
    assert 'value="出庭"' in html
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AvailabilityException)) == 0


def test_the_same_exception_saved_twice_is_stored_once(app, lawyer_client):
    """A day off submitted twice (double click, a second tab) is one entry; the later note wins."""
    day = future_weekday(3).isoformat()
    for note in ("出庭", "出庭（武进法院）"):
        data = {"day": day, "kind": "off", "note": note}
        assert lawyer_client.post("/availability/exceptions", data=data).status_code == 303
    partial = {"day": day, "kind": "off", "start_time": "09:00", "end_time": "12:00"}
    assert lawyer_client.post("/availability/exceptions", data=partial).status_code == 303
    with app.app_context():
        rows = db.session.scalars(select(AvailabilityException).order_by(AvailabilityException.id)).all()
        assert [(r.start_time is None, r.note) for r in rows] == [(True, "出庭（武进法院）"), (False, None)]


def test_availability_changes_are_audited_with_the_lawyers_id(app, staff_client, lawyer_id):
    """Audit entries about a lawyer's profile (specialties, feed) name it by its key, not "#None"."""
    english(staff_client)
    data = {"specialties": ["labor"]}
    assert staff_client.post(f"/availability/specialties?lawyer={lawyer_id}", data=data).status_code == 303
    assert staff_client.post(f"/availability/feed?lawyer={lawyer_id}").status_code == 303
    with app.app_context():
        entries = db.session.scalars(select(AuditLog).where(AuditLog.object_type == "lawyer_profile")).all()
        assert {e.action for e in entries} == {"availability.specialties", "availability.feed_regenerated"}
        assert {e.object_id for e in entries} == {lawyer_id}
    assert "#None" not in staff_client.get("/admin/audit").get_data(as_text=True)


def test_staff_edit_any_lawyers_plan_and_a_lawyer_cannot_touch_anothers(app, staff_client, lawyer_client, lawyer_id):
    """Staff edit a chosen lawyer's plan; a lawyer's delete of another lawyer's range is a 404."""
    response = staff_client.post(
        f"/availability/rules?lawyer={lawyer_id}",
        data={"weekday": "6", "start_time": "09:00", "end_time": "11:00"},
    )
    assert response.status_code == 303
    with app.app_context():
        rule = db.session.scalar(select(AvailabilityRule).where(AvailabilityRule.weekday == 6))
        assert rule.lawyer_id == lawyer_id
        rule_id = rule.id
    assert lawyer_client.post(f"/availability/rules/{rule_id}/delete").status_code == 404
    assert staff_client.post(f"/availability/rules/{rule_id}/delete?lawyer={lawyer_id}").status_code == 303


def test_staff_list_filters(app, staff_client, lawyer_id):
    """Staff filter all bookings by status, lawyer, service, enterprise and dates; htmx gets the results only."""
    day = future_weekday(2)
    with app.app_context():
        lawyer = db.session.get(User, lawyer_id)
        first, second = factories.enterprise(), factories.enterprise()
        a = factories.appointment(
            enterprise=first,
            service="labor",  # confirmed at once
            start=at(day, "09:00"),
            lawyer=lawyer,
        )
        b = factories.appointment(
            enterprise=second,
            service="checkup",
            start=at(day, "13:00"),
            lawyer=lawyer,
        )
        db.session.commit()
        ids, first_id = (a.id, b.id), first.id
    html = staff_client.get("/bookings/all").get_data(as_text=True)
    assert all(f'data-booking-id="{i}"' in html for i in ids)
    cases = {
        "status=requested": {ids[1]},
        "service=labor": {ids[0]},
        f"enterprise={first_id}": {ids[0]},
        f"lawyer={lawyer_id}": set(ids),
        f"from={day + timedelta(days=1)}": set(),
        f"from={day}&to={day}": set(ids),
    }
    for query, expected in cases.items():
        response = staff_client.get(f"/bookings/all?{query}", headers={"HX-Request": "true"})
        body = response.get_data(as_text=True)
        assert "<html" not in body
        assert {int(x) for x in re.findall(r'data-booking-id="(\d+)"', body)} == expected, query
    assert "YYYY-MM-DD" in staff_client.get("/bookings/all?from=someday").get_data(as_text=True)
    both_bad = staff_client.get("/bookings/all?from=someday&to=2026-13-01").get_data(as_text=True)
    assert both_bad.count('<p class="field-error" role="alert">') == 1  # one hint, not one per date


def test_send_reminders_cli_queues_once(app, runner, lawyer_id):
    """flask send-reminders queues a reminder 24 h before a confirmed booking, and never twice."""
    with app.app_context():
        soon = (utcnow() + timedelta(hours=20)).replace(second=0, microsecond=0)
        factories.appointment(
            enterprise=factories.enterprise_user().enterprise,
            service="consultation",
            lawyer=db.session.get(User, lawyer_id),
            start=soon,
            status="confirmed",
        )
        db.session.commit()
    first = runner.invoke(args=["send-reminders"])
    assert first.exit_code == 0 and "queued 1" in first.output
    assert "queued 0" in runner.invoke(args=["send-reminders"]).output
    with app.app_context():
        mail = db.session.scalars(select(OutboxMessage)).all()
        assert len(mail) == 2 and all(m.attachment_name for m in mail)


def test_set_availability_cli_opens_slots(app, runner):
    """flask set-availability EMAIL --weekdays 1-5 --from 09:00 --to 17:00 makes the lawyer bookable."""
    with app.app_context():
        lawyer = factories.lawyer()
        db.session.commit()
        email = lawyer.email
    result = runner.invoke(args=["set-availability", email, "--weekdays", "1-5", "--from", "09:00", "--to", "17:00"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert len(free_slots(service("consultation"), future_weekday(1))) == 16


def test_seed_demo_adds_a_realistic_booking_history(app, runner):
    """seed-demo adds past completed and rated bookings, other outcomes, and upcoming confirmed and requested ones."""
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        now = utcnow()
        rows = db.session.execute(select(Appointment.status, Appointment.start_at)).all()
        past = {s for s, start in rows if start < now}
        future = {s for s, start in rows if start > now}
        assert {"completed", "cancelled"} <= past and {"confirmed", "requested"} <= future
        assert db.session.scalar(select(func.count()).select_from(Feedback)) >= 5
        assert any("劳动合同" in d for d in db.session.scalars(select(Appointment.description)))
        demo_user = db.session.scalar(select(User).where(User.email == "demo@jiangnan-zhizao.com"))
        mine = {
            a.status
            for a in db.session.scalars(select(Appointment).where(Appointment.enterprise_id == demo_user.enterprise_id))
        }
        assert {"completed", "confirmed", "requested"} <= mine


def test_times_are_shown_in_shanghai_whatever_the_server_clock(app, enterprise_client, lawyer_id):
    """A booking at 09:00 Shanghai (01:00 UTC) shows 09:00 on the list and the detail page."""
    day = future_weekday(2)
    location = enterprise_client.post("/bookings/new", data=form(day, "09:00")).headers["Location"]
    assert "09:00" in enterprise_client.get(location).get_data(as_text=True)
    listing = enterprise_client.get("/bookings/").get_data(as_text=True)
    assert "09:00" in listing and "01:00" not in listing


def test_booking_dates_are_dates(app):
    """(sanity) future_weekday gives a date in the bookable future."""
    assert isinstance(future_weekday(2), date) and future_weekday(2) > local_today()


def test_reschedule_offers_times_overlapping_the_booking_itself(app, lawyer_id):
    """Moving a 90' checkup from 10:00 offers 10:30 (overlapping its own time) but not 10:00 itself."""
    day = future_weekday(2)
    with app.app_context():
        lawyer = db.session.get(User, lawyer_id)
        appointment = factories.appointment(
            service="checkup",
            start=at(day, "10:00"),
            lawyer=lawyer,
        )
        db.session.commit()
        booking_id, email = appointment.id, lawyer.email
    client = sign_in(app, email)
    html = client.get(f"/bookings/{booking_id}/reschedule?date={day}").get_data(as_text=True)
    starts = START.findall(html)
    assert iso(day, "10:30") in starts and iso(day, "10:00") not in starts
    fragment = client.get(
        f"/bookings/slots?service=checkup&date={day}&lawyer={lawyer_id}&reschedule={booking_id}",
        headers={"HX-Request": "true"},
    ).get_data(as_text=True)
    assert START.findall(fragment) == starts
    plain = START.findall(
        client.get(f"/bookings/slots?service=checkup&date={day}&lawyer={lawyer_id}").get_data(as_text=True)
    )
    assert iso(day, "10:30") not in plain


def test_emails_show_shanghai_time(app, enterprise_client, lawyer_id):
    """The lawyer's e-mail about a 09:30 booking says 09:30, like the page and the .ics."""
    day = future_weekday(2)
    enterprise_client.post("/bookings/new", data=form(day, "09:30", service="labor"))  # confirmed: with .ics
    with app.app_context():
        mail = db.session.scalar(select(OutboxMessage))
        assert f"{day.isoformat()} 09:30" in mail.body_text and "T093000" in mail.attachment.decode()
