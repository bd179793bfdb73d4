"""Views of checkups: thin — load the checkup booking (404 unless a party), check the role, call ``service``,
render the page (or the park list's fragment for htmx), or send the PDF / CSV."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, flash, redirect, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from ..core import locking, paging
from ..core.errors import DomainError, NotFound
from ..core.parsing import parse_date, parse_int, parse_page
from ..extensions import db
from ..models import Appointment, Checkup, Finding, ReportRevision
from ..timeutil import local_today
from ..web import actor, load_or_404, refuse, render, roles_required
from . import bp, queries, report, service
from . import questionnaire as qn
from .forms import CorrectForm, FindingForm, IssueForm, ReturnForm

PARTIES = ("enterprise", "lawyer", "staff")
#: Rows per page of the checkups list and of the park's findings (each pages on its own: ``page``, ``findings_page``).
CHECKUPS_PER_PAGE = 20
FINDINGS_PER_PAGE = 25
#: The CSV export's limit.
EXPORT_LIMIT = 100_000


def _load(booking_id: int) -> Appointment:
    """The checkup booking if the signed-in user is one of its parties, else 404."""
    try:
        return service.load_booking(booking_id, current_user)
    except NotFound:
        abort(404)


def _english() -> bool:
    """Whether the page is shown in English."""
    locale = get_locale()
    return locale is not None and locale.language == "en"


def _writes_report(appointment: Appointment) -> bool:
    """Whether the signed-in user is the lawyer assigned to this checkup."""
    return current_user.is_lawyer and appointment.lawyer_id == current_user.id


def _items(checkup: Checkup | None, revision: ReportRevision | None) -> list[dict[str, Any]]:
    """The findings to show: a revision's as issued (with their live correction state), else the working copy."""
    if checkup is None:
        return []
    rows = {finding.id: finding for finding in checkup.findings}
    if revision is not None:
        return [{**snap, "row": rows.get(snap["id"])} for snap in revision.findings]
    return [{**service._snapshot(f), "row": f} for f in service.ordered(list(checkup.findings))]


def _shown_revision(checkup: Checkup | None) -> ReportRevision | None:
    """The revision asked for with ``?revision=N``, else the latest (``None`` before the first is issued)."""
    if checkup is None or not checkup.revisions:
        return None
    wanted = parse_int(request.args.get("revision"), 1, 10_000)
    if wanted is not None:
        found = next((r for r in checkup.revisions if r.number == wanted), None)
        if found is None:
            abort(404)
        return found
    return checkup.revisions[-1]


def _page(
    appointment: Appointment,
    status: int = 200,
    *,
    error: str | None = None,
    answers: dict | None = None,
    answer_errors: dict | None = None,
    finding_form: FindingForm | None = None,
    issue_form: IssueForm | None = None,
    correct_forms: dict[int, CorrectForm] | None = None,
    return_forms: dict[int, ReturnForm] | None = None,
):
    """The checkup page: questionnaire or answers with flags, findings, report revisions, the forms the user may use."""
    checkup = service.find_checkup(appointment)
    definition = service.definition_of(checkup)
    if answers is None:
        answers = dict(checkup.answers or {}) if checkup else {}
    revision = _shown_revision(checkup)
    enterprise_view = current_user.is_enterprise
    if issue_form is None:
        issue_form = IssueForm(formdata=None)
        if checkup is not None:
            issue_form.summary.data = checkup.summary or ""
            issue_form.follow_up.data = checkup.follow_up_on.isoformat() if checkup.follow_up_on else ""
    return render(
        "checkups/detail.html",
        status=status,
        appointment=appointment,
        checkup=checkup,
        definition=definition,
        answers=answers,
        answer_errors=answer_errors or {},
        flags=qn.flags(definition, answers),
        answered=qn.answered(definition, answers),
        revision=revision,
        latest=revision is not None and revision.number == checkup.revision,
        # The enterprise reads issued revisions only; the lawyer and staff work on the current findings.
        items=_items(checkup, revision) if enterprise_view else _items(checkup, None),
        pending=service.pending_changes(checkup) and bool(checkup.findings or checkup.revision),
        can_answer=enterprise_view
        and appointment.status in service.ANSWERABLE
        and not (checkup and checkup.is_finished),
        writes_report=_writes_report(appointment) and appointment.status in service.REPORTABLE,
        finding_form=finding_form or FindingForm(formdata=None),
        issue_form=issue_form,
        correct_forms=correct_forms or {},
        new_correct_form=lambda: CorrectForm(formdata=None),
        return_forms=return_forms or {},
        new_return_form=lambda: ReturnForm(formdata=None),
        english=_english(),
        tr=qn.text_for,
        error=error,
        today=local_today(),
    )


