"""Events (lectures, trainings, checkup and consultation days, campaigns), their speakers and registrations.

Capacity is kept by the database: ``Event.seats_taken`` is the sum of the seats its registrations hold, changed
only while the event's row is locked, and a CHECK keeps it within ``capacity``; a unique (event, enterprise) key
keeps one registration per enterprise.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    Column,
    ColumnElement,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.access import own_enterprise
from ..core.vocab import TOPICS, check_in
from ..events.vocab import EVENT_CATEGORIES, EventStatus, RegStatus
from ..extensions import db
from ..timeutil import UTCDateTime, utcnow
from .enterprise import Enterprise
from .user import User

#: The partner firm's lawyers who speak at an event.
event_speaker = Table(
    "event_speaker",
    db.metadata,
    Column("event_id", ForeignKey("event.id", ondelete="CASCADE"), primary_key=True),
    Column("lawyer_id", ForeignKey("user_account.id"), primary_key=True),
)


class EventTopic(db.Model):
    """One legal topic of an event (the list filters by topic through this table's key)."""

    __tablename__ = "event_topic"

    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), primary_key=True)
    topic: Mapped[str] = mapped_column(String(32), primary_key=True, index=True)

    __table_args__ = (check_in("topic", tuple(TOPICS)),)


class Event(db.Model):
    """A legal-awareness event run by the park service station."""

    __tablename__ = "event"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")  # Markdown, sanitised when shown
    category: Mapped[str] = mapped_column(String(32))
    start_at: Mapped[datetime] = mapped_column(UTCDateTime)
    end_at: Mapped[datetime] = mapped_column(UTCDateTime)
    location: Mapped[str] = mapped_column(String(200), default="")
    online_url: Mapped[str | None] = mapped_column(String(500))
    capacity: Mapped[int | None]  # seats; None = no limit
    seats_per_enterprise: Mapped[int] = mapped_column(default=2)
    registration_deadline: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default=EventStatus.DRAFT)
    seats_taken: Mapped[int] = mapped_column(default=0)  # seats held by registered (and attended) registrations
    arrivals: Mapped[int] = mapped_column(default=0)  # sign-ups so far: each gets the next number (its place)
    sequence: Mapped[int] = mapped_column(default=0)  # grows with each change (iCalendar SEQUENCE)
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    topic_rows: Mapped[list[EventTopic]] = relationship(
        cascade="all, delete-orphan", order_by=EventTopic.topic, passive_deletes=True
    )
    speakers: Mapped[list[User]] = relationship(secondary=event_speaker, order_by=User.name)
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])

    __table_args__ = (
        CheckConstraint("start_at < end_at", name="range"),
        CheckConstraint("capacity IS NULL OR capacity > 0", name="capacity"),
        CheckConstraint("seats_per_enterprise >= 1", name="seats_per_enterprise"),
        CheckConstraint("seats_taken >= 0 AND (capacity IS NULL OR seats_taken <= capacity)", name="seats_taken"),
        check_in("category", tuple(EVENT_CATEGORIES)),
        check_in("status", tuple(EventStatus)),
        Index("ix_event_status_start", "status", "start_at"),
        Index("ix_event_start_at", "start_at"),
    )

    @classmethod
    def visible_to(cls, user: User) -> ColumnElement[bool]:
        """Staff see drafts too; everyone else (visitors included, see ``public``) published and cancelled events."""
        if user is not None and getattr(user, "is_staff", False):
            return true()
        return cls.public()

    @classmethod
    def public(cls) -> ColumnElement[bool]:
        """The events anyone may see: published and cancelled ones (a cancelled event says so)."""
        return cls.status != EventStatus.DRAFT

    @property
    def topics(self) -> list[str]:
        """The event's legal topic codes."""
        return [row.topic for row in self.topic_rows]

    @property
    def places_left(self) -> int | None:
        """Seats still free (``None`` without a limit)."""
        return None if self.capacity is None else max(self.capacity - self.seats_taken, 0)


class Registration(db.Model):
    """An enterprise's sign-up for an event: registered, waitlisted, cancelled or attended (checked in)."""

    __tablename__ = "event_registration"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))  # who signed up (staff on behalf)
    status: Mapped[str] = mapped_column(String(16))
    attendees: Mapped[int] = mapped_column(default=1)
    names: Mapped[str] = mapped_column(Text, default="")  # one attendee a line
    seats_held: Mapped[int] = mapped_column(default=0)  # what it adds to the event's seats_taken
    position: Mapped[int]  # arrival order within the event (the waitlist's order)
    walk_in: Mapped[bool] = mapped_column(default=False)
    attended_count: Mapped[int | None]
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_in_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    promoted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminder_queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rating: Mapped[int | None]
    rated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship()
    enterprise: Mapped[Enterprise] = relationship()
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])

    __table_args__ = (
        UniqueConstraint("event_id", "enterprise_id", name="uq_event_registration_enterprise"),
        CheckConstraint("attendees >= 1", name="attendees"),
        CheckConstraint("seats_held >= 0 AND seats_held <= attendees", name="seats_held"),
        CheckConstraint("attended_count IS NULL OR attended_count >= 0", name="attended_count"),
        CheckConstraint("rating IS NULL OR rating BETWEEN 1 AND 5", name="rating"),
        check_in("status", tuple(RegStatus)),
        Index("ix_event_registration_queue", "event_id", "status", "position"),
        Index("ix_event_registration_checked_in", "status", "checked_in_at"),
    )

    @classmethod
    def visible_to(cls, user: User) -> ColumnElement[bool]:
        """Staff see every registration; an enterprise user their enterprise's; lawyers none."""
        return own_enterprise(cls.enterprise_id, user)

    @property
    def name_list(self) -> list[str]:
        """The attendees' names."""
        return [line for line in self.names.splitlines() if line.strip()]
