"""A lawyer's weekly plan and date exceptions."""

from __future__ import annotations

from datetime import time

from sqlalchemy import select

from ..extensions import db
from ..models import AvailabilityRule, User


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
