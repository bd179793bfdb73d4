"""A seeded park for the coverage tests: touches in every channel across enterprises, with edge cases (archived,
outside the period, across local midnight, not completed, not attended, a lawyer's download), and the figures
worked out by hand for the period 2025-01-01 … 2025-12-31."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from parkportal.coverage import service as coverage_service
from parkportal.extensions import db
from parkportal.library import service as library
from parkportal.models import Feedback
from parkportal.timeutil import local_datetime

from . import factories, library_support
from .event_support import make_event, registered

START, END = date(2025, 1, 1), date(2025, 12, 31)


def local(day: date, hour: int = 10) -> datetime:
    """An aware local moment on ``day``."""
    from datetime import time

    return local_datetime(day, time(hour))


def _done(enterprise, when: datetime, service: str = "consultation", topic: str = "labor", status: str = "completed"):
    return factories.appointment(
        enterprise=enterprise, start=when, service=service, topic=topic, status=status, lawyer=None
    )


def _event_at(day: date, topics: tuple[str, ...], status: str = "published"):
    event = make_event(topics=topics, status=status)
    event.start_at = local(day, 14)
    event.end_at = local(day, 16)
    event.registration_deadline = local(day, 9)
    db.session.flush()
    return event


@dataclass
class Park:
    """The seeded enterprises by letter."""

    ids: dict[str, int]


def seed() -> Park:
    """Seed the park (flushes; the caller commits)."""
    staff = factories.staff()
    ent = {
        "A": factories.enterprise(name="甲 软件", industry="software"),
        "B": factories.enterprise(name="乙 制造", industry="manufacturing"),
        "C": factories.enterprise(name="丙 软件", industry="software"),
        "D": factories.enterprise(name="丁 电商", industry="ecommerce"),
        "E": factories.enterprise(name="戊 软件", industry="software", status="archived"),
        "F": factories.enterprise(name="己 物流", industry="logistics", contact_name="周敏", phone="13900001111"),
        "G": factories.enterprise(name="庚 其他", industry="other", status="pending"),
        "H": factories.enterprise(name="辛 软件", industry="software"),
        "I": factories.enterprise(name="壬 软件", industry="software"),
    }
    # Appointments: completed ones count on their local day; others don't count at all.
    _done(ent["A"], local(date(2025, 3, 10)), topic="labor")
    _done(ent["A"], local(date(2025, 3, 20)), topic="contracts")
    checkup = _done(ent["B"], local(date(2025, 6, 1)), service="checkup", topic="company_law")
    db.session.add(Feedback(appointment_id=checkup.id, rating=4))
    _done(ent["B"], local(date(2025, 6, 5)), status="confirmed")
    _done(ent["B"], local(date(2025, 6, 6)), status="no_show")
    _done(ent["E"], local(date(2025, 2, 2)), topic="tax")  # archived since: a touch, but not on the roster
    _done(ent["F"], local(date(2024, 11, 11)), topic="tax")  # before the period
    _done(ent["H"], datetime(2024, 12, 31, 17, 0, tzinfo=UTC), topic="labor")  # 2025-01-01 01:00 in Changzhou
    _done(ent["I"], datetime(2025, 12, 31, 16, 30, tzinfo=UTC), topic="labor")  # 2026-01-01 00:30 in Changzhou

    # Events: attended registrations count on the event's day; people = attended_count.
    e1 = _event_at(date(2025, 4, 15), ("labor", "safety"))
    registered(e1, ent["C"], attendees=3, status="attended", attended_count=3, rating=5)
    registered(e1, ent["D"], attendees=1, status="registered")
    e2 = _event_at(date(2025, 9, 1), ("ip",))
    registered(e2, ent["A"], attendees=2, status="attended", attended_count=2, rating=3)
    registered(e2, ent["I"], attendees=1, status="cancelled")
    _event_at(date(2025, 10, 1), ("labor",), status="cancelled")
    _event_at(date(2025, 11, 1), ("labor",), status="draft")

    # The library: a download by A's user, one by a lawyer (no enterprise), printed copies for D.
    book = library_support.compilation(staff, topics=("company_law", "contracts"))
    user_a = factories.enterprise_user(ent["A"])
    library.record_download(book.id, user_a.id, ent["A"].id).created_at = local(date(2025, 5, 5))
    library.record_download(book.id, factories.lawyer().id, None).created_at = local(date(2025, 5, 6))
    library.record_printed(
        book, enterprise=ent["D"], copies=20, handed_on=date(2025, 7, 1), place="station", place_note=None, actor=staff
    )

    # Needs: demand counts needs stated in the period.
    for letter, topic, day in (
        ("G", "labor", date(2025, 5, 1)),
        ("B", "data_privacy", date(2025, 6, 2)),
        ("C", "labor", date(2025, 4, 16)),
        ("F", "tax", date(2024, 3, 1)),
    ):
        (need,) = coverage_service.state_needs(ent[letter], [topic], "", "phone", staff)
        need.created_at = local(day)
    db.session.flush()
    return Park({letter: e.id for letter, e in ent.items()})


#: The figures of 2025, worked out by hand from the rows above.
EXPECTED = {
    "roster": 8,  # A B C D F G H I (E archived)
    "served": 5,  # A B C D H (E's touch counts as a touch, but E is off the roster)
    "touches": {"consultation": 4, "checkup": 1, "event": 2, "download": 1, "printed": 1},  # A×2, E, H
    "events_held": 2,  # e1, e2 (not the cancelled one, not the draft)
    "people_reached": 5,
    "copies": 21,  # 1 download + 20 printed
    "booking_rating": (1, 4),
    "event_rating": (2, 8),
    "months": {
        "2025-01": (1, 1),
        "2025-02": (0, 1),
        "2025-03": (1, 2),
        "2025-04": (1, 1),
        "2025-05": (1, 1),
        "2025-06": (1, 1),
        "2025-07": (1, 1),
        "2025-08": (0, 0),
        "2025-09": (1, 1),
    },  # (served, touches)
    "industries": {
        "software": (4, 3, 6),
        "manufacturing": (1, 1, 1),
        "ecommerce": (1, 1, 1),
        "logistics": (1, 0, 0),
        "other": (1, 0, 0),
    },  # (roster, served, touches)
    "supply": {"labor": 3, "contracts": 3, "company_law": 3, "safety": 1, "ip": 1, "tax": 1, "data_privacy": 0},
    "demand": {"labor": 2, "data_privacy": 1, "tax": 0},
    "not_served": {"F", "G", "I"},
}


def one_year_later(day: date) -> date:
    """``day`` a year on (for a second period)."""
    return day + timedelta(days=365)
