"""Lawyers' availability, the service catalogue, appointments and the units that keep them apart."""

from __future__ import annotations

import secrets
from datetime import date, datetime, time

from sqlalchemy import CheckConstraint, ColumnElement, ForeignKey, Index, String, Text, false, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..availability.vocab import LAWYER_TITLES
from ..bookings.vocab import MODES, Status
from ..core.access import own_enterprise
from ..core.vocab import check_in
from ..extensions import db
from ..timeutil import UTCDateTime, utcnow
from .enterprise import Enterprise
from .user import User


def new_feed_token() -> str:
    """A secret for a lawyer's calendar feed URL."""
    return secrets.token_urlsafe(24)


class ServiceType(db.Model):
    """A bookable service (consultation, checkup, …); labels come from ``booking_vocab.SERVICE_TYPES``."""

    __tablename__ = "service_type"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    duration_minutes: Mapped[int]
    modes: Mapped[str] = mapped_column(String(64))  # comma-separated mode codes
    requires_confirmation: Mapped[bool] = mapped_column(default=False)
    topics: Mapped[str] = mapped_column(String(128), default="")  # specialties that suit it
    active: Mapped[bool] = mapped_column(default=True)
    sort_order: Mapped[int] = mapped_column(default=0)

    __table_args__ = (CheckConstraint("duration_minutes > 0 AND duration_minutes % 30 = 0", name="duration"),)

    @property
    def mode_list(self) -> list[str]:
        """The allowed modes as a list of codes."""
        return [m for m in self.modes.split(",") if m]

    @property
    def topic_list(self) -> list[str]:
        """The legal topics that suit this service."""
        return [t for t in self.topics.split(",") if t]


class LawyerProfile(db.Model):
    """What the booking needs to know about a lawyer beyond the account."""

    __tablename__ = "lawyer_profile"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True)
    title: Mapped[str | None] = mapped_column(String(100))  # a code of LAWYER_TITLES
    bio: Mapped[str | None] = mapped_column(Text)
    specialties: Mapped[str] = mapped_column(String(200), default="")  # comma-separated topic codes
    feed_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_feed_token)
    video_room: Mapped[str | None] = mapped_column(String(500))  # the lawyer's default meeting link (https)

    user: Mapped[User] = relationship(back_populates="lawyer_profile")

    __table_args__ = (check_in("title", tuple(LAWYER_TITLES)),)

    @property
    def specialty_list(self) -> list[str]:
        """The lawyer's specialties as topic codes."""
        return [s for s in self.specialties.split(",") if s]


class AvailabilityRule(db.Model):
    """A weekly time range in which a lawyer takes appointments (local wall-clock time)."""

    __tablename__ = "availability_rule"

    id: Mapped[int] = mapped_column(primary_key=True)
    lawyer_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    weekday: Mapped[int]  # ISO: 1 = Monday … 7 = Sunday
    start_time: Mapped[time]
    end_time: Mapped[time]

    __table_args__ = (
        CheckConstraint("weekday BETWEEN 1 AND 7", name="weekday"),
        CheckConstraint("start_time < end_time", name="range"),
    )

    @classmethod
    def visible_to(cls, user: User) -> ColumnElement[bool]:
        """A lawyer edits their own plan; staff edit anyone's."""
        return _own_plan(cls, user)


class AvailabilityException(db.Model):
    """A date on which the weekly plan doesn't hold: time off (``off``) or extra hours (``extra``).

    ``off`` without times is the whole day.
    """

    __tablename__ = "availability_exception"

    id: Mapped[int] = mapped_column(primary_key=True)
    lawyer_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    day: Mapped[date] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(String(8))
    start_time: Mapped[time | None]
    end_time: Mapped[time | None]
    note: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (check_in("kind", ("off", "extra")),)

    @classmethod
    def visible_to(cls, user: User) -> ColumnElement[bool]:
        """A lawyer edits their own exceptions; staff edit anyone's."""
        return _own_plan(cls, user)


def _own_plan(model, user: User) -> ColumnElement[bool]:
    """Rows of a lawyer's availability that ``user`` may see and change."""
    if user.is_staff:
        return true()
    if user.is_lawyer:
        return model.lawyer_id == user.id
    return false()


