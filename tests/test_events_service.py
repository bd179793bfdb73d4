"""The events domain: creating events, sign-up with capacity and waitlist, cancellation and promotion, check-in,
walk-ins, ratings, reach and reminders — called directly, as the views do."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from parkportal.core.errors import Conflict, Invalid, NotAllowed, WrongState
from parkportal.events import service
from parkportal.extensions import db
from parkportal.models import AuditLog, Event, Notification, OutboxMessage, Registration
from parkportal.timeutil import local_datetime, local_today, to_local, utcnow

from . import factories
from .event_support import make_event, registered


@pytest.fixture(autouse=True)
def english_messages(ctx):
    """Refusals are asserted in English (e-mails still go out in each recipient's language)."""
    with force_locale("en"):
        yield


def values(**overrides) -> service.EventValues:
    """Valid event values: a lecture a fortnight ahead."""
    start = utcnow().replace(second=0, microsecond=0) + timedelta(days=14)
    data = {
        "title": "新《公司法》解读",
        "description": "注册资本**五年实缴**",
        "category": "lecture",
        "topics": ["company_law"],
        "start": start,
        "end": start + timedelta(hours=2),
        "location": "园区综合服务中心三楼报告厅",
        "online_url": "",
        "capacity": 50,
        "seats_per_enterprise": 2,
        "registration_deadline": None,
        "status": "published",
        "speakers": [],
    }
    data.update(overrides)
    return service.EventValues(**data)


def user_of(enterprise=None, **kwargs):
    """An active user of ``enterprise`` (a new verified one by default)."""
    return factories.enterprise_user(enterprise, **kwargs)


# ----------------------------------------------------------------------------------------------- events


def test_staff_create_an_event_with_topics_and_speakers(ctx):
    """An event keeps its topics, speakers and the deadline defaults to the start; the creation is audited."""
    staff, lawyer = factories.staff(), factories.lawyer()
    event = service.save_event(values(topics=["company_law", "contracts"], speakers=[lawyer]), staff)
    assert event.topics == ["company_law", "contracts"] and event.speakers == [lawyer]
    assert event.registration_deadline == event.start_at and event.status == "published"
    assert db.session.scalar(select(AuditLog.action).where(AuditLog.object_id == event.id)) == "event.created"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": " "}, "title"),
        ({"category": "party"}, "category"),
        ({"topics": []}, "topics"),
        ({"topics": ["astrology"]}, "topics"),
        ({"start": None}, "start"),
        ({"end": None}, "end"),
        ({"location": "", "online_url": ""}, "location"),
        ({"online_url": "javascript:alert(1)"}, "online_url"),
        ({"capacity": 0}, "capacity"),
        ({"seats_per_enterprise": 0}, "seats_per_enterprise"),
        ({"capacity": 2, "seats_per_enterprise": 3}, "seats_per_enterprise"),
        ({"status": "cancelled"}, "status"),
    ],
)
def test_event_rules_name_the_field(ctx, change, field):
    """Each broken rule is refused with the field it is about, and nothing is written."""
    with pytest.raises(Invalid) as caught:
        service.save_event(values(**change), factories.staff())
    assert caught.value.field == field
    assert db.session.scalar(select(func.count()).select_from(Event)) == 0


def test_end_before_start_and_deadline_after_start_are_refused(ctx):
    """The end lies after the start; registration closes before the event starts."""
    v = values()
    with pytest.raises(Invalid) as caught:
        service.save_event(values(end=v.start - timedelta(hours=1)), factories.staff())
    assert caught.value.field == "end"
    with pytest.raises(Invalid) as caught:
        service.save_event(values(registration_deadline=v.start + timedelta(hours=1)), factories.staff())
    assert caught.value.field == "registration_deadline"


def test_only_staff_create_events(ctx):
    """An enterprise user or a lawyer can't create events."""
    for person in (user_of(), factories.lawyer()):
        with pytest.raises(NotAllowed):
            service.save_event(values(), person)


