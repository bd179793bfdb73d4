"""What the checkup pages list: a party's checkups and the park's findings by area and level (queries only)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import selectinload

from ..core import vocab
from ..extensions import db
from ..models import Appointment, Checkup, Enterprise, Finding, ServiceType, User
from ..models.checkups import _booking_clause
from .service import SERVICE_CODE
from .vocab import FINDING_STATUSES, RISK_LEVELS

#: Severity as a sortable number (high first).
SEVERITY_ORDER = case({"high": 0, "medium": 1, "low": 2}, value=Finding.level)


def my_checkups(user: User) -> list[tuple[Appointment, Checkup | None]]:
    """The checkup bookings ``user`` is a party to (newest first), each with its checkup if started."""
    rows = db.session.execute(
        select(Appointment, Checkup)
        .join(ServiceType, ServiceType.id == Appointment.service_type_id)
        .outerjoin(Checkup, Checkup.appointment_id == Appointment.id)
        .where(
            ServiceType.code == SERVICE_CODE,
            _booking_clause(Appointment.id, user),
            Appointment.status.in_(("requested", "confirmed", "completed", "no_show")),
        )
        .options(selectinload(Appointment.enterprise), selectinload(Appointment.lawyer))
        .order_by(Appointment.start_at.desc())
        .limit(200)
    ).all()
    return [(appointment, checkup) for appointment, checkup in rows]


def read_filters(args: Any) -> dict[str, str]:
    """The park list's filters from the query string; unknown values are ignored (shown as 'all')."""
    level = args.get("level", "")
    area = args.get("area", "")
    status = args.get("status", "open")
    return {
        "level": level if level in RISK_LEVELS else "",
        "area": area if area in vocab.TOPICS else "",
        "status": status if status in FINDING_STATUSES else ("" if status == "all" else "open"),
    }


def _filtered(query, filters: dict[str, str]):
    """``query`` over issued findings narrowed by the filters."""
    query = query.where(Finding.issued_in.is_not(None))
    if filters.get("level"):
        query = query.where(Finding.level == filters["level"])
    if filters.get("area"):
        query = query.where(Finding.area == filters["area"])
    if filters.get("status"):
        query = query.where(Finding.status == filters["status"])
    return query


def park_findings(user: User, filters: dict[str, str], limit: int = 500) -> list[Finding]:
    """The issued findings ``user`` may read, filtered; most serious and oldest first."""
    query = (
        select(Finding)
        .join(Checkup, Checkup.id == Finding.checkup_id)
        .where(Finding.visible_to(user))
        .options(
            selectinload(Finding.checkup).selectinload(Checkup.appointment).selectinload(Appointment.enterprise),
            selectinload(Finding.checkup).selectinload(Checkup.appointment).selectinload(Appointment.lawyer),
        )
        .order_by(SEVERITY_ORDER, Finding.issued_at, Finding.id)
    )
    return list(db.session.scalars(_filtered(query, filters).limit(limit)))


def matrix(filters: dict[str, str]) -> dict[str, dict[str, int]]:
    """Counts of issued findings across the whole park by area and level (the status filter applies).

    Counts name no enterprise, so lawyers see the park's picture too; the rows behind them follow each finding's
    visibility.
    """
    query = _filtered(
        select(Finding.area, Finding.level, func.count()).group_by(Finding.area, Finding.level),
        {"status": filters.get("status", "")},
    )
    counts: dict[str, dict[str, int]] = {}
    for area, level, count in db.session.execute(query):
        counts.setdefault(area, {})[level] = count
    return counts


def common_flags() -> list[tuple[str, int]]:
    """How many enterprises in the park hold an issued finding per area (the most common first)."""
    rows = db.session.execute(
        select(Finding.area, func.count(func.distinct(Appointment.enterprise_id)))
        .join(Checkup, Checkup.id == Finding.checkup_id)
        .join(Appointment, Appointment.id == Checkup.appointment_id)
        .where(Finding.issued_in.is_not(None))
        .group_by(Finding.area)
        .order_by(func.count(func.distinct(Appointment.enterprise_id)).desc())
    ).all()
    return [(area, count) for area, count in rows]


def enterprise_of(finding: Finding) -> Enterprise:
    """The enterprise a finding is about."""
    return finding.checkup.appointment.enterprise
