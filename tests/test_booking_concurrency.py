"""No double booking under real concurrency: many threads, each with its own session and connection, one slot.

Runs on SQLite and on PostgreSQL (PARKPORTAL_TEST_DATABASE_URL). The BookingUnit primary key decides: exactly
one attempt wins, every other one gets SlotTaken / the "taken" message — never a 500, never two bookings.
"""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from parkportal.availability import slots as slot_rules
from parkportal.bookings import service as booking
from parkportal.core.errors import Conflict
from parkportal.extensions import db
from parkportal.models import Appointment, BookingUnit, Enterprise, User
from parkportal.timeutil import to_local

from . import factories
from .booking_support import at, future_weekday, iso, service, working_lawyer
from .conftest import english, sign_in

N = 8


def run_concurrently(attempts):
    """Start one thread per attempt, release them together, and collect what each returned or raised."""
    barrier = threading.Barrier(len(attempts), timeout=60)
    results: list = [None] * len(attempts)

    def runner(index, attempt):
        try:
            results[index] = attempt(barrier)
        except Exception as error:  # noqa: BLE001 - any failure is a test failure, reported below
            results[index] = f"error: {error!r}"

    threads = [threading.Thread(target=runner, args=(i, a)) for i, a in enumerate(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "an attempt hung"
    return results


def setup_people(app, enterprises=N):
    """A working lawyer and ``enterprises`` verified enterprises, each with a user; committed."""
    with app.app_context():
        lawyer = working_lawyer()
        users = [factories.enterprise_user() for _ in range(enterprises)]
        db.session.commit()
        return lawyer.id, [(u.id, u.enterprise_id, u.email) for u in users]


def action_attempt(app, user_id, appointment_id, act, won, lost, caught):
    """One state change by ``user_id`` on an appointment, in its own app context, released by the barrier.

    ``act(appointment, user)`` runs after the barrier; it answers ``won`` on commit, ``lost`` on ``caught``.
    """

    def attempt(barrier):
        with app.app_context():
            user, appointment = db.session.get(User, user_id), db.session.get(Appointment, appointment_id)
            user.role, appointment.status  # noqa: B018 - load now
            db.session.rollback()
            barrier.wait()
            try:
                act(appointment, user)
                db.session.commit()
                return won
            except caught:
                db.session.rollback()
                return lost

    return attempt


def domain_attempt(app, lawyer_id, enterprise_id, user_id, code, start):
    """One booking through the domain in its own app context (own session, own connection)."""

    def attempt(barrier):
        with app.app_context():
            svc, lawyer = service(code), db.session.get(User, lawyer_id)
            enterprise, actor = db.session.get(Enterprise, enterprise_id), db.session.get(User, user_id)
            svc.duration_minutes, lawyer.lawyer_profile, enterprise.status, actor.role  # noqa: B018 - load now
            db.session.rollback()  # hold no transaction (and on SQLite no lock) while waiting
            barrier.wait()
            try:
                booking.book(
                    enterprise=enterprise,
                    service=svc,
                    start=start,
                    mode="onsite",
                    topic="labor",
                    lawyer=lawyer,
                    actor=actor,
                )
                db.session.commit()
                return "booked"
            except booking.SlotTaken:
                db.session.rollback()
                return "taken"

    return attempt


def outcome(app):
    """(appointments, units) in the database."""
    with app.app_context():
        return (
            db.session.scalar(select(func.count()).select_from(Appointment)),
            db.session.scalar(select(func.count()).select_from(BookingUnit)),
        )


@pytest.fixture(params=["with the friendly pre-check", "database constraint alone"])
def precheck(request, monkeypatch):
    """Run each race twice: as shipped, and with the Python pre-check disabled so only the key can stop it."""
    if request.param == "database constraint alone":
        monkeypatch.setattr(slot_rules, "fits", lambda service, start, taken: True)
    return request.param


def test_many_concurrent_bookings_of_one_slot_give_exactly_one(app, precheck):
    """8 threads book the same lawyer at the same time: one booking, seven SlotTaken."""
    lawyer_id, users = setup_people(app)
    start = at(future_weekday(2), "10:00")
    results = run_concurrently(
        [domain_attempt(app, lawyer_id, ent, uid, "consultation", start) for uid, ent, _ in users]
    )
    assert sorted(results) == ["booked"] + ["taken"] * (N - 1), results
    assert outcome(app) == (1, 1)


def test_overlapping_services_race_for_the_same_lawyer(app, precheck):
    """30' at 10:00 against 90' at 09:30 (which covers 10:00), four threads each: exactly one wins."""
    lawyer_id, users = setup_people(app)
    day = future_weekday(3)
    attempts = [
        domain_attempt(
            app,
            lawyer_id,
            ent,
            uid,
            "consultation" if i % 2 else "checkup",
            at(day, "10:00") if i % 2 else at(day, "09:30"),
        )
        for i, (uid, ent, _) in enumerate(users)
    ]
    results = run_concurrently(attempts)
    assert results.count("booked") == 1 and results.count("taken") == N - 1, results
    appointments, units = outcome(app)
    assert appointments == 1 and units in (1, 3)


def test_many_concurrent_http_bookings_get_one_success_and_the_taken_message(app):
    """8 signed-in enterprises POST /bookings/new for one slot at once: one 303, seven 422 with the message."""
    lawyer_id, users = setup_people(app)
    day = future_weekday(2)
    clients = [english(sign_in(app, email)) for _uid, _ent, email in users]
    form = {
        "service": "consultation",
        "start": iso(day, "10:00"),
        "lawyer_id": str(lawyer_id),
        "mode": "video",
        "topic": "labor",
        "description": "劳动合同续签与竞业限制",
    }

    def post(client):
        def attempt(barrier):
            barrier.wait()
            response = client.post("/bookings/new", data=form)
            text = response.get_data(as_text=True)
            if response.status_code == 303:
                return "booked"
            if response.status_code == 422 and "taken by someone else" in text and "劳动合同续签与竞业限制" in text:
                return "taken"
            return f"unexpected {response.status_code}"

        return attempt

    results = run_concurrently([post(c) for c in clients])
    assert sorted(results) == ["booked"] + ["taken"] * (N - 1), results
    assert outcome(app) == (1, 1)


def test_lawyers_racing_to_take_one_unassigned_request_assign_it_once(app):
    """8 lawyers confirm the same unassigned request at once: one takes it, the others are told; one lawyer's units."""
    with app.app_context():
        lawyer_ids = [working_lawyer().id for _ in range(N)]
        day = future_weekday(3)
        request = factories.appointment(
            service="contract_review", start=at(day, "10:00"), topic="contracts", status="requested"
        )  # no lawyer: an unassigned request
        db.session.commit()
        request_id = request.id

    results = run_concurrently(
        [action_attempt(app, i, request_id, booking.confirm, "took", "refused", Conflict) for i in lawyer_ids]
    )
    assert sorted(results) == ["refused"] * (N - 1) + ["took"], results
    with app.app_context():
        appointment = db.session.get(Appointment, request_id)
        holders = set(db.session.scalars(select(BookingUnit.lawyer_id)))
        assert appointment.status == "confirmed" and holders == {appointment.lawyer_id}
        assert db.session.scalar(select(func.count()).select_from(BookingUnit)) == 2


def test_reschedules_and_new_bookings_racing_for_one_slot_give_one_winner(app):
    """Four lawyers' reschedules and four new bookings aim at the same 14:00: exactly one gets it."""
    lawyer_id, users = setup_people(app)
    day = future_weekday(2)
    with app.app_context():
        lawyer = db.session.get(User, lawyer_id)
        existing = []
        for index, (_uid, ent, _email) in enumerate(users[:4]):
            appointment = factories.appointment(
                enterprise=db.session.get(Enterprise, ent),
                service="consultation",
                start=at(day, ["09:00", "09:30", "10:00", "10:30"][index]),
                lawyer=lawyer,
            )
            existing.append(appointment.id)
        db.session.commit()
    target = at(day, "14:00")

    def move(appointment, lawyer):
        booking.reschedule(appointment, lawyer, target, reason="调整")

    attempts = [action_attempt(app, lawyer_id, i, move, "booked", "taken", booking.SlotTaken) for i in existing] + [
        domain_attempt(app, lawyer_id, ent, uid, "consultation", target) for uid, ent, _ in users[4:]
    ]
    results = run_concurrently(attempts)
    assert sorted(results) == ["booked"] + ["taken"] * (N - 1), results
    with app.app_context():
        at_target = db.session.scalars(select(BookingUnit).where(BookingUnit.unit_start == target)).all()
        assert len(at_target) == 1
        live = db.session.scalar(
            select(func.count()).select_from(Appointment).where(Appointment.status.in_(("requested", "confirmed")))
        )
        moved = results.index("booked") < 4  # a move won: it kept its row, so no new booking is live
        assert live == (4 if moved else 5)
        assert db.session.scalar(select(func.count()).select_from(BookingUnit)) == live  # one unit each


@pytest.mark.parametrize("targets", [("14:00", "14:00", "14:00", "14:00"), ("14:00", "15:00", "16:00", "16:30")])
def test_concurrent_reschedules_of_one_booking_leave_it_whole(app, targets):
    """Four people move the same booking at once (to one slot, or to different ones): each move runs after the
    other (the row lock), the booking ends at one of the targets holding exactly its own units, and no unit is
    held twice."""
    lawyer_id, users = setup_people(app, 1)
    day = future_weekday(2)
    (user_id, enterprise_id, _email) = users[0]
    with app.app_context():
        appointment = factories.appointment(
            enterprise=db.session.get(Enterprise, enterprise_id),
            service="labor",
            start=at(day, "09:00"),
            lawyer=db.session.get(User, lawyer_id),
        )
        db.session.commit()
        booking_id = appointment.id

    def mover(hhmm):
        def move(appointment, user):
            booking.reschedule(appointment, user, at(day, hhmm), reason="调整时间")

        return move

    actors = [lawyer_id, user_id, lawyer_id, user_id]
    attempts = [
        action_attempt(app, who, booking_id, mover(hhmm), "moved", "refused", (booking.Invalid, booking.SlotTaken))
        for who, hhmm in zip(actors, targets, strict=True)
    ]
    results = run_concurrently(attempts)
    assert all(r in ("moved", "refused") for r in results), results
    with app.app_context():
        appointment = db.session.get(Appointment, booking_id)
        held = sorted(
            db.session.scalars(select(BookingUnit.unit_start).where(BookingUnit.appointment_id == booking_id))
        )
        assert held == [appointment.start_at, appointment.start_at + timedelta(minutes=30)]
        assert to_local(appointment.start_at).strftime("%H:%M") in targets
        assert db.session.scalar(select(func.count()).select_from(BookingUnit)) == 2
        assert len(appointment.moves) == results.count("moved") == appointment.sequence
        assert db.session.scalar(select(func.count()).select_from(Appointment)) == 1