@bp.get("/")
@roles_required(*PARTIES)
def index():
    """The signed-in party's checkups; for staff and lawyers also the park's findings by area and level."""
    filters = queries.read_filters(request.args)
    checkups = paging.look_ahead(
        queries.my_checkups(current_user), parse_page(request.args.get("page")), CHECKUPS_PER_PAGE, rows=True
    )
    context: dict[str, Any] = {"checkups": checkups, "filters": filters}
    if not current_user.is_enterprise:
        matrix = queries.matrix(filters)
        context.update(
            matrix=matrix,
            # Staff's list holds every finding the counts do; a lawyer's only their own checkups' (not counted).
            findings_total=queries.total(matrix, filters) if current_user.is_staff else None,
            findings=_rows(
                paging.look_ahead(
                    queries.park_rows(current_user, filters),
                    parse_page(request.args.get("findings_page")),
                    FINDINGS_PER_PAGE,
                    rows=True,
                )
            ),
            common=queries.common_flags(),
            today=local_today(),
        )
    return render("checkups/index.html", "results", **context)


def _rows(window: paging.Window) -> paging.Window:
    """The park list's page with each row as a ``FindingRow``."""
    window.items = [queries.FindingRow(*row) for row in window.items]
    return window


@bp.get("/findings.csv")
@roles_required("lawyer", "staff")
def export():
    """The park's findings the user may read, filtered like the list, as CSV."""
    today = local_today()
    query = queries.park_findings(current_user, queries.read_filters(request.args)).limit(EXPORT_LIMIT)
    findings = db.session.scalars(query).all()
    return Response(
        report.findings_csv(findings, today),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{report.csv_filename(today)}"'},
    )


@bp.get("/<int:booking_id>")
@roles_required(*PARTIES)
def detail(booking_id: int):
    """The questionnaire for the enterprise; answers, flags and findings for the lawyer; the report once issued."""
    return _page(_load(booking_id))


@bp.post("/<int:booking_id>/answers")
@roles_required(*PARTIES)
def answers(booking_id: int):
    """Save the questionnaire's answers as a draft, or (with ``finish``) hand them to the lawyer."""
    appointment = _load(booking_id)
    if not current_user.is_enterprise:
        abort(403)
    finish = "finish" in request.form
    try:
        service.save_answers(appointment, actor(), request.form, finish)
    except service.AnswersInvalid as problem:
        checkup = service.find_checkup(appointment)
        given, _errors = qn.parse_answers(service.definition_of(checkup), request.form, finish)
        kept = {**((checkup.answers or {}) if checkup else {}), **given}
        return _page(appointment, 422, error=problem.message, answers=kept, answer_errors=problem.errors)
    except DomainError as problem:
        return refuse(problem, lambda code, message: _page(appointment, code, error=message))
    if finish:
        flash(_("Thank you! Your answers are with the lawyer, who will go through them before the visit."), "success")
        return redirect(url_for("checkups.detail", booking_id=appointment.id), code=303)
    flash(_("Saved. You can come back and finish the questionnaire later."), "success")
    return redirect(url_for("checkups.detail", booking_id=appointment.id) + "#questionnaire", code=303)


@bp.post("/<int:booking_id>/findings")
@roles_required(*PARTIES)
def add_finding(booking_id: int):
    """The assigned lawyer records a finding."""
    appointment = _load(booking_id)
    if not _writes_report(appointment):
        abort(403)
    form = FindingForm()
    if not form.validate():
        return _page(appointment, 422, finding_form=form)
    try:
        finding = service.add_finding(
            appointment,
            actor(),
            area=form.area.data,
            finding=form.finding.data,
            basis=form.basis.data or "",
            level=form.level.data,
            recommendation=form.recommendation.data or "",
            deadline=parse_date(form.deadline.data),
        )
    except DomainError as problem:
        return refuse(problem, lambda code, message: _page(appointment, code, error=message, finding_form=form), form)
    flash(_("Finding recorded. It reaches the enterprise when you issue the report."), "success")
    return redirect(url_for("checkups.detail", booking_id=appointment.id) + f"#finding-{finding.id}", code=303)


@bp.post("/<int:booking_id>/issue")
@roles_required(*PARTIES)
def issue(booking_id: int):
    """The assigned lawyer issues the report (or its next revision); the enterprise is told."""
    appointment = _load(booking_id)
    if not _writes_report(appointment):
        abort(403)
    form = IssueForm()
    if not form.validate():
        return _page(appointment, 422, issue_form=form)
    try:
        revision = service.issue(appointment, actor(), form.summary.data, parse_date(form.follow_up.data))
    except DomainError as problem:
        return refuse(problem, lambda code, message: _page(appointment, code, error=message, issue_form=form), form)
    if revision.number == 1:
        flash(_("The report is issued. The enterprise has been told."), "success")
    else:
        flash(_("Revision %(n)d is issued. The enterprise has been told.", n=revision.number), "success")
    return redirect(url_for("checkups.detail", booking_id=appointment.id), code=303)


