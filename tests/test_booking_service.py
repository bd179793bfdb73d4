"""The booking domain (parkportal.bookings.service): booking, every state change, bad input, notifications."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import current_app
from flask_babel import force_locale
from sqlalchemy import func, select

from parkportal.bookings import service as booking
from parkportal.bookings import vocab as booking_vocab
from parkportal.core.access import can_see
from parkportal.core.errors import Invalid, NotAllowed, WrongState
from parkportal.extensions import db
from parkportal.models import Appointment, AuditLog, BookingUnit, Feedback, Notification, OutboxMessage

from . import factories
from .booking_support import at, future_weekday, service, working_lawyer


def count(model, *where):
    """Rows of ``model`` (matching ``where``)."""
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def units(appointment):
    """The unit starts the appointment holds."""
    return db.session.scalars(select(BookingUnit.unit_start).where(BookingUnit.appointment_id == appointment.id)).all()


@pytest.fixture
def people(ctx):
    """A working lawyer, an enterprise with a user, and staff."""
    lawyer = working_lawyer()
    user = factories.enterprise_user()
    return {"lawyer": lawyer, "user": user, "enterprise": user.enterprise, "staff": factories.staff()}


def make(people, hhmm="10:00", code="consultation", day=None, now=None, confirm=None, **kw):
    """Book through the domain as the enterprise user; a consultation is then confirmed by its lawyer.

    ``confirm`` (default: for consultations) has the lawyer confirm a requested booking at once.
    """
    appointment = factories.appointment(
        enterprise=people["enterprise"],
        service=code,
        start=at(day or future_weekday(2), hhmm),
        lawyer=kw.pop("lawyer", people["lawyer"]),
        actor=people["user"],
        now=now,
        description=kw.pop("description", "劳动合同续签与竞业限制"),
        **kw,
    )
    if (code == "consultation" if confirm is None else confirm) and appointment.status == "requested":
        booking.confirm(appointment, appointment.lawyer, now=now)
    return appointment


def test_service_without_confirmation_is_confirmed_and_tells_the_lawyer_with_ics(people):
    """Labour advice is confirmed at once, holds its units, is audited and reaches the lawyer with an .ics."""
    appointment = make(people, code="labor")
    assert appointment.status == "confirmed" and appointment.confirmed_at is not None
    assert len(units(appointment)) == 2
    assert count(AuditLog, AuditLog.action == "booking.created", AuditLog.object_id == appointment.id) == 1
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == people["lawyer"].email))
    assert mail.attachment_name == f"booking-{appointment.id}.ics" and b"BEGIN:VEVENT" in mail.attachment
    assert count(Notification, Notification.user_id == people["lawyer"].id) == 1
    assert count(Notification, Notification.user_id == people["user"].id) == 0  # the actor isn't told


def test_service_needing_confirmation_is_requested_and_holds_its_time(people):
    """A 90' checkup starts requested and already holds three units."""
    appointment = make(people, code="checkup")
    assert appointment.status == "requested"
    assert len(units(appointment)) == 3
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == people["lawyer"].email))
    assert mail.attachment is None


def test_the_booking_email_speaks_the_recipients_language_with_its_punctuation(people, app):
    """An English-speaking lawyer's e-mail has "Label: value" lines, the time range in Beijing time, the number."""
    people["lawyer"].locale = "en"
    appointment = make(people, "10:00")
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == people["lawyer"].email))
    day = future_weekday(2).isoformat()
    assert mail.subject == f"New booking request: Legal consultation, {day} 10:00 (#{appointment.id})"
    assert "\nService: Legal consultation\n" in mail.body_text
    assert f"\nWhen: {day} 10:00–10:30 (Beijing time)\n" in mail.body_text
    address = app.config["SERVICE_STATION_ADDRESS_EN"]  # the English address in an English e-mail
    assert "\nHow: On site at the park service station\n" in mail.body_text
    assert f"At the park service station: {address}, {app.config['PARK_NAME_EN']}." in mail.body_text
    assert f"Station phone: {app.config['SERVICE_STATION_PHONE']}" in mail.body_text
    assert f"{day} 10:00–10:30 (Beijing time)</td>" in mail.body_html


