"""Checkups: plain functions over the session that flush and never commit; the acting user is passed in.

A checkup belongs to a booking of the service ``checkup`` and is addressed by the booking's id. The enterprise
answers the questionnaire (saved part-way, finished once); the assigned lawyer records findings and issues the
report. Issuing freezes what was issued as a numbered revision: findings never change after that, and a later
change (a new finding, a new summary) is a draft of the next revision until the lawyer issues it, when the
enterprise is told. The enterprise marks issued findings corrected; the lawyer or staff confirm.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import partial
from typing import Any

from flask import Flask
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, event, func, inspect, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from ..bookings.vocab import Status
from ..core import access, audit, locking, vocab
from ..core.errors import Conflict, Invalid, NotAllowed, NotFound, WrongState
from ..core.notify import notify
from ..core.parsing import parse_date
from ..extensions import db
from ..models import (
    Appointment,
    AreaCount,
    AreaEnterprise,
    Checkup,
    Finding,
    FindingCount,
    Questionnaire,
    ReportRevision,
    User,
)
from ..timeutil import local_today, utcnow
from . import questionnaire as qn
from .vocab import FindingStatus, Level, ReportStatus

SERVICE_CODE = "checkup"
#: Booking states in which the enterprise can still answer the questionnaire.
ANSWERABLE = (Status.REQUESTED, Status.CONFIRMED)
#: Booking states in which the lawyer can record findings and issue the report.
REPORTABLE = (Status.CONFIRMED, Status.COMPLETED)
MAX_TEXT = 5000


class AnswersInvalid(Invalid):
    """Answers that can't be saved: ``errors`` maps question codes to what to fix."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(_("Please check the answers marked below."))
        self.errors = errors


# ------------------------------------------------------------------------------------------------ loading


def is_party(user: User, appointment: Appointment) -> bool:
    """Whether ``user`` may see this checkup: its enterprise's users, its assigned lawyer, staff."""
    if user.is_staff:
        return True
    if user.is_enterprise:
        return appointment.enterprise_id == user.enterprise_id
    if user.is_lawyer:
        return appointment.lawyer_id == user.id
    return False


def load_booking(ident: Any, user: User) -> Appointment:
    """The checkup booking ``ident`` if ``user`` is one of its parties, else ``NotFound`` (never 403: no probing)."""
    appointment = access.load(Appointment, ident, user)
    if appointment.service_type.code != SERVICE_CODE or not is_party(user, appointment):
        raise NotFound("not found")
    return appointment


def find_checkup(appointment: Appointment) -> Checkup | None:
    """The booking's checkup; for a rescheduled booking, the one started on the booking it was moved from."""
    seen: set[int] = set()
    current: Appointment | None = appointment
    while current is not None and current.id not in seen:
        seen.add(current.id)
        found = db.session.scalar(select(Checkup).where(Checkup.appointment_id == current.id))
        if found is not None:
            return found
        current = current.rescheduled_from
    return None


def stored_questionnaire(definition: qn.Definition | None = None) -> Questionnaire:
    """The database row of the package's questionnaire version, stored on first use.

    A file whose questions changed while its version stayed the same is refused: answers given to the stored
    version would otherwise be read against other questions.
    """
    definition = definition or qn.package_definition()
    query = select(Questionnaire).where(Questionnaire.version == definition.version)
    row = db.session.scalar(query)
    if row is None:
        row = Questionnaire(
            version=definition.version, title=definition.title, checksum=definition.checksum, definition=definition.data
        )
        try:
            with locking.insert_or_lose(Conflict("stored by another request")):
                db.session.add(row)
        except Conflict:
            return db.session.scalar(query)
        audit.record("checkup.questionnaire_loaded", row, actor=None, version=row.version)
    elif row.definition != definition.data:
        raise qn.QuestionnaireError(
            f"questionnaire.yaml changed but its version {definition.version} did not: raise the version"
        )
    return row


def definition_of(checkup: Checkup | None) -> qn.Definition:
    """The questionnaire the checkup's answers belong to (the package's current one for a checkup not started)."""
    if checkup is None:
        return qn.package_definition()
    stored = checkup.questionnaire
    package = qn.package_definition()
    if stored.version == package.version:
        return package
    return _stored_definition(stored.version, stored.checksum, stored.definition)


_STORED: dict[tuple[str, str], qn.Definition] = {}