def test_capacity_can_not_drop_below_the_seats_taken(ctx):
    """Lowering the capacity under what is taken is refused; raising it promotes the waitlist."""
    staff = factories.staff()
    event = service.save_event(values(capacity=2, seats_per_enterprise=2), staff)
    first = service.register(event, None, 2, "张三\n李四", user_of())
    waiting = service.register(event, None, 1, "王五", user_of())
    assert (first.status, waiting.status) == ("registered", "waitlisted")
    with pytest.raises(Invalid) as caught:
        service.save_event(values(capacity=1, seats_per_enterprise=1), staff, event)
    assert caught.value.field == "capacity"
    service.save_event(values(capacity=3, seats_per_enterprise=2), staff, event)
    assert waiting.status == "registered" and event.seats_taken == 3 and event.sequence == 1


def test_moving_an_event_tells_everyone_signed_up_with_the_new_calendar_entry(ctx):
    """A new time or place reaches the registered and the waiting (e-mail with the .ics at the next SEQUENCE);
    a change of title or capacity alone tells nobody, and the staff member who made it is not told."""
    staff = factories.staff()
    event = service.save_event(values(capacity=1, seats_per_enterprise=1), staff)
    seated_user, waiting_user = user_of(), user_of()
    service.register(event, None, 1, "张三", seated_user)
    service.register(event, None, 1, "李四", waiting_user)
    db.session.query(Notification).delete()
    db.session.query(OutboxMessage).delete()

    service.save_event(values(capacity=1, seats_per_enterprise=1, title="新《公司法》要点"), staff, event)
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 0

    later = event.start_at + timedelta(days=1)
    service.save_event(
        values(capacity=1, seats_per_enterprise=1, start=later, end=later + timedelta(hours=2)), staff, event
    )
    told = set(db.session.scalars(select(Notification.user_id)))
    assert told == {seated_user.id, waiting_user.id}
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == seated_user.email))
    assert mail.attachment_name == f"event-{event.id}.ics" and b"SEQUENCE:2" in mail.attachment
    assert to_local(later).strftime("%Y%m%dT%H%M") in mail.attachment.decode()


# ------------------------------------------------------------------------------------------------ sign-up


def test_sign_up_until_full_then_waitlist(ctx):
    """Registrations take seats until the capacity; the next ones wait, in order of arrival."""
    event = make_event(capacity=3, seats_per_enterprise=2)
    results = [service.register(event, None, n, "张三、李四"[: 2 * n], user_of()) for n in (2, 1, 1, 1)]
    assert [r.status for r in results] == ["registered", "registered", "waitlisted", "waitlisted"]
    assert [r.position for r in results] == [1, 2, 3, 4]
    assert event.seats_taken == 3 and event.places_left == 0


def test_no_capacity_means_everyone_is_registered(ctx):
    """Without a capacity there is no waitlist."""
    event = make_event(capacity=None)
    assert all(service.register(event, None, 1, "张三", user_of()).status == "registered" for _ in range(5))
    assert event.places_left is None


def test_a_newcomer_queues_behind_the_waitlist_even_if_it_would_fit(ctx):
    """A party of one does not jump a waiting party of two: first come, first served."""
    event = make_event(capacity=3, seats_per_enterprise=2)
    service.register(event, None, 2, "甲\n乙", user_of())
    waiting = service.register(event, None, 2, "丙\n丁", user_of())
    late = service.register(event, None, 1, "戊", user_of())
    assert (waiting.status, late.status) == ("waitlisted", "waitlisted")


@pytest.mark.parametrize(
    ("event_kwargs", "message"),
    [
        ({"status": "draft"}, "not published"),
        ({"status": "cancelled"}, "cancelled"),
        ({"starts_in": timedelta(hours=-1)}, "started"),
    ],
)
def test_no_sign_up_for_draft_cancelled_or_started_events(ctx, event_kwargs, message):
    """Draft, cancelled and started events refuse sign-ups with a clear message; nothing is written."""
    event = make_event(**event_kwargs)
    with pytest.raises(WrongState, match=message):
        service.register(event, None, 1, "张三", user_of())
    assert event.arrivals == 0 and db.session.scalar(select(func.count()).select_from(Registration)) == 0


