"""Helpers shared by the event tests: events at a given distance from now, enterprises with users."""

from __future__ import annotations

from datetime import datetime, timedelta

from parkportal.extensions import db
from parkportal.models import Event, EventTopic, Registration
from parkportal.timeutil import utcnow

from . import factories


def make_event(
    starts_in: timedelta = timedelta(days=10),
    hours: float = 2,
    capacity: int | None = 30,
    seats_per_enterprise: int = 3,
    status: str = "published",
    deadline: datetime | None = None,
    topics: tuple[str, ...] = ("labor",),
    **overrides,
) -> Event:
    """A published event ``starts_in`` from now (written directly, so past events can be made too)."""
    start = (utcnow() + starts_in).replace(second=0, microsecond=0)
    values = {
        "title": "劳动法宣传周：劳动合同签订与解除实务",
        "description": "**主讲**：常新律师事务所\n\n- 劳动合同订立\n- 经济补偿",
        "category": "lecture",
        "start_at": start,
        "end_at": start + timedelta(hours=hours),
        "location": "园区综合服务中心三楼报告厅",
        "capacity": capacity,
        "seats_per_enterprise": seats_per_enterprise,
        "registration_deadline": deadline or start,
        "status": status,
        "seats_taken": 0,
        "arrivals": 0,
        "sequence": 0,
    }
    values.update(overrides)
    event = Event(**values)
    event.topic_rows = [EventTopic(topic=topic) for topic in topics]
    db.session.add(event)
    db.session.flush()
    return event


def registered(event: Event, enterprise=None, attendees: int = 1, status: str = "registered", **values) -> Registration:
    """A registration written directly (for events in the past); keeps the event's counters right."""
    enterprise = enterprise or factories.enterprise()
    event.arrivals += 1
    held = attendees if status in ("registered", "attended") and not values.get("walk_in") else 0
    event.seats_taken += held
    registration = Registration(
        event_id=event.id,
        enterprise_id=enterprise.id,
        status=status,
        attendees=attendees,
        names="张伟",
        seats_held=held,
        position=event.arrivals,
        **values,
    )
    db.session.add(registration)
    db.session.flush()
    return registration