def _stored_definition(version: str, checksum: str, data: dict) -> qn.Definition:
    """An older stored version's definition (built once per process)."""
    key = (version, checksum)
    if key not in _STORED:
        _STORED[key] = qn.from_stored(version, data)
    return _STORED[key]


def _ensure_checkup(appointment: Appointment, now: datetime) -> Checkup:
    """The booking's checkup, created (or moved over from the booking it was rescheduled from) for a write."""
    checkup = find_checkup(appointment)
    if checkup is not None:
        checkup = locking.lock(checkup)
        if checkup.appointment_id != appointment.id:
            checkup.appointment_id = appointment.id
            checkup.appointment = appointment
        return checkup
    checkup = Checkup(
        appointment_id=appointment.id,
        questionnaire_id=stored_questionnaire().id,
        answers={},
        report_status=ReportStatus.DRAFT,
        created_at=now,
    )
    with locking.insert_or_lose(Conflict(_("Someone else saved this checkup at the same moment. Please try again."))):
        db.session.add(checkup)
    return checkup


# ------------------------------------------------------------------------------------------------ answers


def save_answers(
    appointment: Appointment, actor: User, form: Any, finish: bool, now: datetime | None = None
) -> Checkup:
    """The enterprise saves answers (``form``: one field per question code); ``finish`` hands them to the lawyer.

    A draft may leave questions open; finishing needs every required one. Invalid answers raise
    ``AnswersInvalid`` (nothing saved). After finishing the answers are fixed.
    """
    now = now or utcnow()
    if not (actor.is_enterprise and actor.enterprise_id == appointment.enterprise_id):
        raise NotAllowed(_("Only the enterprise answers its checkup questionnaire."))
    locking.lock(appointment)
    if appointment.status not in ANSWERABLE:
        raise WrongState(_("This checkup booking is no longer open, so its questionnaire can't be changed."))
    checkup = _ensure_checkup(appointment, now)
    if checkup.is_finished:
        raise WrongState(_("The questionnaire has been finished and handed to the lawyer already."))
    definition = definition_of(checkup)
    given, errors = qn.parse_answers(definition, form, finish)
    merged = {**(checkup.answers or {}), **given}
    if finish and not errors:
        for code in qn.missing(definition, merged):
            errors[code] = _("Please answer this question.")
    if errors:
        raise AnswersInvalid(errors)
    checkup.answers = merged
    checkup.answers_saved_at = now
    flagged = qn.flags(definition, merged)
    if finish:
        checkup.answers_finished_at = now
        audit.record(
            "checkup.answers_finished",
            checkup,
            actor=actor,
            booking_id=appointment.id,
            version=definition.version,
            flags=len(flagged),
        )
        if appointment.lawyer is not None and appointment.lawyer.active:
            _tell([appointment.lawyer], checkup, "answers_finished", flags=len(flagged))
    else:
        audit.record(
            "checkup.answers_saved",
            checkup,
            actor=actor,
            booking_id=appointment.id,
            answered=qn.answered(definition, merged),
        )
    db.session.flush()
    return checkup


# ------------------------------------------------------------------------------------------------ report


def _check_lawyer(appointment: Appointment, actor: User) -> None:
    """Only the assigned lawyer writes the report, and only for a held or completed checkup."""
    if not (actor.is_lawyer and appointment.lawyer_id == actor.id):
        raise NotAllowed(_("Only the lawyer assigned to this checkup writes its report."))
    if appointment.status not in REPORTABLE:
        raise WrongState(_("Findings are recorded once the checkup is confirmed."))


def add_finding(
    appointment: Appointment,
    actor: User,
    *,
    area: str,
    finding: str,
    basis: str = "",
    level: str,
    recommendation: str = "",
    deadline: date | None = None,
    now: datetime | None = None,
) -> Finding:
    """The assigned lawyer records a finding; after issuing it waits for the next revision."""
    now = now or utcnow()
    _check_lawyer(appointment, actor)
    if area not in vocab.TOPICS:
        raise Invalid(_("Choose the area from the list."), "area")
    if level not in tuple(Level):
        raise Invalid(_("Choose the risk level: high, medium or low."), "level")
    finding = (finding or "").strip()
    if not finding:
        raise Invalid(_("Describe the finding."), "finding")
    if deadline is not None and deadline < local_today(now):
        raise Invalid(_("The deadline lies in the past."), "deadline")
    checkup = _ensure_checkup(appointment, now)
    row = Finding(
        checkup_id=checkup.id,
        area=area,
        finding=finding[:MAX_TEXT],
        basis=(basis or "").strip()[:MAX_TEXT],
        level=level,
        recommendation=(recommendation or "").strip()[:MAX_TEXT],
        deadline=deadline,
        status=FindingStatus.OPEN,
        created_by_id=actor.id,
        created_at=now,
    )
    db.session.add(row)
    checkup.report_status = ReportStatus.DRAFT
    db.session.flush()
    audit.record("checkup.finding_added", row, actor=actor, booking_id=appointment.id, level=level, area=area)
    return row