class Appointment(db.Model):
    """A booked service between an enterprise and a lawyer."""

    __tablename__ = "appointment"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), index=True)
    lawyer_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    service_type_id: Mapped[int] = mapped_column(ForeignKey("service_type.id"))
    start_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    end_at: Mapped[datetime] = mapped_column(UTCDateTime)
    mode: Mapped[str] = mapped_column(String(16))
    topic: Mapped[str] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="requested", index=True)
    decline_reason: Mapped[str | None] = mapped_column(Text)
    summary: Mapped[str | None] = mapped_column(Text)  # for the enterprise, written on completion
    private_notes: Mapped[str | None] = mapped_column(Text)  # the lawyer's own
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    rescheduled_from_id: Mapped[int | None] = mapped_column(ForeignKey("appointment.id"))  # before 0008 only
    meeting_link: Mapped[str | None] = mapped_column(String(500))  # video: the link the lawyer gave
    sequence: Mapped[int] = mapped_column(default=0)  # iCalendar SEQUENCE: grows with every move
    awaiting_enterprise: Mapped[bool] = mapped_column(default=False)  # a lawyer's move waits for the enterprise
    reminder_queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    enterprise: Mapped[Enterprise] = relationship()
    lawyer: Mapped[User | None] = relationship(foreign_keys=[lawyer_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    service_type: Mapped[ServiceType] = relationship()
    rescheduled_from: Mapped[Appointment | None] = relationship(
        remote_side=[id], foreign_keys=[rescheduled_from_id], back_populates="rescheduled_to"
    )
    rescheduled_to: Mapped[Appointment | None] = relationship(
        foreign_keys=[rescheduled_from_id], back_populates="rescheduled_from", uselist=False
    )
    feedback: Mapped[Feedback | None] = relationship(back_populates="appointment", uselist=False)
    moves: Mapped[list[AppointmentMove]] = relationship(
        back_populates="appointment", order_by="AppointmentMove.id", cascade="all, delete-orphan"
    )

    __table_args__ = (
        CheckConstraint("start_at < end_at", name="range"),
        check_in("status", tuple(Status)),
        check_in("mode", tuple(MODES)),
        # the lists' filters and their order (newest or soonest first) in one index each
        Index("ix_appointment_status_start", "status", "start_at"),
        Index("ix_appointment_lawyer_start", "lawyer_id", "start_at"),
        Index("ix_appointment_enterprise_start", "enterprise_id", "start_at"),
        Index("ix_appointment_lawyer_status_start", "lawyer_id", "status", "start_at"),  # the agenda's outcome list
    )

    @classmethod
    def visible_to(cls, user: User) -> ColumnElement[bool]:
        """Staff see all; an enterprise user their enterprise's; a lawyer their own and unassigned requests."""
        lawyers = (cls.lawyer_id == user.id) | (cls.lawyer_id.is_(None) & (cls.status == Status.REQUESTED))
        return own_enterprise(cls.enterprise_id, user, otherwise=lawyers if user.is_lawyer else None)


class AppointmentMove(db.Model):
    """One reschedule of an appointment: from when to when (and which lawyer), by whom, and why.

    The appointment keeps its id through moves; these rows are its history, shown on its page.
    """

    __tablename__ = "appointment_move"

    id: Mapped[int] = mapped_column(primary_key=True)
    appointment_id: Mapped[int] = mapped_column(ForeignKey("appointment.id", ondelete="CASCADE"), index=True)
    from_start: Mapped[datetime] = mapped_column(UTCDateTime)
    to_start: Mapped[datetime] = mapped_column(UTCDateTime)
    from_lawyer_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    to_lawyer_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    appointment: Mapped[Appointment] = relationship(back_populates="moves")
    by: Mapped[User | None] = relationship(foreign_keys=[by_id])
    from_lawyer: Mapped[User | None] = relationship(foreign_keys=[from_lawyer_id])
    to_lawyer: Mapped[User | None] = relationship(foreign_keys=[to_lawyer_id])


class BookingUnit(db.Model):
    """One 30-minute unit of a lawyer's time held by an appointment.

    The primary key (lawyer, unit start) is what makes double booking impossible: two transactions that
    want the same unit can't both commit, on any SQL engine.
    """

    __tablename__ = "booking_unit"

    lawyer_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True)
    unit_start: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    appointment_id: Mapped[int] = mapped_column(ForeignKey("appointment.id", ondelete="CASCADE"), index=True)


class Feedback(db.Model):
    """An enterprise's rating of a completed appointment on the 好差评 scale (5 非常满意 … 1 非常不满意).

    One per appointment; the enterprise may change it for ``RATING_CHANGE_DAYS`` after rating.
    """

    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    appointment_id: Mapped[int] = mapped_column(ForeignKey("appointment.id"), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    rating: Mapped[int]
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the last change of the rating

    appointment: Mapped[Appointment] = relationship(back_populates="feedback")

    __table_args__ = (CheckConstraint("rating BETWEEN 1 AND 5", name="rating"),)
