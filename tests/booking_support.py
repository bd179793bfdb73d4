"""Helpers shared by the booking tests: lawyers with a weekly plan, dates in the bookable future, services."""

from __future__ import annotations

from datetime import date, time, timedelta

from parkportal.availability.service import add_weekly_range
from parkportal.models import ServiceType
from parkportal.timeutil import local_datetime, local_today

from . import factories


def working_lawyer(specialties: str = "company_law,contracts,labor", start=time(9), end=time(17), **overrides):
    """A lawyer who works Monday to Friday from ``start`` to ``end``."""
    lawyer = factories.lawyer(specialties=specialties, **overrides)
    for weekday in range(1, 6):
        add_weekly_range(lawyer, weekday, start, end)
    return lawyer


def future_weekday(iso_weekday: int = 1, weeks_ahead: int = 1) -> date:
    """A date with that ISO weekday at least a week ahead (well past the lead time, inside the horizon)."""
    day = local_today() + timedelta(days=7 * weeks_ahead)
    return day + timedelta(days=(iso_weekday - day.isoweekday()) % 7)


def at(day: date, hhmm: str):
    """The aware Asia/Shanghai moment of ``day`` at ``hhmm``."""
    return local_datetime(day, time.fromisoformat(hhmm))


def service(code: str) -> ServiceType:
    """The catalogue's service with ``code``."""
    return factories.service_type(code)


def iso(day: date, hhmm: str) -> str:
    """The contract's ISO local form of ``day`` at ``hhmm`` (e.g. 2026-12-01T09:30)."""
    return f"{day.isoformat()}T{hhmm}"