def remove_finding(finding: Finding, actor: User) -> None:
    """The lawyer removes a finding that has not been issued yet (an issued one stays in its revision)."""
    appointment = finding.checkup.appointment
    _check_lawyer(appointment, actor)
    locking.lock(finding.checkup)
    if finding.issued_in is not None:
        raise WrongState(_("This finding has been issued; it stays part of the report."))
    audit.record("checkup.finding_removed", finding, actor=actor, booking_id=appointment.id, finding=finding.finding)
    db.session.delete(finding)
    db.session.flush()


def _count_issued(findings: list[Finding]) -> None:
    """Count findings issued for the first time in the park's kept figures (the counts by area, level and status
    and the enterprises affected per area), in a fixed order of counter rows (two issuers never wait on each other
    crosswise)."""
    tallies: dict[tuple[str, str, str], int] = {}
    for finding in findings:
        key = (finding.area, finding.level, finding.status)
        tallies[key] = tallies.get(key, 0) + 1
    for area, level, status in sorted(tallies):
        _tally(area, level, status, tallies[(area, level, status)])
    for area, enterprise_id in sorted({(finding.area, finding.enterprise_id) for finding in findings}):
        count_affected(area, enterprise_id)


def _insert():
    """The dialect's INSERT with ON CONFLICT."""
    return postgresql_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert


def _tally(area: str, level: str, status: str, change: int) -> None:
    """Add ``change`` to the kept number of issued findings of this area, level and status (caller's transaction)."""
    table = FindingCount.__table__
    if change < 0:  # the row is there (it counts this finding); SQLite would check an INSERT's values first
        db.session.execute(
            update(table)
            .where(table.c.area == area, table.c.level == level, table.c.status == status)
            .values(findings=table.c.findings + change)
        )
        return
    row = _insert()(table).values(area=area, level=level, status=status, findings=change)
    db.session.execute(
        row.on_conflict_do_update(
            index_elements=["area", "level", "status"], set_={"findings": table.c.findings + change}
        )
    )


def _move(finding: Finding, status: str) -> None:
    """Set an issued finding's status and move it between the kept counts (rows in a fixed order)."""
    changes = {finding.status: -1, status: 1}
    for old_or_new in sorted(changes):
        _tally(finding.area, finding.level, old_or_new, changes[old_or_new])
    finding.status = status


def count_affected(area: str, enterprise_id: int) -> None:
    """Count ``enterprise_id`` among the enterprises affected in ``area`` unless it already is (an issued finding in
    that area): the pair is inserted once (the database decides between two issuers), the area's count follows in
    the caller's transaction."""
    insert = _insert()
    pair = insert(AreaEnterprise.__table__).values(area=area, enterprise_id=enterprise_id)
    if db.session.execute(pair.on_conflict_do_nothing().returning(AreaEnterprise.enterprise_id)).first() is None:
        return  # counted before
    count = insert(AreaCount.__table__).values(area=area, enterprises=1)
    db.session.execute(
        count.on_conflict_do_update(
            index_elements=["area"], set_={"enterprises": AreaCount.__table__.c.enterprises + 1}
        )
    )


def recount() -> None:
    """Rebuild the counts by area, level and status and the enterprises affected per area from the issued findings
    (after findings were written around ``issue`` and the corrections, e.g. a bulk seed). Flushes."""
    db.session.flush()
    db.session.execute(delete(FindingCount))
    db.session.execute(delete(AreaCount))
    db.session.execute(delete(AreaEnterprise))
    counts = (
        select(Finding.area, Finding.level, Finding.status, func.count())
        .where(Finding.issued_in.is_not(None))
        .group_by(Finding.area, Finding.level, Finding.status)
    )
    db.session.execute(FindingCount.__table__.insert().from_select(["area", "level", "status", "findings"], counts))
    pairs = select(Finding.area, Finding.enterprise_id).where(Finding.issued_in.is_not(None)).distinct()
    db.session.execute(AreaEnterprise.__table__.insert().from_select(["area", "enterprise_id"], pairs))
    per_area = select(AreaEnterprise.area, func.count()).group_by(AreaEnterprise.area)
    db.session.execute(AreaCount.__table__.insert().from_select(["area", "enterprises"], per_area))


