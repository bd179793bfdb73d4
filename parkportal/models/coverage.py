"""Coverage: the legal needs enterprises state, the API's bearer tokens, the indexes the touches union reads by,
and the touch counts per enterprise and month or year that the dashboard adds up.

A service touch itself is defined once, by ``coverage/touches.py``, over the areas' own rows (completed appointments,
attended registrations, downloads, printed copies). ``TouchCount`` and ``TouchTopicCount`` are that union counted per
enterprise and calendar month (and year), kept in step in the transaction that changes a source row
(``coverage/rollup.py``), so a year of a district-scale park is ~10,000 rows to add up instead of ~140,000 touches.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import ColumnElement, ForeignKey, Index, PrimaryKeyConstraint, String, Text, false, true
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
# The dashboard's roster side: active enterprises per industry read from an index alone (the not-yet-served list
# reads the roster in name order through ``ix_enterprise_name``, declared with the enterprise).
Index("ix_enterprise_industry_status", Enterprise.industry, Enterprise.status)


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


#: The grains of the touch counts: a calendar month (period ``YYYY-MM``) or year (``YYYY``), in the display time zone.
GRAINS = ("month", "year")


class TouchCount(db.Model):
    """An enterprise's service touches in one month or year, per channel, and the day of the latest one.

    Derived data: ``coverage/rollup.py`` recomputes a row from the touches union whenever a touch in it changes.
    """

    __tablename__ = "touch_count"

    grain: Mapped[str] = mapped_column(String(5))
    period: Mapped[str] = mapped_column(String(7))
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"))
    consultation: Mapped[int] = mapped_column(default=0)
    checkup: Mapped[int] = mapped_column(default=0)
    event: Mapped[int] = mapped_column(default=0)
    download: Mapped[int] = mapped_column(default=0)
    printed: Mapped[int] = mapped_column(default=0)
    last_day: Mapped[str] = mapped_column(String(10))  # YYYY-MM-DD, local
    # Measures of those touches (``touches.py``'s amount and rating): people counted at events, printed copies,
    # booking feedback and event ratings given (how many, and their sum).
    people: Mapped[int] = mapped_column(default=0)
    copies: Mapped[int] = mapped_column(default=0)
    booking_ratings: Mapped[int] = mapped_column(default=0)
    booking_rating_total: Mapped[int] = mapped_column(default=0)
    event_ratings: Mapped[int] = mapped_column(default=0)
    event_rating_total: Mapped[int] = mapped_column(default=0)

    __table_args__ = (
        PrimaryKeyConstraint("grain", "period", "enterprise_id"),
        check_in("grain", GRAINS),
        Index("ix_touch_count_enterprise", "enterprise_id", "grain", "period", "last_day"),
        {"sqlite_with_rowid": False},
    )


class TouchTopicCount(db.Model):
    """An enterprise's service touches about one legal topic in one month or year (an event or compilation with
    several topics counts under each). Derived like ``TouchCount``."""

    __tablename__ = "touch_topic_count"

    grain: Mapped[str] = mapped_column(String(5))
    period: Mapped[str] = mapped_column(String(7))
    topic: Mapped[str] = mapped_column(String(32))
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"))
    touches: Mapped[int] = mapped_column(default=0)

    __table_args__ = (
        PrimaryKeyConstraint("grain", "period", "topic", "enterprise_id"),
        check_in("grain", GRAINS),
        Index("ix_touch_topic_count_enterprise", "enterprise_id"),
        {"sqlite_with_rowid": False},
    )


#: What a ``TouchTotal`` row adds up: every touch, one channel, one topic, or one measure (``TouchCount.people`` …).
TOTAL_KINDS = ("all", "channel", "topic", "measure")


class TouchTotal(db.Model):
    """The park's touches in one month or year for a channel, a topic or in all (``kind``/``key``; a measure: its
    sum), and how many enterprises (archived ones too) have such a touch. Derived from the ``TouchCount`` and
    ``TouchTopicCount`` rows of the period whenever they change, so a whole year's figures are a few rows."""

    __tablename__ = "touch_total"

    grain: Mapped[str] = mapped_column(String(5))
    period: Mapped[str] = mapped_column(String(7))
    kind: Mapped[str] = mapped_column(String(8))
    key: Mapped[str] = mapped_column(String(32))
    amount: Mapped[int] = mapped_column(default=0)
    enterprises: Mapped[int] = mapped_column(default=0)

    __table_args__ = (
        PrimaryKeyConstraint("grain", "period", "kind", "key"),
        check_in("grain", GRAINS),
        check_in("kind", TOTAL_KINDS),
    )


class CoverageVersion(db.Model):
    """One row whose ``stamp`` (random) changes in every transaction that changes the touch counts or the roster
    (``coverage/cache.py``): what the coverage caches are keyed by, so a cached figure is never served after a
    change is committed."""

    __tablename__ = "coverage_version"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    stamp: Mapped[str] = mapped_column(String(32))
