"""Time, done one way: stored in UTC, shown in the display time zone (``DISPLAY_TIMEZONE``, Asia/Shanghai), never
naive arithmetic."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context
from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator

#: The zone outside an application (the configuration's default; the one source is ``DISPLAY_TIMEZONE``).
DEFAULT_ZONE = "Asia/Shanghai"


@cache
def _zone(name: str) -> ZoneInfo:
    """The ``ZoneInfo`` called ``name`` (loaded once)."""
    return ZoneInfo(name)


def local_zone() -> ZoneInfo:
    """The display time zone: the application's ``DISPLAY_TIMEZONE``."""
    return _zone(current_app.config["DISPLAY_TIMEZONE"] if has_app_context() else DEFAULT_ZONE)


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


def to_local(value: datetime, zone: ZoneInfo | None = None) -> datetime:
    """An aware datetime in Asia/Shanghai (``zone``: the display zone already at hand, as a page binds it once)."""
    if value.tzinfo is None:
        raise ValueError("naive datetime")
    return value.astimezone(zone or local_zone())


def local_today(now: datetime | None = None) -> date:
    """Today's date in Asia/Shanghai."""
    return to_local(now or utcnow()).date()


def local_datetime(day: date, at: time) -> datetime:
    """The aware moment for a local wall-clock date and time in Asia/Shanghai."""
    return datetime.combine(day, at, tzinfo=local_zone())


def parse_local_iso(text: str) -> datetime:
    """Parse an ISO 8601 timestamp (years 2000–2100); one without an offset is local time. ``ValueError`` else."""
    from .core.parsing import parse_datetime

    value = parse_datetime(text)
    if value is None:
        raise ValueError(f"not a usable ISO 8601 time: {text!r}")
    if value.tzinfo is None:
        value = value.replace(tzinfo=local_zone())
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
