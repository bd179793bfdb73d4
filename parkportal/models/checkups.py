"""Legal checkups: the questionnaire versions, a checkup per checkup booking, its findings and issued revisions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ColumnElement, ForeignKey, Index, String, Text, false, select, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..checkups.vocab import FindingStatus, Level, ReportStatus
from ..core.vocab import TOPICS, check_in
from ..extensions import db
from ..timeutil import UTCDateTime, to_local, utcnow
from .booking import Appointment
from .user import User


class Questionnaire(db.Model):
    """One version of the self-check questionnaire, as loaded from ``checkups/questionnaire.yaml``.

    A checkup keeps the version its answers were given to, so a later version of the file never changes what an
    earlier answer meant.
    """

    __tablename__ = "questionnaire"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[str] = mapped_column(String(32), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    checksum: Mapped[str] = mapped_column(String(64))  # sha256 of the file's text
    #: Read only for an older version than the package's (the checkup page needs version and checksum only).
    definition: Mapped[dict[str, Any]] = mapped_column(JSON, deferred=True)
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def _booking_clause(appointment_id, user: User) -> ColumnElement[bool]:
    """The checkup bookings ``user`` may see: the enterprise its own, the assigned lawyer theirs, staff all.

    Stricter than ``Appointment.visible_to``: a lawyer doesn't see the answers of an unassigned request.
    """
    if user.is_staff:
        return true()
    if user.is_enterprise:
        party = Appointment.enterprise_id == (user.enterprise_id or -1)
    elif user.is_lawyer:
        party = Appointment.lawyer_id == user.id
    else:
        return false()
    return appointment_id.in_(select(Appointment.id).where(party))


class Checkup(db.Model):
    """The legal checkup of one booking of the service ``checkup``: answers, report state, follow-up."""

    __tablename__ = "checkup"

    id: Mapped[int] = mapped_column(primary_key=True)
    appointment_id: Mapped[int] = mapped_column(ForeignKey("appointment.id"), unique=True)
    questionnaire_id: Mapped[int] = mapped_column(ForeignKey("questionnaire.id"), index=True)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    answers_saved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answers_finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    report_status: Mapped[str] = mapped_column(String(16), default=ReportStatus.DRAFT, index=True)
    summary: Mapped[str | None] = mapped_column(Text)
    revision: Mapped[int] = mapped_column(default=0)  # the latest issued revision (0: never issued)
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # of the latest revision
    follow_up_on: Mapped[date | None] = mapped_column(index=True)
    follow_up_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    appointment: Mapped[Appointment] = relationship()
    questionnaire: Mapped[Questionnaire] = relationship()
    findings: Mapped[list[Finding]] = relationship(back_populates="checkup", order_by="Finding.id")
    revisions: Mapped[list[ReportRevision]] = relationship(back_populates="checkup", order_by="ReportRevision.number")

    __table_args__ = (
        check_in("report_status", tuple(ReportStatus)),
        CheckConstraint("revision >= 0", name="revision"),
        CheckConstraint("report_status = 'draft' OR revision > 0", name="issued_revision"),
        CheckConstraint("answers_finished_at IS NULL OR answers_saved_at IS NOT NULL", name="finished_saved"),
    )

    @classmethod
    def visible_to(cls, user: User) -> ColumnElement[bool]:
        """The enterprise concerned, the assigned lawyer and staff."""
        return _booking_clause(cls.appointment_id, user)

    @property
    def is_finished(self) -> bool:
        """Whether the enterprise has finished the questionnaire."""
        return self.answers_finished_at is not None

    @property
    def has_report(self) -> bool:
        """Whether a revision of the report has been issued."""
        return self.revision > 0


#: Each risk level's rank, most serious first: stored with the finding, so an index serves "most serious first".
SEVERITY_RANKS = {Level.HIGH: 0, Level.MEDIUM: 1, Level.LOW: 2}
#: The rule the stored rank keeps (a CHECK on the table), in SQL.
SEVERITY_SQL = "CASE level WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END"


def _severity_of(context) -> int:
    """The rank of the level being inserted (ORM adds and bulk inserts alike)."""
    return SEVERITY_RANKS.get(context.get_current_parameters().get("level"), 2)


class Finding(db.Model):
    """One risk the lawyer found: area (a legal topic), what, legal basis, level, recommendation, deadline.

    A finding is part of the report from the revision it was issued in (``issued_in``) on and never changes after
    that; what follows is its correction: the enterprise marks it corrected, the lawyer or staff confirm it or send
    it back as not enough (open again, with why).
    """

    __tablename__ = "checkup_finding"

    id: Mapped[int] = mapped_column(primary_key=True)
    checkup_id: Mapped[int] = mapped_column(ForeignKey("checkup.id"), index=True)
    #: The checkup's enterprise (its booking's, which never changes), kept here for the park's counts by area.
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"))
    #: The checkup's lawyer (its booking's), kept here for a lawyer's list of findings. Both this and
    #: ``enterprise_id`` are taken from the booking when the finding is flushed, however it was made, and when staff
    #: move the booking to another lawyer the findings follow in the same flush (``checkups.service.init_app``).
    lawyer_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    area: Mapped[str] = mapped_column(String(32))
    finding: Mapped[str] = mapped_column(Text)
    basis: Mapped[str] = mapped_column(Text, default="")
    level: Mapped[str] = mapped_column(String(8))
    #: ``level`` as a rank (high 0, medium 1, low 2), set from it on insert; a finding's level never changes.
    severity: Mapped[int] = mapped_column(default=_severity_of)
    recommendation: Mapped[str] = mapped_column(Text, default="")
    deadline: Mapped[date | None]
    status: Mapped[str] = mapped_column(String(16), default=FindingStatus.OPEN)
    issued_in: Mapped[int | None]  # the report revision that first carried it (None: draft)
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    correction_note: Mapped[str | None] = mapped_column(Text)
    corrected_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    corrected_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # The last time a reported correction was sent back as not enough (the finding is open again), and why.
    returned_note: Mapped[str | None] = mapped_column(Text)
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    returned_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    checkup: Mapped[Checkup] = relationship(back_populates="findings")
    corrected_by: Mapped[User | None] = relationship(foreign_keys=[corrected_by_id])
    confirmed_by: Mapped[User | None] = relationship(foreign_keys=[confirmed_by_id])
    returned_by: Mapped[User | None] = relationship(foreign_keys=[returned_by_id])

    __table_args__ = (
        check_in("area", tuple(TOPICS)),
        check_in("level", tuple(Level)),
        check_in("status", tuple(FindingStatus)),
        CheckConstraint("status = 'open' OR issued_in IS NOT NULL", name="correct_issued_only"),
        CheckConstraint("status = 'open' OR corrected_at IS NOT NULL", name="corrected_when"),
        CheckConstraint("status <> 'confirmed' OR confirmed_at IS NOT NULL", name="confirmed_when"),
        CheckConstraint(f"severity = {SEVERITY_SQL}", name="severity"),
        # The park's counts by area and level for a status, from the index alone.
        Index("ix_checkup_finding_open", "status", "level", "area", "issued_in"),
        # The park's list, most serious and oldest first, for one status or for all.
        Index("ix_checkup_finding_status_severity", "status", "severity", "issued_at", "id"),
        Index("ix_checkup_finding_severity", "severity", "issued_at", "id"),
        # A lawyer's list: the findings of their checkups in the same order.
        Index("ix_checkup_finding_lawyer_severity", "lawyer_id", "status", "severity", "issued_at", "id"),
        # "Enterprises affected" per area, counted from the index alone.
        Index("ix_checkup_finding_area_enterprise", "area", "enterprise_id", "issued_in"),
        Index("ix_checkup_finding_enterprise_status", "enterprise_id", "status"),  # one enterprise's open findings
    )

    @classmethod
    def visible_to(cls, user: User) -> ColumnElement[bool]:
        """The checkup's parties; the enterprise only once the finding has been issued."""
        visible = cls.checkup_id.in_(select(Checkup.id).where(Checkup.visible_to(user)))
        if user.is_enterprise:
            return visible & cls.issued_in.is_not(None)
        return visible

    @property
    def issued_on(self) -> date | None:
        """The local day the finding was first issued (since when it is open)."""
        return to_local(self.issued_at).date() if self.issued_at else None


