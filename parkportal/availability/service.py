"""A lawyer's weekly plan, date exceptions and specialties; and the working windows they give on a day.

The editor's actions (``add_rule``, ``remove_rule``, ``add_exception``, ``remove_exception``, ``set_specialties``,
``renew_feed``) take the acting user and write the audit trail; ``add_weekly_range`` is the plain rule the
command line and the demo use as well.
"""

from __future__ import annotations

from datetime import date, datetime, time

from flask_babel import gettext as _
from sqlalchemy import exists, or_, select

from ..bookings.meeting import check_link
from ..core import audit, vocab
from ..core.errors import Invalid, NotFound
from ..extensions import db
from ..models import AvailabilityException, AvailabilityRule, LawyerProfile, User
from ..models.booking import new_feed_token
from ..timeutil import local_today

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


def add_rule(lawyer: User, weekday: int, start: time, end: time, actor: User | None) -> AvailabilityRule:
    """``add_weekly_range`` by ``actor``, in the audit trail."""
    rule = add_weekly_range(lawyer, weekday, start, end)
    audit.record(
        "availability.rule_added", rule, actor=actor, lawyer_id=lawyer.id, weekday=weekday, start=rule.start_time
    )
    return rule


def remove_rule(rule: AvailabilityRule, actor: User | None) -> None:
    """Remove a weekly range (booked appointments stay)."""
    audit.record(
        "availability.rule_removed",
        rule,
        actor=actor,
        lawyer_id=rule.lawyer_id,
        weekday=rule.weekday,
        start=rule.start_time,
    )
    db.session.delete(rule)


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
    lawyer: User,
    day: date,
    kind: str,
    start: time | None = None,
    end: time | None = None,
    note: str | None = None,
    *,
    actor: User | None = None,
    now: datetime | None = None,
) -> AvailabilityException:
    """Record time off (``off``; without times: the whole day) or extra hours (``extra``) on ``day``. Flushes.

    A day before today is refused (Invalid on ``day``). The same exception entered again is not stored twice: the
    existing one comes back (with the new note, if any).
    """
    if kind not in ("off", "extra"):
        raise ValueError("kind must be 'off' or 'extra'")
    if (start is None) != (end is None) or (start is not None and end is not None and start >= end):
        raise ValueError("a range needs a start before its end")
    if kind == "extra" and start is None:
        raise ValueError("extra hours need a time range")
    if day < local_today(now):
        raise Invalid(_("Choose today or a later date."), "day")
    note = (note or "").strip() or None
    exception = db.session.scalar(
        select(AvailabilityException).where(
            AvailabilityException.lawyer_id == lawyer.id,
            AvailabilityException.day == day,
            AvailabilityException.kind == kind,
            AvailabilityException.start_time.is_(None) if start is None else AvailabilityException.start_time == start,
            AvailabilityException.end_time.is_(None) if end is None else AvailabilityException.end_time == end,
        )
    )
    if exception is not None:  # saved twice (a double submit, a second tab): one entry, with the latest note
        exception.note = note or exception.note
    else:
        exception = AvailabilityException(
            lawyer_id=lawyer.id, day=day, kind=kind, start_time=start, end_time=end, note=note
        )
        db.session.add(exception)
    db.session.flush()
    audit.record("availability.exception_added", exception, actor=actor, lawyer_id=lawyer.id, day=day, kind=kind)
    return exception


def remove_exception(exception: AvailabilityException, actor: User | None) -> None:
    """Remove a date exception."""
    audit.record(
        "availability.exception_removed", exception, actor=actor, lawyer_id=exception.lawyer_id, day=exception.day
    )
    db.session.delete(exception)


def set_specialties(lawyer: User, codes: list[str], actor: User | None = None) -> None:
    """Replace the lawyer's specialties with the known topic codes among ``codes``. Flushes."""
    profile = lawyer.lawyer_profile
    if profile is None:
        profile = LawyerProfile(user_id=lawyer.id)
        db.session.add(profile)
    profile.specialties = ",".join(code for code in vocab.TOPICS if code in codes)
    db.session.flush()
    audit.record("availability.specialties", profile, actor=actor, lawyer_id=lawyer.id, specialties=codes)


def set_video_room(lawyer: User, link: str | None, actor: User | None = None) -> None:
    """Set (or with an empty ``link`` remove) the lawyer's default video room; Invalid unless an https URL."""
    room = check_link(link, "video_room")
    profile = lawyer.lawyer_profile
    if profile is None:
        profile = LawyerProfile(user_id=lawyer.id)
        db.session.add(profile)
    profile.video_room = room
    db.session.flush()
    audit.record("availability.video_room", profile, actor=actor, lawyer_id=lawyer.id)


def renew_feed(lawyer: User, actor: User | None) -> None:
    """Give the lawyer's calendar feed a new secret address; the old one stops working."""
    lawyer.lawyer_profile.feed_token = new_feed_token()
    audit.record("availability.feed_regenerated", lawyer.lawyer_profile, actor=actor, lawyer_id=lawyer.id)


def feed_owner(token: str) -> User:
    """The active lawyer whose calendar feed is at ``token``; NotFound for an unknown or revoked address."""
    profile = db.session.scalar(select(LawyerProfile).where(LawyerProfile.feed_token == token))
    if profile is None or not profile.user.active:
        raise NotFound(_("This calendar address doesn't exist or has been renewed."))
    return profile.user


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
    weekly = [
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
    return combine_windows(weekly, day_exceptions)


def combine_windows(weekly: list[Window], day_exceptions) -> list[Window]:
    """A day's windows from its weekly ranges and its exceptions (extra hours added, time off taken out)."""
    windows = list(weekly)
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


def lawyers_with_plan_clause():
    """Whether a lawyer (``User``) has a weekly plan or extra hours at all (one with neither is never offered)."""
    return or_(
        exists().where(AvailabilityRule.lawyer_id == User.id),
        exists().where(AvailabilityException.lawyer_id == User.id, AvailabilityException.kind == "extra"),
    )
