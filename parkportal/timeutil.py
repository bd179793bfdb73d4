"""Time, done one way: stored in UTC, shown in Asia/Shanghai, never naive arithmetic."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator

LOCAL = ZoneInfo("Asia/Shanghai")


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


def to_local(value: datetime) -> datetime:
    """An aware datetime in Asia/Shanghai."""
    if value.tzinfo is None:
        raise ValueError("naive datetime")
    return value.astimezone(LOCAL)


def local_today(now: datetime | None = None) -> date:
    """Today's date in Asia/Shanghai."""
    return to_local(now or utcnow()).date()


def local_datetime(day: date, at: time) -> datetime:
    """The aware moment for a local wall-clock date and time in Asia/Shanghai."""
    return datetime.combine(day, at, tzinfo=LOCAL)


def parse_local_iso(text: str) -> datetime:
    """Parse an ISO 8601 timestamp; one without an offset is local (Asia/Shanghai) time."""
    value = datetime.fromisoformat(text.strip())
    if value.tzinfo is None:
        value = value.replace(tzinfo=LOCAL)
    return value


def local_iso(value: datetime) -> str:
    """The ISO 8601 local wall-clock form used in URLs and markup hooks (no offset)."""
    return to_local(value).replace(tzinfo=None).isoformat(timespec="minutes")


def week_bounds(day: date) -> tuple[datetime, datetime]:
    """The aware start and end of the local ISO week (Monday to Monday) that contains ``day``."""
    monday = day - timedelta(days=day.isoweekday() - 1)
    return local_datetime(monday, time()), local_datetime(monday + timedelta(days=7), time())


class UTCDateTime(TypeDecorator):
    """A timestamp stored as UTC on every engine and always read back timezone-aware."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        """Refuse naive datetimes, store UTC without an offset."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: use an aware datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        """Attach UTC to what the database returns."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC)
