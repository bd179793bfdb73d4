"""``held_day`` (the held units as one bit mask per lawyer and UTC day) stays exactly in step with ``booking_unit``
on every write path: booking, confirming a request, cancel, decline, reschedule (also to another lawyer), a booking
across UTC midnight, deleting an appointment (the units' cascade), and the migration's backfill."""

from __future__ import annotations

from datetime import time

from flask_migrate import downgrade, upgrade
from sqlalchemy import delete, select

from parkportal.availability import slots as slot_rules
from parkportal.bookings import service as booking
from parkportal.cli import ensure_service_types
from parkportal.extensions import db
from parkportal.models import Appointment, BookingUnit, HeldDay

from . import factories
from .booking_support import at, future_weekday, working_lawyer


def recomputed() -> dict:
    """The masks as the units say they should be."""
    masks: dict = {}
    for lawyer_id, unit in db.session.execute(select(BookingUnit.lawyer_id, BookingUnit.unit_start)):
        day, bit = slot_rules.unit_bit(unit)
        masks[(lawyer_id, day)] = masks.get((lawyer_id, day), 0) | 1 << bit
    return masks


def stored() -> dict:
    """The masks in ``held_day`` (days whose units were all freed keep a row with mask 0: left out)."""
    db.session.flush()
    return {(lawyer, day): mask for lawyer, day, mask in db.session.execute(select(HeldDay.__table__)) if mask}


def book(lawyer, enterprise, day, hhmm, code="consultation", **kw):
    """A booking through the domain."""
    return factories.appointment(enterprise=enterprise, lawyer=lawyer, service=code, start=at(day, hhmm), **kw)


def test_every_write_path_keeps_the_masks_equal_to_the_units(ctx):
    """Book, confirm an unassigned request, cancel, decline, reschedule (same and another lawyer), delete: after
    each, held_day equals the masks recomputed from booking_unit, and the slot search sees the change."""
    lawyer, other = working_lawyer(start=time(7)), working_lawyer(start=time(7))
    user = factories.enterprise_user()
    enterprise, staff = user.enterprise, factories.staff()
    day = future_weekday(2)
    first = book(lawyer, enterprise, day, "10:00", code="checkup", status="confirmed")
    assert stored() == recomputed() and len(recomputed()) == 1
    consultation = factories.service_type("consultation")
    starts = {slot.start for slot in slot_rules.free_slots(consultation, day, lawyer)}
    assert at(day, "10:00") not in starts and at(day, "11:30") in starts
    across = book(lawyer, enterprise, day, "07:30", code="checkup", status="confirmed")  # 23:30–01:00 UTC
    assert stored() == recomputed() and len(recomputed()) == 2  # two UTC days
    assert at(day, "07:30") not in {s.start for s in slot_rules.free_slots(consultation, day, lawyer)}
    request = factories.appointment(enterprise=enterprise, service="contract_review", start=at(day, "14:00"),
                                    topic="contracts", status="requested")  # fmt: skip
    assert stored() == recomputed()
    booking.confirm(request, lawyer)
    assert stored() == recomputed()
    booking.cancel(across, staff)
    assert stored() == recomputed()
    assert at(day, "07:30") in {s.start for s in slot_rules.free_slots(consultation, day, lawyer)}
    booking.decline(book(lawyer, enterprise, day, "16:00", code="checkup", status="requested"), lawyer, "冲突")
    assert stored() == recomputed()
    booking.reschedule(first, staff, at(day, "10:30"), reason="律师临时出庭")
    assert stored() == recomputed()
    booking.reschedule(first, staff, at(future_weekday(3), "09:00"), lawyer=other, reason="换律师")
    assert stored() == recomputed() and (other.id, future_weekday(3)) in {(k[0], k[1]) for k in recomputed()}
    assert at(day, "10:30") in {s.start for s in slot_rules.free_slots(consultation, day, lawyer)}
    db.session.execute(delete(Appointment).where(Appointment.id == request.id))  # the units go by cascade
    assert stored() == recomputed()
    db.session.execute(delete(BookingUnit))
    assert stored() == recomputed() == {}


def test_the_month_picker_and_the_slot_search_agree_on_held_days(ctx):
    """A lawyer booked out on a day has no free day there in the month picker; freeing one slot frees the day."""
    lawyer = working_lawyer(start=time(9), end=time(10))
    user = factories.enterprise_user()
    day = future_weekday(4)
    consultation = factories.service_type("consultation")
    full = book(lawyer, user.enterprise, day, "09:00", status="confirmed")
    book(lawyer, user.enterprise, day, "09:30", status="confirmed")
    assert day not in slot_rules.free_days(consultation, day, day, lawyer)
    booking.cancel(full, factories.staff())
    assert slot_rules.free_days(consultation, day, day, lawyer) == {day}
    assert [s.start for s in slot_rules.free_slots(consultation, day, lawyer)] == [at(day, "09:00")]


def test_the_migration_backfills_the_masks_from_the_units(make_app, empty_database_url):
    """Upgrading from 0014 with units already stored fills held_day with exactly their masks."""
    app = make_app(SQLALCHEMY_DATABASE_URI=empty_database_url)
    with app.app_context():
        upgrade()
        ensure_service_types()
        lawyer = working_lawyer(start=time(7))
        user = factories.enterprise_user()
        for hhmm in ("07:30", "10:00", "15:30"):
            book(lawyer, user.enterprise, future_weekday(2), hhmm, code="checkup", status="confirmed")
        db.session.commit()
        expected = recomputed()
        db.session.remove()
        downgrade(revision="0014")
        upgrade()
        assert stored() == expected and len(expected) == 2
        db.session.remove()