def test_stored_in_utc_and_read_back_aware(people):
    """10:00 in Shanghai is stored as 02:00 UTC and comes back aware."""
    appointment = make(people, "10:00")
    db.session.expire_all()
    stored = db.session.get(Appointment, appointment.id)
    assert stored.start_at.utcoffset() == timedelta(0) and stored.start_at.hour == 2


BAD_INPUT = {
    "past": lambda p: {"start": at(future_weekday(2), "10:00") - timedelta(days=21)},
    "lead time": lambda p: {"now": at(future_weekday(2), "09:00")},
    "horizon": lambda p: {"start": at(future_weekday(2, weeks_ahead=10), "10:00")},
    "off the grid": lambda p: {"start": at(future_weekday(2), "10:15")},
    "outside availability": lambda p: {"start": at(future_weekday(2), "18:00")},
    "weekend": lambda p: {"start": at(future_weekday(6), "10:00")},
    "missing service": lambda p: {"service": None},
    "inactive service": lambda p: {"service": _inactive(service("dispute"))},
    "mode not offered": lambda p: {"service": service("checkup"), "mode": "phone"},
    "unknown mode": lambda p: {"mode": "carrier-pigeon"},
    "unknown topic": lambda p: {"topic": "astrology"},
    "not a lawyer": lambda p: {"lawyer": p["staff"]},
    "no enterprise": lambda p: {"enterprise": None},
    "pending enterprise": lambda p: {"enterprise": factories.enterprise(status="pending")},
}


def _inactive(svc):
    svc.active = False
    return svc


@pytest.mark.parametrize("case", BAD_INPUT)
def test_bad_input_gives_a_message_and_changes_nothing(people, case):
    """Each kind of bad input raises BookingError with a message; no appointment, unit or mail is written."""
    values = {
        "enterprise": people["enterprise"],
        "service": service("consultation"),
        "start": at(future_weekday(2), "10:00"),
        "mode": "onsite",
        "topic": "labor",
        "lawyer": people["lawyer"],
        "actor": people["user"],
    }
    values.update(BAD_INPUT[case](people))
    with pytest.raises(Invalid) as raised:
        booking.book(**values)
    assert raised.value.message and not isinstance(raised.value, booking.SlotTaken)
    assert count(Appointment) == count(BookingUnit) == count(OutboxMessage) == 0


def test_a_taken_or_overlapping_time_raises_slot_taken(people):
    """The same start, or a longer service overlapping it, is refused as taken."""
    make(people, "10:00")
    with pytest.raises(booking.SlotTaken):
        make(people, "10:00")
    with pytest.raises(booking.SlotTaken):
        make(people, "09:30", code="checkup")  # 09:30–11:00 overlaps 10:00–10:30
    assert count(Appointment) == 1 and count(BookingUnit) == 1


def test_any_lawyer_gets_the_specialist(people):
    """Without a lawyer the booking goes to a lawyer with the topic as specialty."""
    specialist = working_lawyer(specialties="ip")
    appointment = make(people, lawyer=None, topic="ip", code="consultation")
    assert appointment.lawyer_id == specialist.id


def test_confirm_tells_the_enterprise_with_ics_and_only_once(people):
    """The lawyer confirms a request; confirming again is a wrong-state error."""
    appointment = make(people, code="checkup")
    booking.confirm(appointment, people["lawyer"])
    assert appointment.status == "confirmed"
    mails = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient == people["user"].email).order_by(OutboxMessage.id)
    ).all()
    assert len(mails) == 2 and mails[0].attachment_name is None  # its own request's copy, then the confirmation
    assert mails[1].attachment_name.endswith(".ics")
    with pytest.raises(WrongState):
        booking.confirm(appointment, people["lawyer"])