def test_no_sign_up_after_the_deadline(ctx):
    """After the registration deadline the message says when it closed."""
    event = make_event(deadline=utcnow() - timedelta(minutes=1))
    with pytest.raises(WrongState, match="Registration closed on"):
        service.register(event, None, 1, "张三", user_of())


def test_one_registration_per_enterprise(ctx):
    """A second sign-up of the same enterprise (another of its users) is refused; the first stays."""
    event = make_event()
    first = user_of()
    service.register(event, None, 1, "张三", first)
    colleague = user_of(first.enterprise)
    with pytest.raises(Conflict, match="registered for this event already"):
        service.register(event, None, 1, "李四", colleague)
    assert event.seats_taken == 1 and event.arrivals == 1


@pytest.mark.parametrize(
    ("attendees", "names", "field"),
    [(4, "甲\n乙\n丙\n丁", "attendees"), (0, "甲", "attendees"), (None, "甲", "attendees"), (1, "", "names"),
     (1, "甲\n乙", "names")],
)  # fmt: skip
def test_party_rules(ctx, attendees, names, field):
    """At most the per-enterprise limit, at least one person, names given and not more than the attendees."""
    event = make_event(seats_per_enterprise=3)
    with pytest.raises(Invalid) as caught:
        service.register(event, None, attendees, names, user_of())
    assert caught.value.field == field and event.seats_taken == 0


def test_names_are_split_at_lines_commas_and_enumeration_marks():
    """张三、李四，王五 and one a line all give three names."""
    assert service.split_names("张三、李四，王五") == ["张三", "李四", "王五"]
    assert service.split_names("Zhang San\nLi Si\n\n") == ["Zhang San", "Li Si"]


def test_unverified_enterprises_and_lawyers_can_not_sign_up(ctx):
    """Sign-ups wait for verification; lawyers have no enterprise to sign up."""
    event = make_event()
    with pytest.raises(Invalid, match="verified"):
        service.register(event, None, 1, "张三", user_of(status="pending"))
    with pytest.raises(NotAllowed):
        service.register(event, factories.enterprise(), 1, "张三", factories.lawyer())


def test_staff_register_an_enterprise_on_its_behalf_and_it_is_told(ctx):
    """Staff sign up a chosen enterprise; its users get a notification and an e-mail; the audit says on behalf."""
    event = make_event()
    member = user_of()
    registration = service.register(event, member.enterprise, 2, "张三\n李四", factories.staff())
    assert registration.status == "registered" and registration.enterprise_id == member.enterprise_id
    assert db.session.scalar(select(func.count()).select_from(Notification).where(Notification.user_id == member.id))
    assert db.session.scalar(
        select(func.count()).select_from(OutboxMessage).where(OutboxMessage.recipient == member.email)
    )
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "event.registered"))
    assert entry.details["on_behalf"] is True


def test_staff_must_choose_an_enterprise(ctx):
    """Staff without an enterprise get the message on the enterprise field."""
    with pytest.raises(Invalid) as caught:
        service.register(make_event(), None, 1, "张三", factories.staff())
    assert caught.value.field == "enterprise_id"


# --------------------------------------------------------------------------------- cancel and promotion


def test_cancelling_promotes_the_first_on_the_waitlist_and_tells_it(ctx):
    """A freed place goes to the first waiting (not the later one), who is told in-app and by e-mail."""
    event = make_event(capacity=2, seats_per_enterprise=2)
    leaving = service.register(event, None, 1, "甲", user_of())
    service.register(event, None, 1, "乙", user_of())
    first_user, second_user = user_of(), user_of()
    first = service.register(event, None, 1, "丙", first_user)
    second = service.register(event, None, 1, "丁", second_user)
    service.cancel_registration(leaving, user_of(leaving.enterprise))
    assert leaving.status == "cancelled" and leaving.seats_held == 0
    assert (first.status, second.status) == ("registered", "waitlisted")
    assert first.promoted_at is not None and event.seats_taken == 2
    note = db.session.scalar(select(Notification.text).where(Notification.user_id == first_user.id))
    assert event.title in note
    assert (
        db.session.scalar(select(func.count()).select_from(Notification).where(Notification.user_id == second_user.id))
        == 0
    )