def pending_changes(checkup: Checkup | None) -> bool:
    """Whether the report has findings (or is a first draft) not yet issued."""
    if checkup is None:
        return False
    return checkup.report_status == ReportStatus.DRAFT


def _snapshot(finding: Finding) -> dict[str, Any]:
    """A finding as the revision carries it."""
    return {
        "id": finding.id,
        "area": finding.area,
        "finding": finding.finding,
        "basis": finding.basis,
        "level": finding.level,
        "recommendation": finding.recommendation,
        "deadline": finding.deadline.isoformat() if finding.deadline else None,
        "issued_in": finding.issued_in,
    }


def ordered(findings: list) -> list:
    """Findings (rows or snapshots) most serious first, then in the order they were recorded."""

    def key(item):
        level = item["level"] if isinstance(item, dict) else item.level
        ident = item["id"] if isinstance(item, dict) else item.id
        return (qn.SEVERITY[Level(level)], ident)

    return sorted(findings, key=key)


def issue(
    appointment: Appointment,
    actor: User,
    summary: str,
    follow_up: date | None = None,
    now: datetime | None = None,
) -> ReportRevision:
    """The assigned lawyer issues the report (or its next revision) and the enterprise is told.

    The new revision carries every finding so far; findings issued for the first time take its number. The
    follow-up date defaults to the earliest deadline of an open finding.
    """
    now = now or utcnow()
    _check_lawyer(appointment, actor)
    summary = (summary or "").strip()
    if not summary:
        raise Invalid(_("Write a summary of the checkup for the enterprise."), "summary")
    if follow_up is not None and follow_up < local_today(now):
        raise Invalid(_("The follow-up date lies in the past."), "follow_up")
    checkup = _ensure_checkup(appointment, now)
    if follow_up is None:
        deadlines = [f.deadline for f in checkup.findings if f.deadline and f.status != FindingStatus.CONFIRMED]
        follow_up = min(deadlines) if deadlines else None
    unchanged = (
        checkup.report_status == ReportStatus.ISSUED
        and summary == (checkup.summary or "")
        and follow_up == checkup.follow_up_on
    )
    if unchanged:
        raise WrongState(_("Nothing has changed since revision %(n)d was issued.", n=checkup.revision))
    number = checkup.revision + 1
    first_issued = [finding for finding in checkup.findings if finding.issued_in is None]
    for finding in first_issued:
        finding.issued_in = number
        finding.issued_at = now
    _count_issued(first_issued)
    revision = ReportRevision(
        checkup_id=checkup.id,
        number=number,
        summary=summary[:MAX_TEXT],
        findings=[_snapshot(f) for f in ordered(list(checkup.findings))],
        follow_up_on=follow_up,
        issued_at=now,
        issued_by_id=actor.id,
    )
    with locking.insert_or_lose(Conflict(_("This revision has just been issued by someone else."))):
        db.session.add(revision)
    if follow_up != checkup.follow_up_on:
        checkup.follow_up_reminded_at = None
    checkup.revision = number
    checkup.summary = revision.summary
    checkup.follow_up_on = follow_up
    checkup.issued_at = now
    checkup.report_status = ReportStatus.ISSUED
    action = "checkup.report_issued" if number == 1 else "checkup.report_revised"
    audit.record(
        action,
        checkup,
        actor=actor,
        booking_id=appointment.id,
        revision=number,
        findings=len(revision.findings),
        follow_up=follow_up.isoformat() if follow_up else None,
    )
    _tell(appointment.enterprise.active_users, checkup, "issued" if number == 1 else "revised", revision=number)
    db.session.flush()
    return revision


# -------------------------------------------------------------------------------------------- corrections