def test_a_lawyer_takes_an_unassigned_request_and_its_time_is_reserved(people):
    """Confirming an unassigned request assigns the lawyer and reserves the units — refused if they overlap."""
    day = future_weekday(3)
    free, clash = (  # no lawyer: unassigned requests
        factories.appointment(
            enterprise=people["enterprise"],
            service="contract_review",
            start=at(day, hhmm),
            topic="contracts",
            status="requested",
        )
        for hhmm in ("10:00", "14:00")
    )
    other = working_lawyer()
    assert can_see(free, other) and booking.may(other, "confirm", free)
    booking.confirm(free, people["lawyer"])
    assert free.lawyer_id == people["lawyer"].id and len(units(free)) == 2
    assert not can_see(free, other)  # assigned now: only that lawyer sees it
    make(people, "14:30", day=day)
    with pytest.raises(booking.SlotTaken):
        booking.confirm(clash, people["lawyer"])
    db.session.refresh(clash)
    assert clash.lawyer_id is None and clash.status == "requested" and units(clash) == []


def test_decline_gives_the_reason_and_frees_the_time(people):
    """Declining stores the lawyer's reason for the enterprise and frees the request's units."""
    appointment = make(people, code="checkup")
    assert len(units(appointment)) == 3
    booking.decline(appointment, people["lawyer"], "利益冲突")
    assert appointment.status == "declined" and appointment.decline_reason == "利益冲突" and units(appointment) == []


def test_decline_without_a_reason_still_tells_the_enterprise_something(people):
    """A bare decline (the contract's POST has no fields) stores a general explanation, never an empty reason."""
    appointment = make(people, code="checkup")
    booking.decline(appointment, people["lawyer"], "  ")
    assert appointment.status == "declined" and units(appointment) == []
    assert appointment.decline_reason and appointment.decline_reason.strip()


def test_enterprise_cancels_before_the_cutoff_but_not_after(people):
    """Cancelling frees the time until 4 hours before; later the enterprise is told to phone, staff still can."""
    day = future_weekday(2)
    early = make(people, "10:00", day=day)
    booking.cancel(early, people["user"], now=at(day, "06:00"))
    assert early.status == "cancelled" and units(early) == []
    late = make(people, "11:00", day=day)
    with pytest.raises(Invalid) as raised:
        booking.cancel(late, people["user"], now=at(day, "07:30"))
    assert "4" in raised.value.message and late.status == "confirmed" and len(units(late)) == 1
    booking.cancel(late, people["staff"], now=at(day, "10:30"))
    assert late.status == "cancelled"


def test_complete_only_after_the_start_with_a_summary(people):
    """Completing needs the start to have passed; the summary and private notes are kept."""
    day = future_weekday(2)
    appointment = make(people, "10:00", day=day)
    with pytest.raises(WrongState):
        booking.complete(appointment, people["lawyer"], "总结", now=at(day, "09:00"))
    assert appointment.status == "confirmed"
    booking.complete(appointment, people["lawyer"], "建议续签", "内部备注", now=at(day, "10:40"))
    assert (appointment.status, appointment.summary, appointment.private_notes) == ("completed", "建议续签", "内部备注")
    assert len(units(appointment)) == 1  # the time was used


def test_complete_needs_a_summary(people):
    """The summary is sent to the enterprise, so completing without one is refused on the summary field."""
    day = future_weekday(2)
    appointment = make(people, "10:00", day=day)
    with pytest.raises(Invalid) as raised:
        booking.complete(appointment, people["lawyer"], "  ", now=at(day, "10:40"))
    assert raised.value.field == "summary" and appointment.status == "confirmed"


def test_the_lawyer_adds_to_the_summary_later_audited_and_the_enterprise_told(people):
    """A completed appointment's summary grows by a dated addition; it is audited and the enterprise hears of it."""
    day = future_weekday(2)
    appointment = make(people, "10:00", day=day)
    booking.complete(appointment, people["lawyer"], "建议续签", now=at(day, "10:40"))
    before = count(Notification, Notification.user_id == people["user"].id)
    with pytest.raises(Invalid):
        booking.add_to_summary(appointment, people["lawyer"], " ", now=at(day, "12:00"))
    booking.add_to_summary(appointment, people["lawyer"], "补充：请准备社保缴纳记录", now=at(day, "12:00"))
    assert appointment.summary.startswith("建议续签") and "补充：请准备社保缴纳记录" in appointment.summary
    assert count(AuditLog, AuditLog.action == "booking.summary_added") == 1
    assert count(Notification, Notification.user_id == people["user"].id) == before + 1
    with pytest.raises(NotAllowed):
        booking.add_to_summary(appointment, people["user"], "企业不能补充", now=at(day, "12:00"))