def test_a_cancelled_enterprise_can_sign_up_again_at_the_end_of_the_queue(ctx):
    """Signing up again after cancelling reuses the one row and takes a new place in the order."""
    event = make_event(capacity=5)
    user = user_of()
    registration = service.register(event, None, 1, "张三", user)
    service.cancel_registration(registration, user)
    again = service.register(event, None, 2, "张三\n李四", user)
    assert again.id == registration.id and again.status == "registered" and again.position == 2
    assert event.seats_taken == 2


def test_leaving_the_waitlist_frees_nothing(ctx):
    """Cancelling a waitlisted registration leaves the seats as they were."""
    event = make_event(capacity=1, seats_per_enterprise=1)
    service.register(event, None, 1, "甲", user_of())
    user = user_of()
    waiting = service.register(event, None, 1, "乙", user)
    service.cancel_registration(waiting, user)
    assert waiting.status == "cancelled" and event.seats_taken == 1


def test_another_enterprise_can_not_cancel_and_nobody_cancels_twice(ctx):
    """Only the enterprise itself (or staff) cancels; a cancelled registration can't be cancelled again."""
    event = make_event()
    user = user_of()
    registration = service.register(event, None, 1, "张三", user)
    with pytest.raises(NotAllowed):
        service.cancel_registration(registration, user_of())
    service.cancel_registration(registration, user)
    with pytest.raises(WrongState):
        service.cancel_registration(registration, user)


def test_no_cancelling_once_the_event_has_started(ctx):
    """The enterprise can't cancel a started event online."""
    event = make_event(starts_in=timedelta(hours=-1))
    user = user_of()
    registration = registered(event, user.enterprise)
    with pytest.raises(WrongState, match="started"):
        service.cancel_registration(registration, user)


def test_cancelling_an_event_tells_everyone_registered_or_waiting(ctx):
    """Every registered and waitlisted enterprise's users hear of the cancellation with the reason; it is audited."""
    event = make_event(capacity=1, seats_per_enterprise=1)
    users = [user_of() for _ in range(3)]
    for user in users:
        service.register(event, None, 1, "张三", user)
    service.cancel_event(event, factories.staff(), "讲师临时出差")
    assert event.status == "cancelled" and event.sequence == 1
    for user in users:
        mail = db.session.scalar(
            select(OutboxMessage).where(OutboxMessage.recipient == user.email).order_by(OutboxMessage.id.desc())
        )
        assert "讲师临时出差" in mail.body_text
    assert db.session.scalar(select(AuditLog.action).where(AuditLog.action == "event.cancelled"))
    with pytest.raises(WrongState):
        service.cancel_event(event, factories.staff())


# ---------------------------------------------------------------------------------------------- check-in


def test_check_in_marks_attended_with_the_count_and_can_be_corrected(ctx):
    """One check-in marks attended and how many came; a second one corrects the count, keeping the time."""
    event = make_event(starts_in=timedelta(minutes=30))
    registration = registered(event, attendees=3)
    staff = factories.staff()
    service.check_in(registration, staff, 2)
    first_time = registration.checked_in_at
    assert (registration.status, registration.attended_count) == ("attended", 2)
    service.check_in(registration, staff, 3)
    assert registration.attended_count == 3 and registration.checked_in_at == first_time


def test_check_in_rules(ctx):
    """Counts are 1–200; a cancelled registration is refused; check-in opens the day before and closes after."""
    staff = factories.staff()
    soon = make_event(starts_in=timedelta(minutes=30))
    with pytest.raises(Invalid):
        service.check_in(registered(soon), staff, 0)
    with pytest.raises(WrongState, match="walk-in"):
        service.check_in(registered(soon, status="cancelled"), staff, 1)
    with pytest.raises(WrongState, match="opens"):
        service.check_in(registered(make_event(starts_in=timedelta(days=3))), staff, 1)
    with pytest.raises(WrongState, match="closed"):
        service.check_in(registered(make_event(starts_in=timedelta(days=-3))), staff, 1)
    with pytest.raises(NotAllowed):
        service.check_in(registered(soon), user_of(), 1)


