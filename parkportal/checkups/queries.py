"""What the checkup pages list: a party's checkups and the park's findings by area and level (queries only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, ScalarSelect, Select, false, func, select, true
from sqlalchemy.orm import aliased, load_only, selectinload

from ..core import vocab
from ..extensions import db
from ..models import Appointment, AreaCount, Checkup, Enterprise, Finding, FindingCount, ServiceType, User
from ..timeutil import to_local
from .service import SERVICE_CODE
from .vocab import FINDING_STATUSES, RISK_LEVELS

#: Most serious first, then the oldest, by the stored rank (an index on (status, severity, issued_at, id) serves it).
PARK_ORDER = (Finding.severity, Finding.issued_at, Finding.id)


def _party(user: User) -> ColumnElement[bool]:
    """The bookings ``user`` is a party to, on the booking's own columns (as ``_booking_clause``, but an index on
    (lawyer_id, start_at) or (enterprise_id, start_at) serves it together with the newest-first order)."""
    if user.is_staff:
        return true()
    if user.is_enterprise:
        return Appointment.enterprise_id == (user.enterprise_id or -1)
    if user.is_lawyer:
        return Appointment.lawyer_id == user.id
    return false()


def _findings_of(user: User) -> ColumnElement[bool]:
    """The findings ``user`` reads in the park's list: staff every one, a lawyer those of their checkups (on the
    finding's own column, which an index serves together with the list's order), anyone else none."""
    if user.is_staff:
        return true()
    if user.is_lawyer:
        return Finding.lawyer_id == user.id
    return false()


def _checkup_service_id() -> ScalarSelect:
    """The checkup service's id, as a subquery the database answers once."""
    return select(ServiceType.id).where(ServiceType.code == SERVICE_CODE).scalar_subquery()


def my_checkups(user: User) -> Select:
    """The checkup bookings ``user`` is a party to (newest first), as rows of what the list shows: the booking's id
    and start, the enterprise's and the lawyer's names and the checkup's state if started (page them)."""
    lawyer = aliased(User)
    return (
        select(
            Appointment.id,
            Appointment.start_at,
            Enterprise.name.label("enterprise"),
            lawyer.name.label("lawyer"),
            Checkup.answers_saved_at,
            Checkup.answers_finished_at,
            Checkup.revision,
        )
        .join(Enterprise, Enterprise.id == Appointment.enterprise_id)
        .outerjoin(lawyer, lawyer.id == Appointment.lawyer_id)
        .outerjoin(Checkup, Checkup.appointment_id == Appointment.id)
        .where(
            # the service's id as a value, not a join: an index on (…, service_type_id, start_at) serves the order
            Appointment.service_type_id == _checkup_service_id(),
            _party(user),
            Appointment.status.in_(("requested", "confirmed", "completed", "no_show")),
        )
        .order_by(Appointment.start_at.desc(), Appointment.id.desc())
    )


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


def park_findings(user: User, filters: dict[str, str]) -> Select:
    """The issued findings ``user`` may read, filtered; most serious and oldest first (page them)."""
    query = (
        select(Finding)
        .options(
            selectinload(Finding.checkup).options(
                load_only(Checkup.appointment_id),
                selectinload(Checkup.appointment).options(
                    load_only(Appointment.enterprise_id, Appointment.lawyer_id),
                    selectinload(Appointment.enterprise).load_only(Enterprise.name, Enterprise.uscc),
                    selectinload(Appointment.lawyer).load_only(User.name),
                ),
            ),
        )
        .order_by(*PARK_ORDER)
    )
    return _filtered(query.where(_findings_of(user)), filters)


@dataclass(frozen=True, slots=True)
class FindingRow:
    """What the park's list shows of a finding (read in one query, no objects)."""

    id: int
    level: str
    area: str
    finding: str
    issued_at: datetime
    deadline: date | None
    status: str
    booking_id: int
    enterprise: str

    @property
    def issued_on(self) -> date:
        """The local day the finding was first issued."""
        return to_local(self.issued_at).date()


def park_rows(user: User, filters: dict[str, str]) -> Select:
    """The park's list as ``park_findings`` in the same order, but only the columns a row shows (``FindingRow``)."""
    query = (
        select(
            Finding.id,
            Finding.level,
            Finding.area,
            Finding.finding,
            Finding.issued_at,
            Finding.deadline,
            Finding.status,
            Checkup.appointment_id,
            Enterprise.name,
        )
        .join(Checkup, Checkup.id == Finding.checkup_id)
        .join(Enterprise, Enterprise.id == Finding.enterprise_id)
        .order_by(*PARK_ORDER)
    )
    return _filtered(query.where(_findings_of(user)), filters)


def matrix(filters: dict[str, str]) -> dict[str, dict[str, int]]:
    """Counts of issued findings across the whole park by area and level (the status filter applies), as kept by
    the service.

    Counts name no enterprise, so lawyers see the park's picture too; the rows behind them follow each finding's
    visibility.
    """
    query = select(FindingCount.area, FindingCount.level, func.sum(FindingCount.findings)).group_by(
        FindingCount.area, FindingCount.level
    )
    if filters.get("status"):
        query = query.where(FindingCount.status == filters["status"])
    counts: dict[str, dict[str, int]] = {}
    for area, level, count in db.session.execute(query):
        if count:
            counts.setdefault(area, {})[level] = int(count)
    return counts


def total(counts: dict[str, dict[str, int]], filters: dict[str, str]) -> int:
    """How many findings the park's matrix holds for the level and area filters (no count of its own)."""
    return sum(
        number
        for area, levels in counts.items()
        if not filters.get("area") or area == filters["area"]
        for level, number in levels.items()
        if not filters.get("level") or level == filters["level"]
    )


def common_flags() -> list[tuple[str, int]]:
    """How many enterprises in the park hold an issued finding per area (the most common first), as kept by
    ``service.count_affected``."""
    rows = db.session.execute(
        select(AreaCount.area, AreaCount.enterprises)
        .where(AreaCount.enterprises > 0)
        .order_by(AreaCount.enterprises.desc(), AreaCount.area)
    ).all()
    return [(area, count) for area, count in rows]


def enterprise_of(finding: Finding) -> Enterprise:
    """The enterprise a finding is about."""
    return finding.checkup.appointment.enterprise
