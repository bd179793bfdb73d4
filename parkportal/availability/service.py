"""A lawyer's weekly plan, date exceptions and specialties; and the working windows they give on a day."""

from __future__ import annotations

from datetime import date, time

from sqlalchemy import select

from ..core import vocab
from ..extensions import db
from ..models import AvailabilityException, AvailabilityRule, LawyerProfile, User

Window = tuple[time, time]


def add_weekly_range(lawyer: User, weekday: int, start: time, end: time) -> AvailabilityRule:
    """Add ``start``–``end`` on ``weekday``, merged with ranges it overlaps or touches. Flushes."""
    rules = db.session.scalars(
        select(AvailabilityRule).where(AvailabilityRule.lawyer_id == lawyer.id, AvailabilityRule.weekday == weekday)
    ).all()
    for rule in rules:
        if rule.start_time <= end and start <= rule.end_time:
            start, end = min(start, rule.start_time), max(end, rule.end_time)
            db.session.delete(rule)
    db.session.flush()
    merged = AvailabilityRule(lawyer_id=lawyer.id, weekday=weekday, start_time=start, end_time=end)
    db.session.add(merged)
    db.session.flush()
    return merged


def weekly_plan(lawyer_id: int) -> list[AvailabilityRule]:
    """The lawyer's weekly ranges, Monday first, earliest first."""
    return list(
        db.session.scalars(
            select(AvailabilityRule)
            .where(AvailabilityRule.lawyer_id == lawyer_id)
            .order_by(AvailabilityRule.weekday, AvailabilityRule.start_time)
        )
    )


def exceptions(lawyer_id: int, since: date | None = None) -> list[AvailabilityException]:
    """The lawyer's date exceptions (from ``since`` on), earliest first."""
    query = select(AvailabilityException).where(AvailabilityException.lawyer_id == lawyer_id)
    if since is not None:
        query = query.where(AvailabilityException.day >= since)
    return list(db.session.scalars(query.order_by(AvailabilityException.day, AvailabilityException.start_time)))


def add_exception(
    lawyer: User, day: date, kind: str, start: time | None = None, end: time | None = None, note: str | None = None
) -> AvailabilityException:
    """Record time off (``off``; without times: the whole day) or extra hours (``extra``) on ``day``. Flushes.

    The same exception entered again is not stored twice: the existing one comes back (with the new note, if any).
    """
    if kind not in ("off", "extra"):
        raise ValueError("kind must be 'off' or 'extra'")
    if (start is None) != (end is None) or (start is not None and end is not None and start >= end):
        raise ValueError("a range needs a start before its end")
    if kind == "extra" and start is None:
        raise ValueError("extra hours need a time range")
    note = (note or "").strip() or None
    same = db.session.scalar(
        select(AvailabilityException).where(
            AvailabilityException.lawyer_id == lawyer.id,
            AvailabilityException.day == day,
            AvailabilityException.kind == kind,
            AvailabilityException.start_time.is_(None) if start is None else AvailabilityException.start_time == start,
            AvailabilityException.end_time.is_(None) if end is None else AvailabilityException.end_time == end,
        )
    )
    if same is not None:  # saved twice (a double submit, a second tab): one entry, with the latest note
        same.note = note or same.note
        db.session.flush()
        return same
    exception = AvailabilityException(
        lawyer_id=lawyer.id, day=day, kind=kind, start_time=start, end_time=end, note=note
    )
    db.session.add(exception)
    db.session.flush()
    return exception


def set_specialties(lawyer: User, codes: list[str]) -> None:
    """Replace the lawyer's specialties with the known topic codes among ``codes``. Flushes."""
    profile = lawyer.lawyer_profile
    if profile is None:
        profile = LawyerProfile(user_id=lawyer.id)
        db.session.add(profile)
    profile.specialties = ",".join(code for code in vocab.TOPICS if code in codes)
    db.session.flush()


def _subtract(windows: list[Window], cut: Window) -> list[Window]:
    """``windows`` without the time ``cut`` covers."""
    result: list[Window] = []
    for start, end in windows:
        if cut[1] <= start or end <= cut[0]:
            result.append((start, end))
            continue
        if start < cut[0]:
            result.append((start, cut[0]))
        if cut[1] < end:
            result.append((cut[1], end))
    return result


def _merge(windows: list[Window]) -> list[Window]:
    """``windows`` sorted, with overlapping or touching ranges joined."""
    merged: list[Window] = []
    for start, end in sorted(windows):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def windows_on(lawyer_id: int, day: date) -> list[Window]:
    """The lawyer's working windows on ``day`` (local wall-clock): weekly plan + extra hours − time off."""
    windows: list[Window] = [
        (rule.start_time, rule.end_time)
        for rule in db.session.scalars(
            select(AvailabilityRule).where(
                AvailabilityRule.lawyer_id == lawyer_id, AvailabilityRule.weekday == day.isoweekday()
            )
        )
    ]
    day_exceptions = db.session.scalars(
        select(AvailabilityException).where(
            AvailabilityException.lawyer_id == lawyer_id, AvailabilityException.day == day
        )
    ).all()
    for exception in day_exceptions:
        if exception.kind == "extra" and exception.start_time and exception.end_time:
            windows.append((exception.start_time, exception.end_time))
    windows = _merge(windows)
    for exception in day_exceptions:
        if exception.kind == "off":
            if exception.start_time is None or exception.end_time is None:
                return []
            windows = _subtract(windows, (exception.start_time, exception.end_time))
    return windows