def mark_corrected(finding: Finding, actor: User, note: str, now: datetime | None = None) -> Finding:
    """The enterprise reports an issued finding corrected, saying how; the lawyer is told."""
    now = now or utcnow()
    appointment = finding.checkup.appointment
    if not (actor.is_enterprise and actor.enterprise_id == appointment.enterprise_id):
        raise NotAllowed(_("Only the enterprise reports its corrections."))
    finding = locking.lock(finding)
    note = (note or "").strip()
    if not note:
        raise Invalid(_("Say briefly what was done to correct it."), "note")
    if finding.issued_in is None:
        raise NotFound("not issued")
    if finding.status != FindingStatus.OPEN:
        raise WrongState(_("This finding has been reported corrected already."))
    _move(finding, FindingStatus.CORRECTED)
    finding.correction_note = note[:MAX_TEXT]
    finding.corrected_at = now
    finding.corrected_by_id = actor.id
    audit.record("checkup.finding_corrected", finding, actor=actor, booking_id=appointment.id, note=note)
    if appointment.lawyer is not None and appointment.lawyer.active:
        _tell([appointment.lawyer], finding.checkup, "corrected", finding=finding)
    return finding


def _reviewable(finding: Finding, actor: User) -> tuple[Finding, Appointment]:
    """``finding`` locked for review by ``actor`` (the checkup's lawyer or staff), with its appointment."""
    appointment = finding.checkup.appointment
    if not (actor.is_staff or (actor.is_lawyer and appointment.lawyer_id == actor.id)):
        raise NotAllowed(_("The checkup's lawyer or park staff review corrections."))
    return locking.lock(finding), appointment


def confirm_correction(finding: Finding, actor: User, now: datetime | None = None) -> Finding:
    """The assigned lawyer or staff confirm a reported correction; the enterprise is told."""
    now = now or utcnow()
    finding, appointment = _reviewable(finding, actor)
    if finding.status != FindingStatus.CORRECTED:
        raise WrongState(_("Only a finding reported corrected can be confirmed."))
    _move(finding, FindingStatus.CONFIRMED)
    finding.confirmed_at = now
    finding.confirmed_by_id = actor.id
    audit.record("checkup.correction_confirmed", finding, actor=actor, booking_id=appointment.id)
    _tell(appointment.enterprise.active_users, finding.checkup, "confirmed", finding=finding)
    return finding


def return_correction(finding: Finding, actor: User, note: str, now: datetime | None = None) -> Finding:
    """The assigned lawyer or staff find a reported correction not enough: the finding is open again with what is
    still missing, and the enterprise is told."""
    now = now or utcnow()
    finding, appointment = _reviewable(finding, actor)
    note = (note or "").strip()
    if not note:
        raise Invalid(_("Say what is still missing, so the enterprise knows what to do."), "note")
    if finding.status != FindingStatus.CORRECTED:
        raise WrongState(_("Only a finding reported corrected can be sent back."))
    _move(finding, FindingStatus.OPEN)
    finding.returned_note = note[:MAX_TEXT]
    finding.returned_at = now
    finding.returned_by_id = actor.id
    audit.record("checkup.correction_returned", finding, actor=actor, booking_id=appointment.id, note=note)
    _tell(appointment.enterprise.active_users, finding.checkup, "returned", finding=finding)
    return finding


# ---------------------------------------------------------------------------------------------- follow-up


def queue_follow_ups(now: datetime | None = None) -> int:
    """Remind the enterprise and the lawyer of each issued checkup whose follow-up date has come, exactly once.

    Only checkups with findings not yet confirmed are due. Each is claimed with ``locking.claim``
    (UPDATE … WHERE follow_up_reminded_at IS NULL), so overlapping runs never both remind. Flushes; the caller
    commits. Returns how many were queued.
    """
    now = now or utcnow()
    unconfirmed = select(Finding.checkup_id).where(
        Finding.status != FindingStatus.CONFIRMED, Finding.issued_in.is_not(None)
    )
    due = db.session.scalars(
        select(Checkup)
        .where(
            Checkup.revision > 0,
            Checkup.follow_up_on.is_not(None),
            Checkup.follow_up_on <= local_today(now),
            Checkup.follow_up_reminded_at.is_(None),
            Checkup.id.in_(unconfirmed),
        )
        .order_by(Checkup.follow_up_on)
    ).all()
    queued = 0
    for checkup in due:
        if not locking.claim(Checkup, checkup.id, Checkup.follow_up_reminded_at, now):
            continue
        db.session.refresh(checkup)
        appointment = checkup.appointment
        people = appointment.enterprise.active_users
        if appointment.lawyer is not None and appointment.lawyer.active:
            people.append(appointment.lawyer)
        open_count = sum(1 for f in checkup.findings if f.issued_in and f.status != FindingStatus.CONFIRMED)
        _tell(people, checkup, "follow_up", open_count=open_count)
        audit.record("checkup.follow_up_reminded", checkup, actor=None, booking_id=appointment.id, open=open_count)
        queued += 1
    return queued


