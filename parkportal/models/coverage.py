"""Coverage: the legal needs enterprises state, the API's bearer tokens, and the index the touches union reads by.

A service touch itself has no table: ``coverage/touches.py`` reads it from the areas' own rows (completed
appointments, attended registrations, downloads, printed copies), so each channel has one source.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import ColumnElement, ForeignKey, Index, String, Text, false, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.vocab import TOPICS, check_in
from ..coverage.vocab import NEED_SOURCES, NEED_STATUSES
from ..extensions import db
from ..timeutil import UTCDateTime, utcnow
from .booking import Appointment
from .enterprise import Enterprise
from .events import Registration
from .library import Download
from .user import User

# Covering indexes of the touches union (coverage/touches.py): each branch reads a period's rows from the index
# alone, without visiting the table (a year of a district-scale park: 20-40x faster on SQLite).
Index(
    "ix_appointment_touch",
    Appointment.status,
    Appointment.start_at,
    Appointment.enterprise_id,
    Appointment.service_type_id,
    Appointment.topic,
)
Index(
    "ix_event_registration_touch",
    Registration.event_id,
    Registration.status,
    Registration.enterprise_id,
    Registration.attended_count,
    Registration.rating,
)
Index("ix_download_touch", Download.created_at, Download.enterprise_id, Download.compilation_id)


class Need(db.Model):
    """A legal need an enterprise stated (itself, or through staff after a call or visit): a topic and a note."""

    __tablename__ = "need"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"))
    topic: Mapped[str] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="open")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    addressed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    enterprise: Mapped[Enterprise] = relationship()
    recorded_by: Mapped[User | None] = relationship()

    __table_args__ = (
        check_in("topic", tuple(TOPICS)),
        check_in("source", tuple(NEED_SOURCES)),
        check_in("status", tuple(NEED_STATUSES)),
        Index("ix_need_enterprise_status", "enterprise_id", "status"),
    )

    @classmethod
    def visible_to(cls, user: User) -> ColumnElement[bool]:
        """Staff see every need; an enterprise user their enterprise's; lawyers none."""
        if user.is_staff:
            return true()
        if user.is_enterprise:
            return cls.enterprise_id == (user.enterprise_id or -1)
        return false()


def token_digest(token: str) -> str:
    """What is stored of an API token: its SHA-256 (hex). The token itself is shown once, when issued."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class ApiToken(db.Model):
    """A named bearer token for the read-only API, issued by staff; revoked tokens stay listed."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(8))  # the token's first characters, to tell tokens apart
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])

    @classmethod
    def visible_to(cls, user: User) -> ColumnElement[bool]:
        """Only staff manage tokens."""
        return true() if user.is_staff else false()

    @property
    def active(self) -> bool:
        """Whether the token still opens the API."""
        return self.revoked_at is None