class AreaEnterprise(db.Model):
    """An enterprise that holds an issued finding in an area: one row per pair, written when the first such finding
    is issued, so ``AreaCount.enterprises`` counts each enterprise once per area (issued findings are never removed)."""

    __tablename__ = "checkup_area_enterprise"

    area: Mapped[str] = mapped_column(String(32), primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"), primary_key=True)


class AreaCount(db.Model):
    """How many enterprises hold an issued finding in an area ("enterprises affected"), kept with the pairs above in
    the transaction that issues the findings."""

    __tablename__ = "checkup_area_count"

    area: Mapped[str] = mapped_column(String(32), primary_key=True)
    enterprises: Mapped[int] = mapped_column(default=0)

    __table_args__ = (CheckConstraint("enterprises >= 0", name="enterprises"),)


class FindingCount(db.Model):
    """How many issued findings there are of an area, level and status (the park's counts by area and level), kept
    in the transactions that issue findings and change their status."""

    __tablename__ = "checkup_finding_count"

    area: Mapped[str] = mapped_column(String(32), primary_key=True)
    level: Mapped[str] = mapped_column(String(8), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), primary_key=True)
    findings: Mapped[int] = mapped_column(default=0)

    __table_args__ = (CheckConstraint("findings >= 0", name="findings"),)


class ReportRevision(db.Model):
    """An issued revision of a checkup report, kept as issued: the summary and the findings it carried."""

    __tablename__ = "checkup_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    checkup_id: Mapped[int] = mapped_column(ForeignKey("checkup.id"))
    number: Mapped[int]
    summary: Mapped[str] = mapped_column(Text)
    findings: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # the findings as issued, most serious first
    follow_up_on: Mapped[date | None]
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    checkup: Mapped[Checkup] = relationship(back_populates="revisions")
    issued_by: Mapped[User | None] = relationship()

    __table_args__ = (
        db.UniqueConstraint("checkup_id", "number", name="uq_checkup_revision_number"),
        CheckConstraint("number >= 1", name="number"),
    )

    @classmethod
    def visible_to(cls, user: User) -> ColumnElement[bool]:
        """Whoever may see the checkup may read every issued revision of its report."""
        return cls.checkup_id.in_(select(Checkup.id).where(Checkup.visible_to(user)))