def record_download(checkup: Checkup | None, appointment: Appointment, actor: User, revision: int | None) -> None:
    """Note in the audit log who downloaded which revision of the report."""
    audit.record(
        "checkup.report_downloaded",
        checkup if checkup is not None else appointment,
        actor=actor,
        booking_id=appointment.id,
        revision=revision,
    )


# ---------------------------------------------------------------------------------------- notifications

HEADLINES = {
    "answers_finished": _l("Checkup questionnaire finished"),
    "issued": _l("Your legal checkup report is ready"),
    "revised": _l("Your legal checkup report has a new revision"),
    "corrected": _l("A checkup finding was reported corrected"),
    "confirmed": _l("A correction of your checkup was confirmed"),
    "returned": _l("A correction of your checkup was sent back: more is needed"),
    "follow_up": _l("Checkup follow-up due"),
}


def _tell(people: list[User], checkup: Checkup, kind: str, **context: Any) -> None:
    """Notify ``people`` in-app and by e-mail, each in their own language."""
    appointment = checkup.appointment
    for user in {u.id: u for u in people}.values():
        notify(
            user,
            partial(_headline_text, kind, appointment),
            ("checkups.detail", {"booking_id": appointment.id}),
            email_template="emails/checkup_update",
            checkup=checkup,
            appointment=appointment,
            kind=kind,
            headline=HEADLINES[kind],
            **context,
        )


def _headline_text(kind: str, appointment: Appointment) -> str:
    """The in-app line (rendered in the recipient's language)."""
    return _(
        "%(headline)s: %(enterprise)s (#%(id)d)",
        headline=str(HEADLINES[kind]),
        enterprise=appointment.enterprise.name,
        id=appointment.id,
    )


def parse_deadline(text: str | None, field: str = "deadline") -> date | None:
    """An optional YYYY-MM-DD date from a form; ``Invalid`` on the field when it can't be read."""
    if not (text or "").strip():
        return None
    day = parse_date(text)
    if day is None:
        raise Invalid(_("Enter the date as YYYY-MM-DD, e.g. 2026-12-01."), field)
    return day


# -------------------------------------------------------------------------------------- the finding's lawyer


def _take_booking_parties(session: Session, _context, _instances) -> None:
    """A new finding takes its enterprise and lawyer from its checkup's booking, however it was made (a lawyer's
    form, the demo, an import): the park's lists read them from the finding (``Finding.lawyer_id``)."""
    new = [obj for obj in session.new if isinstance(obj, Finding)]
    if not new:
        return
    with session.no_autoflush:
        for finding in new:
            checkup = finding.checkup or session.get(Checkup, finding.checkup_id)
            appointment = checkup.appointment
            finding.enterprise_id = appointment.enterprise_id
            finding.lawyer_id = appointment.lawyer_id


def _follow_lawyer(session: Session, _context) -> None:
    """When a flush gives a booking another lawyer, its checkup's findings follow (``Finding.lawyer_id``)."""
    for appointment in session.dirty:
        if not isinstance(appointment, Appointment):
            continue
        if not inspect(appointment).attrs.lawyer_id.history.has_changes():
            continue
        session.execute(
            update(Finding)
            .where(Finding.checkup_id.in_(select(Checkup.id).where(Checkup.appointment_id == appointment.id)))
            .values(lawyer_id=appointment.lawyer_id)
            .execution_options(synchronize_session=False)
        )


def init_app(app: Flask) -> None:
    """Install the hooks that keep each finding's enterprise and lawyer those of its booking (once; every app shares
    the session)."""
    if not event.contains(db.session, "before_flush", _take_booking_parties):
        event.listen(db.session, "before_flush", _take_booking_parties)
    if not event.contains(db.session, "after_flush", _follow_lawyer):
        event.listen(db.session, "after_flush", _follow_lawyer)