def test_no_show_after_the_start(people):
    """A no-show is recorded once the appointment has started."""
    day = future_weekday(2)
    appointment = make(people, "10:00", day=day)
    with pytest.raises(WrongState):
        booking.mark_no_show(appointment, people["lawyer"], now=at(day, "08:00"))
    booking.mark_no_show(appointment, people["lawyer"], now=at(day, "10:20"))
    assert appointment.status == "no_show"


def test_reschedule_moves_the_same_booking_and_keeps_its_history(people):
    """The booking keeps its id: its units move (overlapping its own old time is fine), a move row records
    from/to, by whom and why, and the calendar sequence grows."""
    old = make(people, "10:00", code="checkup", confirm=True)
    ident, sequence = old.id, old.sequence
    moved = booking.reschedule(old, people["staff"], at(future_weekday(2), "10:30"), reason="律师临时出庭")
    assert moved is old and moved.id == ident and count(Appointment) == 1
    assert sorted(units(moved)) == [at(future_weekday(2), t) for t in ("10:30", "11:00", "11:30")]
    assert moved.status == "confirmed" and moved.sequence == sequence + 1
    (move,) = moved.moves
    assert (move.from_start, move.to_start, move.reason) == (
        at(future_weekday(2), "10:00"),
        moved.start_at,
        "律师临时出庭",
    )
    assert count(AuditLog, AuditLog.action == "booking.rescheduled") == 1


def test_a_lawyer_moves_with_a_reason_and_the_move_waits_for_the_enterprise(people):
    """A lawyer must say why; the moved booking is requested and awaits the enterprise, who accepts (confirmed)
    or cancels it; the lawyer can't confirm it himself."""
    appointment = make(people, "10:00")
    with pytest.raises(Invalid) as raised:
        booking.reschedule(appointment, people["lawyer"], at(future_weekday(2), "14:00"))
    assert raised.value.field == "reason" and appointment.start_at == at(future_weekday(2), "10:00")
    booking.reschedule(appointment, people["lawyer"], at(future_weekday(2), "14:00"), reason="上午开庭")
    assert appointment.status == "requested" and appointment.awaiting_enterprise
    assert "confirm" not in booking.available_actions(people["lawyer"], appointment)
    assert "accept" in booking.available_actions(people["user"], appointment)
    with pytest.raises(WrongState):
        booking.confirm(appointment, people["lawyer"])
    booking.accept(appointment, people["user"])
    assert appointment.status == "confirmed" and not appointment.awaiting_enterprise
    assert count(AuditLog, AuditLog.action == "booking.accepted") == 1


def test_the_enterprise_moves_its_own_booking_until_the_cutoff(people):
    """The enterprise moves its booking (no reason needed, stays confirmed) but not within the cut-off,
    where the refusal gives the station's phone; a moved booking is never shown as cancelled."""
    day = future_weekday(2)
    appointment = make(people, "10:00", day=day)
    booking.reschedule(appointment, people["user"], at(day, "15:00"), now=at(day, "06:00"))
    assert appointment.status == "confirmed" and not appointment.awaiting_enterprise
    with pytest.raises(Invalid) as raised:
        booking.reschedule(appointment, people["user"], at(day, "16:00"), now=at(day, "13:00"))
    assert current_app.config["SERVICE_STATION_PHONE"] in raised.value.message
    assert count(Appointment, Appointment.status == "cancelled") == 0


def test_reschedule_into_a_taken_time_changes_nothing(people):
    """Moving onto another booking raises SlotTaken and the old booking keeps its time."""
    blocker = make(people, "14:00")
    old = make(people, "10:00")
    with pytest.raises(booking.SlotTaken):
        booking.reschedule(old, people["staff"], blocker.start_at, reason="调整")
    db.session.refresh(old)
    assert old.status == "confirmed" and len(units(old)) == 1 and count(Appointment) == 2
    assert old.start_at == at(future_weekday(2), "10:00") and old.moves == [] and old.sequence == 1


