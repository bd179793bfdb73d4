"""Free slots (bookings.slots.free_slots): availability − exceptions − bookings − lead time, within the horizon."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from parkportal.availability.service import add_exception, add_weekly_range
from parkportal.availability.slots import check_day, free_slots
from parkportal.bookings import service as booking
from parkportal.core.errors import Invalid
from parkportal.extensions import db
from parkportal.timeutil import local_iso, local_today, utcnow

from . import factories
from .booking_support import at, future_weekday, service, working_lawyer


def starts(slots):
    """The slots' starts as local HH:MM strings."""
    return [local_iso(s.start)[11:] for s in slots]


def book(lawyer, day, hhmm, code="consultation", **kw):
    """Book ``lawyer`` (``None``: any) for a new verified enterprise through the domain."""
    return factories.appointment(lawyer=lawyer, service=code, start=at(day, hhmm), **{"topic": "contracts", **kw})


def test_weekly_plan_gives_half_hour_starts_where_the_service_fits(ctx):
    """09:00–17:00 gives 30' starts 09:00…16:30 and 90' starts only up to 15:30."""
    lawyer = working_lawyer()
    day = future_weekday(2)
    consultation = starts(free_slots(service("consultation"), day, lawyer))
    assert consultation[0] == "09:00" and consultation[-1] == "16:30" and len(consultation) == 16
    checkup = starts(free_slots(service("checkup"), day, lawyer))
    assert checkup[-1] == "15:30" and "16:00" not in checkup


def test_several_ranges_per_weekday_and_no_slot_straddles_the_break(ctx):
    """Two ranges on a weekday: a 60' service never spans the lunch break."""
    lawyer = factories.lawyer()
    add_weekly_range(lawyer, 3, time(9), time(12))
    add_weekly_range(lawyer, 3, time(14), time(17))
    day = future_weekday(3)
    labour = starts(free_slots(service("labor"), day, lawyer))
    assert "11:00" in labour and "11:30" not in labour and "12:00" not in labour and "14:00" in labour
    assert free_slots(service("labor"), future_weekday(4), lawyer) == []  # Thursday: no plan


def test_exceptions_remove_leave_and_add_extra_hours(ctx):
    """A whole day off empties the day, partial leave cuts it, extra hours add a Saturday."""
    lawyer = working_lawyer()
    monday, tuesday, saturday = future_weekday(1), future_weekday(2), future_weekday(6)
    add_exception(lawyer, monday, "off", note="年假")
    add_exception(lawyer, tuesday, "off", time(10), time(11))
    add_exception(lawyer, saturday, "extra", time(9), time(11))
    assert free_slots(service("consultation"), monday, lawyer) == []
    tuesday_starts = starts(free_slots(service("labor"), tuesday, lawyer))
    assert "09:00" in tuesday_starts and "09:30" not in tuesday_starts and "10:00" not in tuesday_starts
    assert "10:30" not in tuesday_starts and "11:00" in tuesday_starts
    assert starts(free_slots(service("consultation"), saturday, lawyer)) == ["09:00", "09:30", "10:00", "10:30"]


def test_existing_bookings_block_every_overlapping_start(ctx):
    """A 90' checkup at 10:00 blocks 60' starts from 09:30 to 11:00; cancelling frees them again."""
    lawyer = working_lawyer()
    day = future_weekday(2)
    checkup = book(lawyer, day, "10:00", "checkup")
    labour = starts(free_slots(service("labor"), day, lawyer))
    assert "09:00" in labour and "11:30" in labour
    assert not {"09:30", "10:00", "10:30", "11:00"} & set(labour)
    booking.cancel(checkup, factories.staff())
    assert "10:00" in starts(free_slots(service("labor"), day, lawyer))


def test_lead_time_and_never_in_the_past(ctx, app):
    """Nothing before now + lead time (2 h by default, configurable); past days have no slots."""
    lawyer = working_lawyer()
    day = future_weekday(2)
    now = at(day, "08:10")
    assert starts(free_slots(service("consultation"), day, lawyer, now=now))[0] == "10:30"
    app.config["BOOKING_LEAD_TIME_HOURS"] = 4
    try:
        assert starts(free_slots(service("consultation"), day, lawyer, now=now))[0] == "12:30"
    finally:
        app.config["BOOKING_LEAD_TIME_HOURS"] = 2.0
    assert free_slots(service("consultation"), day - timedelta(days=7), lawyer, now=now) == []
    assert free_slots(service("consultation"), day, lawyer, now=at(day, "18:00")) == []


def test_never_beyond_the_horizon(ctx, app):
    """The last bookable day is today + BOOKING_HORIZON_DAYS."""
    lawyer = factories.lawyer()
    for weekday in range(1, 8):
        add_weekly_range(lawyer, weekday, time(9), time(17))
    now = utcnow()  # one clock for the test and the code: no flip at local midnight between the two
    today = local_today(now)
    assert free_slots(service("consultation"), today + timedelta(days=60), lawyer, now=now)
    assert free_slots(service("consultation"), today + timedelta(days=61), lawyer, now=now) == []
    app.config["BOOKING_HORIZON_DAYS"] = 10
    try:
        assert free_slots(service("consultation"), today + timedelta(days=11), lawyer, now=now) == []
    finally:
        app.config["BOOKING_HORIZON_DAYS"] = 60


