"""Lawyers' availability, the service catalogue, appointments and the units that keep them apart."""

from __future__ import annotations

import secrets
from datetime import date, datetime, time

from sqlalchemy import (
    DDL,
    BigInteger,
    CheckConstraint,
    ColumnElement,
    ForeignKey,
    Index,
    String,
    Text,
    event,
    false,
    true,
)
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
        # the checkups lists: the park's and a lawyer's checkup bookings, newest first
        Index("ix_appointment_service_start", "service_type_id", "start_at"),
        Index("ix_appointment_lawyer_service_start", "lawyer_id", "service_type_id", "start_at"),
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


class HeldDay(db.Model):
    """Which of a lawyer's 30-minute units of one UTC day are held: bit ``n`` of ``mask`` is the unit starting
    ``n`` half hours after that day's 00:00 UTC.

    Derived from ``booking_unit`` by database triggers (``HELD_DAY_TRIGGERS``) on every insert, update and delete of
    a unit, in the same transaction, so it can't drift from the units whatever writes them (the booking service,
    bulk seeding, cascades). The slot search and the month picker read a month of it in one small query instead of
    thousands of units; double booking is still decided by ``booking_unit``'s primary key alone.
    """

    __tablename__ = "held_day"

    lawyer_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)  # the UTC date
    mask: Mapped[int] = mapped_column(BigInteger, default=0)

    __table_args__ = ({"sqlite_with_rowid": False},)


#: The unit's bit in its UTC day's mask, in each engine's SQL (``{row}`` is NEW or OLD).
_SQLITE_HOUR = "CAST(substr({row}.unit_start, 12, 2) AS INTEGER)"
_SQLITE_MINUTE = "CAST(substr({row}.unit_start, 15, 2) AS INTEGER)"
_SQLITE_BIT = f"(1 << ({_SQLITE_HOUR} * 2 + {_SQLITE_MINUTE} / 30))"
_POSTGRES_BIT = (
    "(1::bigint << (extract(hour FROM {row}.unit_start)::int * 2 + extract(minute FROM {row}.unit_start)::int / 30))"
)

#: The triggers that keep ``held_day`` in step with ``booking_unit``, per engine (the migration creates the same).
HELD_DAY_TRIGGERS = {
    "sqlite": [
        f"""CREATE TRIGGER held_day_insert AFTER INSERT ON booking_unit BEGIN
  INSERT INTO held_day (lawyer_id, day, mask) VALUES
    (NEW.lawyer_id, date(NEW.unit_start), {_SQLITE_BIT.format(row="NEW")})
  ON CONFLICT (lawyer_id, day) DO UPDATE SET mask = mask | excluded.mask;
END""",
        f"""CREATE TRIGGER held_day_delete AFTER DELETE ON booking_unit BEGIN
  UPDATE held_day SET mask = mask & ~{_SQLITE_BIT.format(row="OLD")}
  WHERE lawyer_id = OLD.lawyer_id AND day = date(OLD.unit_start);
END""",
        f"""CREATE TRIGGER held_day_update AFTER UPDATE OF lawyer_id, unit_start ON booking_unit BEGIN
  UPDATE held_day SET mask = mask & ~{_SQLITE_BIT.format(row="OLD")}
  WHERE lawyer_id = OLD.lawyer_id AND day = date(OLD.unit_start);
  INSERT INTO held_day (lawyer_id, day, mask) VALUES
    (NEW.lawyer_id, date(NEW.unit_start), {_SQLITE_BIT.format(row="NEW")})
  ON CONFLICT (lawyer_id, day) DO UPDATE SET mask = mask | excluded.mask;
END""",
    ],
    "postgresql": [
        f"""CREATE OR REPLACE FUNCTION held_day_sync() RETURNS trigger AS $$
BEGIN
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    UPDATE held_day SET mask = mask & ~{_POSTGRES_BIT.format(row="OLD")}
    WHERE lawyer_id = OLD.lawyer_id AND day = OLD.unit_start::date;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO held_day (lawyer_id, day, mask) VALUES
      (NEW.lawyer_id, NEW.unit_start::date, {_POSTGRES_BIT.format(row="NEW")})
    ON CONFLICT (lawyer_id, day) DO UPDATE SET mask = held_day.mask | EXCLUDED.mask;
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql""",
        """CREATE TRIGGER held_day_sync AFTER INSERT OR DELETE OR UPDATE OF lawyer_id, unit_start ON booking_unit
  FOR EACH ROW EXECUTE FUNCTION held_day_sync()""",
        # Before a transaction writes any of a lawyer's units it waits for the others writing that lawyer's units:
        # without it, two that hold a unit each and then want each other's held_day row would deadlock.
        """CREATE OR REPLACE FUNCTION held_day_lock() RETURNS trigger AS $$
BEGIN
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    PERFORM pg_advisory_xact_lock(1212501060, OLD.lawyer_id);
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    PERFORM pg_advisory_xact_lock(1212501060, NEW.lawyer_id);
    RETURN NEW;
  END IF;
  RETURN OLD;
END $$ LANGUAGE plpgsql""",
        """CREATE TRIGGER held_day_lock BEFORE INSERT OR DELETE OR UPDATE OF lawyer_id, unit_start ON booking_unit
  FOR EACH ROW EXECUTE FUNCTION held_day_lock()""",
    ],
}

for _dialect, _statements in HELD_DAY_TRIGGERS.items():
    for _statement in _statements:  # tables made with create_all (tests, init-db) get them too
        event.listen(BookingUnit.__table__, "after_create", DDL(_statement).execute_if(dialect=_dialect))


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