def test_walk_ins_take_no_place_and_registered_walk_ins_use_their_registration(ctx):
    """An unregistered enterprise is checked in as a walk-in; a registered one on its own registration."""
    event = make_event(starts_in=timedelta(minutes=-10), capacity=1, seats_per_enterprise=1)
    staff = factories.staff()
    walk_in = service.add_walk_in(event, factories.enterprise(), 4, "甲、乙", staff)
    assert walk_in.walk_in and walk_in.status == "attended" and walk_in.seats_held == 0 and event.seats_taken == 0
    mine = registered(event)
    again = service.add_walk_in(event, mine.enterprise, 1, "", staff)
    assert again.id == mine.id and again.status == "attended" and not again.walk_in


# --------------------------------------------------------------------------------------- after the event


def test_attending_enterprises_rate_once_after_the_event(ctx):
    """An attending enterprise rates 1–5 once the event is over; a second rating is refused."""
    event = make_event(starts_in=timedelta(days=-1))
    user = user_of()
    registration = registered(event, user.enterprise, status="attended", attended_count=1)
    with pytest.raises(Invalid):
        service.rate(registration, user, 6)
    service.rate(registration, user, 5)
    assert registration.rating == 5
    with pytest.raises(WrongState, match="already"):
        service.rate(registration, user, 4)
    assert db.session.get(Registration, registration.id).rating == 5


def test_only_attended_registrations_of_ended_events_can_be_rated(ctx):
    """Registered-but-absent enterprises and running events can't be rated; nor someone else's."""
    past = make_event(starts_in=timedelta(days=-1))
    user = user_of()
    with pytest.raises(WrongState):
        service.rate(registered(past, user.enterprise), user, 4)
    running = make_event(starts_in=timedelta(minutes=-10))
    other = user_of()
    attended = registered(running, other.enterprise, status="attended", attended_count=1)
    with pytest.raises(WrongState, match="over"):
        service.rate(attended, other, 4)
    with pytest.raises(NotAllowed):
        service.rate(attended, user, 4)


def test_reach_counts_attending_enterprises_and_people(ctx):
    """People reached = the head counts of checked-in registrations; enterprises = their number."""
    event = make_event(starts_in=timedelta(days=-1))
    registered(event, status="attended", attended_count=3, rating=4)
    registered(event, status="attended", attended_count=2, walk_in=True, rating=2)
    registered(event, status="registered")
    other = make_event(starts_in=timedelta(days=-2))
    found = service.reach([event.id, other.id])
    assert (found[event.id].enterprises, found[event.id].people, found[event.id].average_rating) == (2, 5, 3.0)
    assert found[other.id].people == 0


# ---------------------------------------------------------------------------------------------- reminders


def test_reminders_go_once_to_registered_enterprises_the_day_before(ctx):
    """Registered enterprises of events within 24 hours get one reminder; waitlisted and later ones don't."""
    soon = make_event(starts_in=timedelta(hours=20), capacity=1, seats_per_enterprise=1)
    later = make_event(starts_in=timedelta(days=3))
    user, waiting_user, later_user = user_of(), user_of(), user_of()
    service.register(soon, None, 1, "甲", user)
    service.register(soon, None, 1, "乙", waiting_user)
    service.register(later, None, 1, "丙", later_user)
    assert service.queue_reminders() == 1
    assert service.queue_reminders() == 0
    recipients = set(db.session.scalars(select(OutboxMessage.recipient)))
    assert user.email in recipients and waiting_user.email not in recipients and later_user.email not in recipients
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == user.email))
    assert mail.attachment_name == f"event-{soon.id}.ics"


def test_events_are_shown_in_shanghai_time(ctx):
    """An event at 14:00 Shanghai time is stored as 06:00 UTC and read back as that moment."""
    from datetime import time

    start = local_datetime(local_today() + timedelta(days=30), time(14))
    event = service.save_event(values(start=start, end=start + timedelta(hours=2)), factories.staff())
    db.session.flush()
    db.session.expire(event)
    assert event.start_at.utcoffset() == timedelta(0) and event.start_at.hour == 6 and event.start_at == start
