"""Touch counts (coverage/rollup.py): the stored counts always equal the touches union counted afresh, after every
kind of change a touch can go through, and every period's figures read from them equal the union's own."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import distinct, func, select

from parkportal.coverage import metrics, rollup, touches
from parkportal.events import service as events
from parkportal.extensions import db
from parkportal.library import service as library
from parkportal.models import (
    Appointment,
    Enterprise,
    Event,
    EventTopic,
    Feedback,
    PrintedCopy,
    Registration,
    TouchCount,
    TouchTopicCount,
    TouchTotal,
)

from . import coverage_support as park
from . import factories, library_support

PERIODS = [
    (date(2025, 1, 1), date(2025, 12, 31)),  # a calendar year: the year's totals
    (date(2025, 3, 15), date(2025, 6, 10)),  # edge days around whole months
    (date(2025, 4, 1), date(2025, 4, 30)),  # one whole month
    (date(2025, 4, 10), date(2025, 4, 20)),  # days inside one month
    (date(2025, 2, 15), date(2025, 3, 15)),  # days of two months, no whole month
    (date(2024, 11, 1), date(2026, 1, 31)),  # whole months, a whole year, whole months
    (date(2024, 12, 31), date(2026, 1, 1)),  # a whole year with a day either side (local midnight cases)
]


def stored() -> dict[str, list[tuple]]:
    """Every stored count row, sorted."""
    return {
        model.__tablename__: sorted(tuple(row) for row in db.session.execute(select(*model.__table__.c)).all())
        for model in (TouchCount, TouchTopicCount, TouchTotal)
    }


def assert_counts_equal_the_union() -> None:
    """The stored counts equal the union counted from scratch."""
    db.session.flush()
    before = stored()
    rollup.rebuild()
    assert stored() == before


@pytest.fixture
def seeded(ctx):
    """The coverage test park, flushed; its enterprise ids by letter."""
    return park.seed().ids


def test_counts_follow_every_change_of_a_touch(seeded):
    """Completing, un-completing, rating and moving bookings, checking in and cancelling attendance, moving and
    re-topicking events, downloads and printed copies recorded, moved and removed: the counts stay equal to the
    union after each step."""
    staff = factories.staff()
    a, b, d = (db.session.get(Enterprise, seeded[letter]) for letter in "ABD")
    assert_counts_equal_the_union()

    confirmed = db.session.scalar(
        select(Appointment).where(Appointment.enterprise_id == b.id, Appointment.status == "confirmed")
    )
    confirmed.status = "completed"  # completed: a consultation touch in June
    assert_counts_equal_the_union()
    db.session.add(Feedback(appointment_id=confirmed.id, rating=5))  # feedback after it
    assert_counts_equal_the_union()
    confirmed.start_at += timedelta(days=40)  # corrected into another month
    confirmed.end_at += timedelta(days=40)
    assert_counts_equal_the_union()
    confirmed.status = "no_show"  # and it was not held after all
    assert_counts_equal_the_union()

    e1 = db.session.scalar(select(Event).where(Event.start_at < park.local(date(2025, 5, 1))))
    waiting = db.session.scalar(
        select(Registration).where(Registration.event_id == e1.id, Registration.status == "registered")
    )
    events.check_in(waiting, staff, 2, now=park.local(date(2025, 4, 15), 14))  # D checked in: people and a touch
    assert_counts_equal_the_union()
    waiting.rating = 4
    assert_counts_equal_the_union()
    waiting.status, waiting.attended_count = "registered", None  # checked in by mistake
    assert_counts_equal_the_union()
    e1.start_at += timedelta(days=30)  # the event moves to May: its attendees' touches with it
    e1.end_at += timedelta(days=30)
    assert_counts_equal_the_union()
    e1.topic_rows = [EventTopic(topic="tax")]  # and changes topic
    assert_counts_equal_the_union()

    book = library_support.compilation(staff, topics=("ip",))
    user_a = factories.enterprise_user(a)
    download = library.record_download(book.id, user_a.id, a.id)
    assert_counts_equal_the_union()
    download.created_at = park.local(date(2025, 8, 8))
    assert_counts_equal_the_union()
    copy = library.record_printed(
        book, enterprise=d, copies=3, handed_on=date(2025, 9, 9), place="station", place_note=None, actor=staff
    )
    assert_counts_equal_the_union()
    copy.copies = 5
    assert_counts_equal_the_union()
    db.session.delete(db.session.get(PrintedCopy, copy.id))
    assert_counts_equal_the_union()


def test_a_failed_write_leaves_no_counts_behind(app, seeded):
    """Counts written in a transaction that rolls back are gone with it (they live in the same transaction)."""
    db.session.commit()
    before = stored()
    factories.appointment(
        enterprise=db.session.get(Enterprise, seeded["C"]), start=park.local(date(2025, 2, 3)), status="completed"
    )
    db.session.flush()
    assert stored() != before
    db.session.rollback()
    assert stored() == before


def _from_union(start: date, end: date) -> dict:
    """The figures of a period counted straight from the union (no stored counts)."""
    touch = touches.touches(start, end)
    active = touch.c.enterprise_id.not_in(select(Enterprise.id).where(Enterprise.status == "archived"))
    channels = {
        channel: (count, enterprises)
        for channel, count, enterprises in db.session.execute(
            select(touch.c.channel, func.count(), func.count(distinct(touch.c.enterprise_id))).group_by(touch.c.channel)
        )
    }
    month = func.substr(touch.c.day, 1, 7)
    served_by_month = dict(
        db.session.execute(
            select(month, func.count(distinct(touch.c.enterprise_id))).where(active).group_by(month)
        ).all()
    )
    touches_by_month = dict(db.session.execute(select(month, func.count()).group_by(month)).all())
    topical = touches.touches(start, end, by_topic=True)
    topics = {
        topic: (count, enterprises)
        for topic, count, enterprises in db.session.execute(
            select(topical.c.topic, func.count(), func.count(distinct(topical.c.enterprise_id)))
            .where(topical.c.topic.is_not(None))
            .group_by(topical.c.topic)
        )
    }
    return {
        "served": db.session.scalar(select(func.count(distinct(touch.c.enterprise_id))).where(active)),
        "channels": channels,
        "months": {key: (served_by_month.get(key, 0), touches_by_month.get(key, 0)) for key in touches_by_month},
        "topics": topics,
        "touched": set(db.session.scalars(select(touch.c.enterprise_id).distinct())),
    }


@pytest.mark.parametrize(("start", "end"), PERIODS)
def test_every_period_reads_the_figures_the_union_gives(seeded, start, end):
    """Whole years, whole months and edge days together give the union's figures for any period."""
    expected = _from_union(start, end)
    summary = metrics.summary(start, end, 70)
    assert summary.served == expected["served"]
    assert summary.touches == {code: expected["channels"].get(code, (0, 0))[0] for code in summary.touches}
    assert summary.served_by_channel == {code: expected["channels"].get(code, (0, 0))[1] for code in summary.touches}
    assert summary.people_reached == metrics.people_reached(start, end)
    assert summary.printed_copies == metrics.printed_copies(start, end)
    assert summary.booking_rating == metrics.booking_rating(start, end)
    assert summary.event_rating == metrics.event_rating(start, end)
    months = {m.month: (m.served, m.total) for m in metrics.monthly(start, end)}
    assert {key: value for key, value in months.items() if value != (0, 0)} == {
        key: value for key, value in expected["months"].items() if value != (0, 0)
    }
    assert {t.code: (t.supply, t.supplied) for t in metrics.by_topic(start, end) if t.supply} == expected["topics"]
    not_served = set(db.session.scalars(select(Enterprise.id).where(metrics.not_served(start, end).whereclause)))
    on_roster = set(db.session.scalars(select(Enterprise.id).where(Enterprise.status != "archived")))
    assert not_served == on_roster - expected["touched"]


def test_pieces_cover_every_day_of_a_period_once():
    """Years, months and edge days of a period are disjoint and together are exactly its days."""
    for start, end in [*PERIODS, (date(2025, 1, 31), date(2025, 2, 1)), (date(2024, 2, 29), date(2024, 2, 29))]:
        split = rollup.pieces(start, end)
        days: list[date] = []
        if split.years:
            days += _days(date(split.years[0], 1, 1), date(split.years[1], 12, 31))
        for low, high in split.months:
            days += _days(rollup.month_span(low)[0], rollup.month_span(high)[1])
        for low, high in split.days:
            days += _days(low, high)
        assert sorted(days) == _days(start, end), (start, end)


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]