def test_rate_completed_services_and_change_it_for_seven_days(people):
    """The enterprise rates a completed service on the five 好差评 levels (5..1); it can change the rating for
    7 days, then no more; before completion or off the scale is refused."""
    day = future_weekday(2)
    appointment = make(people, "10:00", day=day)
    with pytest.raises(WrongState):
        booking.rate(appointment, people["user"], 5)
    booking.complete(appointment, people["lawyer"], "总结", now=at(day, "10:30"))
    for wrong in (6, 0):
        with pytest.raises(Invalid):
            booking.rate(appointment, people["user"], wrong)
    rated_at = at(day, "11:00")
    feedback = booking.rate(appointment, people["user"], 4, "很专业", now=rated_at)
    assert feedback.rating == 4 and feedback.comment == "很专业"
    again = booking.rate(appointment, people["user"], 2, "等待太久", now=rated_at + timedelta(days=6))
    assert again is feedback and (feedback.rating, feedback.comment) == (2, "等待太久")
    with pytest.raises(WrongState):
        booking.rate(appointment, people["user"], 5, now=rated_at + timedelta(days=8))
    assert feedback.rating == 2 and count(Feedback) == 1
    assert list(booking_vocab.RATINGS) == [5, 4, 3, 2, 1]
    with force_locale("zh_CN"):
        assert [str(v) for v in booking_vocab.RATINGS.values()] == [
            "非常满意",
            "满意",
            "基本满意",
            "不满意",
            "非常不满意",
        ]


def test_reminders_are_queued_once_for_confirmed_bookings_within_24_hours(people):
    """send-reminders' domain: confirmed bookings starting within 24 h get one reminder, never a second."""
    day = future_weekday(2)
    soon = make(people, "10:00", day=day)
    requested = make(people, "13:00", day=day, code="checkup")
    later = make(people, "10:00", day=day + timedelta(days=1))
    now = at(day, "09:00") - timedelta(hours=20)
    before = db.session.scalar(select(func.max(OutboxMessage.id)))
    assert booking.queue_reminders(now) == 1
    assert soon.reminder_queued_at is not None and requested.reminder_queued_at is None
    assert later.reminder_queued_at is None
    assert booking.queue_reminders(now + timedelta(minutes=5)) == 0
    reminders = db.session.scalars(select(OutboxMessage).where(OutboxMessage.id > before)).all()
    assert {m.recipient for m in reminders} == {people["user"].email, people["lawyer"].email}
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):  # the recipients' language
        headline = str(booking.HEADLINES["reminder"])
    assert all(headline in m.subject and m.attachment_name == f"booking-{soon.id}.ics" for m in reminders)


def test_every_change_is_in_the_audit_log_and_tells_the_other_party(people):
    """Book, confirm, reschedule, complete, rate, cancel and decline each write an audit entry and a notification."""
    day = future_weekday(2)
    lawyer, user, staff = people["lawyer"], people["user"], people["staff"]
    first = make(people, "09:00", code="checkup", day=day)
    booking.confirm(first, lawyer)
    moved = booking.reschedule(first, staff, at(day, "13:00"), reason="调整时间")
    booking.complete(moved, lawyer, "总结", now=at(day, "13:30"))
    booking.rate(moved, user, 5)
    second = make(people, "16:00", day=day, confirm=False)
    booking.cancel(second, staff)
    third = make(people, "09:00", code="dispute", day=day + timedelta(days=1))
    booking.decline(third, lawyer, "利益冲突")
    actions = db.session.scalars(select(AuditLog.action).order_by(AuditLog.id)).all()
    assert actions == [
        "booking.created",
        "booking.confirmed",
        "booking.rescheduled",
        "booking.completed",
        "booking.rated",
        "booking.created",
        "booking.cancelled",
        "booking.created",
        "booking.declined",
    ]
    texts_to_user = db.session.scalars(select(Notification.text).where(Notification.user_id == user.id)).all()
    assert len(texts_to_user) == 5  # confirmed, rescheduled, completed, cancelled (by staff), declined
    assert count(Notification, Notification.user_id == lawyer.id) == 6  # 3 bookings, staff's move, rating, cancel