def test_any_lawyer_prefers_specialty_then_lightest_week_then_id(ctx):
    """Without a lawyer, each start goes to a specialist first, then to whoever has fewer bookings that week."""
    generalist = working_lawyer(specialties="company_law")
    labour_a = working_lawyer(specialties="labor")
    labour_b = working_lawyer(specialties="labor,contracts")
    day = future_weekday(2)
    slots = free_slots(service("labor"), day, topic="labor")
    assert len(slots) == len({s.start for s in slots})  # one slot per start time
    assert slots[0].lawyer.id == labour_a.id  # specialists tie on load → lowest id
    book(labour_a, day + timedelta(days=2), "09:00", "labor", topic="labor")  # Thursday of the same ISO week
    assert free_slots(service("labor"), day, topic="labor")[0].lawyer.id == labour_b.id
    assert free_slots(service("labor"), day, topic="company_law")[0].lawyer.id == generalist.id


def test_any_lawyer_falls_back_to_a_free_colleague(ctx):
    """When the preferred lawyer is booked at a time, "any lawyer" offers that time with a colleague."""
    first = working_lawyer(specialties="labor")
    second = working_lawyer(specialties="tax")
    day = future_weekday(2)
    book(first, day, "10:00", "labor", topic="labor")
    by_start = {local_iso(s.start)[11:]: s.lawyer.id for s in free_slots(service("labor"), day, topic="labor")}
    assert by_start["10:00"] == second.id and by_start["09:00"] == first.id


def test_inactive_lawyers_offer_nothing(ctx):
    """A deactivated lawyer's plan no longer gives slots."""
    lawyer = working_lawyer()
    lawyer.active = False
    db.session.flush()
    assert free_slots(service("consultation"), future_weekday(2)) == []


@pytest.mark.parametrize("hours", [0, 24])
def test_slots_are_aware_shanghai_times(ctx, hours):
    """Slot starts are timezone-aware and on the local 30-minute grid."""
    working_lawyer()
    day = future_weekday(5)
    slot = free_slots(service("consultation"), day, now=utcnow() + timedelta(hours=hours))[0]
    assert slot.start.utcoffset() == timedelta(hours=8) and slot.start.minute in (0, 30)


@pytest.mark.parametrize("days_ahead", [-1, 61])
def test_the_picker_and_the_booking_refuse_a_day_with_one_rule_and_one_message(ctx, days_ahead):
    """A day in the past or beyond the horizon: the picker shows the same message the booking raises."""
    lawyer = working_lawyer()
    day = local_today() + timedelta(days=days_ahead)
    picker = booking.pick_slots("consultation", day.isoformat(), str(lawyer.id))
    assert picker.slot_error and picker.slots == []
    with pytest.raises(Invalid) as raised:
        check_day(day, utcnow())
    assert raised.value.message == picker.slot_error
    if days_ahead > 0:  # (a start in the past is refused earlier, as a time in the past)
        with pytest.raises(Invalid) as booked:
            factories.appointment(lawyer=lawyer, start=at(day, "10:00"))
        assert booked.value.message == picker.slot_error and booked.value.field == "start"


def test_an_exception_before_today_is_refused_next_to_the_day(ctx):
    """Time off can't be entered for a day that has passed (Invalid on ``day``); today is fine."""
    lawyer = working_lawyer()
    with pytest.raises(Invalid) as raised:
        add_exception(lawyer, local_today() - timedelta(days=1), "off")
    assert raised.value.field == "day"
    assert add_exception(lawyer, local_today(), "off").day == local_today()


def test_month_picker_days_match_the_slot_search_when_the_least_busy_lawyer_is_full(ctx):
    """free_days marks exactly the days free_slots finds free: a lawyer holding nothing makes a day free; when the
    least busy lawyer is booked out, a busier one with a gap still makes the day free."""
    from parkportal.availability import slots as slot_rules

    short = working_lawyer(start=time(9), end=time(10))  # two half hours a day
    long = working_lawyer(start=time(9), end=time(11))  # four
    gap_day, full_day, open_day = future_weekday(2), future_weekday(3), future_weekday(4)
    for hhmm in ("09:00", "09:30"):  # the short one is full on the first two days (2 units, the least busy)
        for day in (gap_day, full_day):
            book(short, day, hhmm, status="confirmed")
    for hhmm in ("09:00", "09:30", "10:00"):  # the long one keeps 10:30 free on the gap day
        book(long, gap_day, hhmm, status="confirmed")
    for hhmm in ("09:00", "09:30", "10:00", "10:30"):
        book(long, full_day, hhmm, status="confirmed")
    book(long, open_day, "09:00", status="confirmed")  # the short one holds nothing that day
    db.session.flush()
    consultation = service("consultation")
    first, last = gap_day - timedelta(days=1), open_day + timedelta(days=1)
    found = slot_rules.free_days(consultation, first, last)
    expected = {
        day
        for day in (first + timedelta(days=n) for n in range((last - first).days + 1))
        if free_slots(consultation, day)
    }
    assert found == expected
    assert gap_day in found and open_day in found and full_day not in found
    assert slot_rules.free_days(consultation, first, last, lawyer=short) == {first, open_day, last}


def test_one_reading_answers_a_day_from_the_month_it_has_read(app):
    """Inside ``one_reading`` (the slot picker with its month) a day of a month already read comes from that reading;
    another lawyer, a range beyond it, or a call outside the block reads anew."""
    from parkportal.availability import slots as slot_rules

    with app.test_request_context("/"):
        lawyer = working_lawyer()
        day = future_weekday(2)
        db.session.commit()
        first, last = day - timedelta(days=3), day + timedelta(days=10)
        with slot_rules.one_reading():
            month = slot_rules.calendar(first, last)
            assert slot_rules.calendar(day, day) is month
            assert month.windows(lawyer.id, day)  # the day's plan is in the month's reading
            assert slot_rules.calendar(day, day, lawyer) is not month
            assert slot_rules.calendar(day, last + timedelta(days=1)) is not month
        assert slot_rules.calendar(day, day) is not month