@bp.get("/<int:booking_id>/report.pdf")
@roles_required(*PARTIES)
def report_pdf(booking_id: int):
    """The report as an A4 PDF: an issued revision (``?revision=N``, else the latest); lawyer and staff get a draft."""
    appointment = _load(booking_id)
    checkup = service.find_checkup(appointment)
    revision = _shown_revision(checkup)
    if revision is None and current_user.is_enterprise:
        abort(404)  # nothing issued yet
    if revision is not None:
        data = {
            "number": revision.number,
            "summary": revision.summary,
            "issued_at": revision.issued_at,
            "follow_up_on": revision.follow_up_on,
            "items": _items(checkup, revision),
        }
    else:
        data = {
            "number": None,
            "summary": checkup.summary if checkup else "",
            "issued_at": None,
            "follow_up_on": checkup.follow_up_on if checkup else None,
            "items": _items(checkup, None),
        }
    body = report.pdf(appointment, checkup, data, english=_english(), draft=revision is None)
    with locking.write_transaction():
        service.record_download(checkup, appointment, actor(), data["number"])
    return Response(
        body,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{report.filename(appointment, data["number"])}"'},
    )


def _finding(finding_id: int) -> Finding:
    """A finding the signed-in user may see (the enterprise: issued ones only), else 404."""
    return load_or_404(Finding, finding_id)


def _back(finding: Finding):
    """Back to the finding on its checkup page."""
    booking_id = finding.checkup.appointment_id
    return redirect(url_for("checkups.detail", booking_id=booking_id) + f"#finding-{finding.id}", code=303)


@bp.post("/findings/<int:finding_id>/correct")
@roles_required(*PARTIES)
def correct(finding_id: int):
    """The enterprise reports a finding corrected, with a note."""
    finding = _finding(finding_id)
    if not current_user.is_enterprise:
        abort(403)
    appointment = finding.checkup.appointment
    form = CorrectForm()
    forms = {finding.id: form}
    if not form.validate():
        return _page(appointment, 422, correct_forms=forms)
    try:
        service.mark_corrected(finding, actor(), form.note.data)
    except DomainError as problem:
        return refuse(problem, lambda code, message: _page(appointment, code, error=message, correct_forms=forms), form)
    flash(_("Thank you. The lawyer will confirm the correction."), "success")
    return _back(finding)


@bp.post("/findings/<int:finding_id>/confirm")
@roles_required(*PARTIES)
def confirm(finding_id: int):
    """The assigned lawyer or staff confirm a reported correction."""
    finding = _finding(finding_id)
    if current_user.is_enterprise:
        abort(403)
    try:
        service.confirm_correction(finding, actor())
    except DomainError as problem:
        appointment = finding.checkup.appointment
        return refuse(problem, lambda code, message: _page(appointment, code, error=message))
    flash(_("Correction confirmed. The enterprise has been told."), "success")
    return _back(finding)


@bp.post("/findings/<int:finding_id>/return")
@roles_required(*PARTIES)
def send_back(finding_id: int):
    """The assigned lawyer or staff send a reported correction back as not enough, saying what is missing."""
    finding = _finding(finding_id)
    if current_user.is_enterprise:
        abort(403)
    appointment = finding.checkup.appointment
    form = ReturnForm()
    forms = {finding.id: form}
    if not form.validate():
        return _page(appointment, 422, return_forms=forms)
    try:
        service.return_correction(finding, actor(), form.note.data)
    except DomainError as problem:
        return refuse(problem, lambda code, message: _page(appointment, code, error=message, return_forms=forms), form)
    flash(_("The correction is sent back. The enterprise has been told what is missing."), "success")
    return _back(finding)


@bp.post("/findings/<int:finding_id>/delete")
@roles_required(*PARTIES)
def remove(finding_id: int):
    """The assigned lawyer removes a finding not yet issued."""
    finding = _finding(finding_id)
    appointment = finding.checkup.appointment
    if not _writes_report(appointment):
        abort(403)
    try:
        service.remove_finding(finding, actor())
    except DomainError as problem:
        return refuse(problem, lambda code, message: _page(appointment, code, error=message))
    flash(_("The draft finding is removed."), "success")
    return redirect(url_for("checkups.detail", booking_id=appointment.id) + "#findings", code=303)
