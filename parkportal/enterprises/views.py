"""Views of enterprises: an enterprise's own page, staff's roster and verification."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..core import paging, vocab
from ..core.errors import DomainError, NotFound
from ..core.parsing import parse_page
from ..core.search import contains
from ..models import Enterprise
from ..web import actor, load_or_404, refuse, render, roles_required
from . import bp, roster, service
from . import vocab as enterprise_vocab
from .forms import ProfileForm, RejectForm, RosterForm

#: Rows per page of the roster.
PER_PAGE = 25


@bp.get("/mine")
@roles_required("enterprise")
def mine():
    """The signed-in user's enterprise: its verification state, details and colleagues."""
    return render("enterprises/mine.html", enterprise=current_user.enterprise)


@bp.route("/mine/edit", methods=["GET", "POST"])
@roles_required("enterprise")
def edit_mine():
    """The enterprise's users keep its details up to date (name and USCC until it is verified)."""
    enterprise = current_user.enterprise
    if enterprise is None or enterprise.status == "archived":
        abort(404)
    form = ProfileForm(obj=enterprise if request.method == "GET" else None).fit(enterprise)
    if not form.validate_on_submit():
        return render(
            "enterprises/edit.html", form=form, enterprise=enterprise, status=422 if form.is_submitted() else 200
        )
    try:
        changed = service.update_profile(enterprise, actor(), form.values())
    except DomainError as error:
        return refuse(
            error,
            lambda code, _message: render("enterprises/edit.html", form=form, enterprise=enterprise, status=code),
            form,
        )
    flash(_("The details are saved.") if changed else _("Nothing was changed."), "success")
    return redirect(url_for("enterprises.mine"), code=303)


@bp.post("/mine/resubmit")
@roles_required("enterprise")
def resubmit():
    """Send the corrected registration back to the station."""
    enterprise = current_user.enterprise
    if enterprise is None:
        abort(404)
    try:
        service.resubmit(enterprise, actor())
    except DomainError as error:
        return refuse(
            error,
            lambda code, message: render("enterprises/mine.html", enterprise=enterprise, error=message, status=code),
        )
    flash(_("Thank you. The park service station will check your registration again."), "success")
    return redirect(url_for("enterprises.mine"), code=303)


@bp.get("/")
@roles_required("staff")
def index():
    """Staff's roster with a live search and a status filter; pending registrations first."""
    q = request.args.get("q", "").strip()
    status = request.args.get("status", "")
    query = select(Enterprise)
    if status in enterprise_vocab.ENTERPRISE_STATUSES:
        query = query.where(Enterprise.status == status)
    if q:
        query = query.where(contains(q, Enterprise.name, Enterprise.uscc, Enterprise.contact_name))
    query = query.order_by(Enterprise.name, Enterprise.id)  # the name index serves the order
    number = parse_page(request.args.get("page"))
    # Paged without a count: a search that matches most of a district's roster would count every row.
    if status in enterprise_vocab.ENTERPRISE_STATUSES:
        page = paging.look_ahead(query, number, PER_PAGE)
    else:  # the few pending registrations first, then the rest, each part in name order
        pending = Enterprise.status == "pending"
        page = paging.look_ahead_chain([query.where(pending), query.where(~pending)], number, PER_PAGE)
    return render("enterprises/index.html", "results", page=page, q=q, status_filter=status)


@bp.route("/roster", methods=["GET", "POST"])
@roles_required("staff")
def roster_upload():
    """Upload the park's roster: first a preview of what it would change, row by row, with each row's problems."""
    form = RosterForm()

    def page(code: int, _message: str | None = None):
        return render("enterprises/roster.html", form=form, status=code)

    if not form.validate_on_submit():
        return page(422 if form.is_submitted() else 200)
    upload = form.file.data
    data = upload.read()
    try:
        import_plan = roster.plan(roster.read(upload.filename, data))
    except DomainError as error:
        return refuse(error, page, form)
    token = roster.keep(upload.filename, data)
    return render("enterprises/roster_preview.html", plan=import_plan, token=token, filename=upload.filename)


@bp.post("/roster/<token>/apply")
@roles_required("staff")
def roster_apply(token: str):
    """Apply a previewed roster in one transaction: new enterprises created, known ones updated, bad rows skipped.

    Refused (the upload page again, nothing written) when the file is no longer within the limits or another
    import has just created the same enterprises (409)."""
    try:
        filename, data = roster.kept(token)
    except NotFound:
        abort(404)
    form = RosterForm()
    try:
        summary = roster.apply(roster.plan(roster.read(filename, data)), actor(), filename)
    except DomainError as error:
        return refuse(error, lambda code, _message: render("enterprises/roster.html", form=form, status=code), form)
    roster.forget(token)
    flash(
        _(
            "Roster imported: %(create)d new, %(update)d updated, %(unchanged)d unchanged, %(skip)d rows skipped.",
            **summary,
        ),
        "success",
    )
    return redirect(url_for("enterprises.index"), code=303)


@bp.get("/roster/<token>/problems.csv")
@roles_required("staff")
def roster_problems(token: str):
    """The previewed roster's rows with problems, as a CSV to correct and import again."""
    try:
        filename, data = roster.kept(token)
        body = roster.problems_csv(roster.plan(roster.read(filename, data)))
    except DomainError as error:  # unknown token: 404; a file beyond limits lowered since the preview: 422
        form = RosterForm(formdata=None)
        return refuse(error, lambda code, _message: render("enterprises/roster.html", form=form, status=code), form)
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=roster-problems.csv"},
    )


@bp.get("/<int:enterprise_id>")
@roles_required("staff")
def detail(enterprise_id: int):
    """One enterprise for staff, with its users and the actions on it."""
    enterprise = load_or_404(Enterprise, enterprise_id)
    return render("enterprises/detail.html", enterprise=enterprise, reject_form=RejectForm(formdata=None))


@bp.post("/<int:enterprise_id>/reject")
@roles_required("staff")
def reject(enterprise_id: int):
    """Return a registration for correction with a note; the enterprise's users are told."""
    enterprise = load_or_404(Enterprise, enterprise_id)
    form = RejectForm()

    def page(code: int, message: str | None = None):
        return render("enterprises/detail.html", enterprise=enterprise, reject_form=form, error=message, status=code)

    if not form.validate():
        return page(422)
    try:
        service.reject(enterprise, form.reason.data, actor())
    except DomainError as error:
        return refuse(error, page, form)
    flash(_("%(name)s is returned for correction; its users are told.", name=enterprise.name), "success")
    return redirect(url_for("enterprises.detail", enterprise_id=enterprise.id), code=303)


@bp.post("/<int:enterprise_id>/status")
@roles_required("staff")
def set_status(enterprise_id: int):
    """Verify, archive or reopen an enterprise; its users are told, the audit log records it."""
    enterprise = load_or_404(Enterprise, enterprise_id)
    status = request.form.get("status", "")
    if status not in ("pending", "verified", "archived"):  # returning for correction needs a note: see reject()
        abort(400)
    service.set_status(enterprise, status, actor())
    flash(
        _(
            "%(name)s: %(status)s.",
            name=enterprise.name,
            status=vocab.label(enterprise_vocab.ENTERPRISE_STATUSES, status),
        ),
        "success",
    )
    return redirect(url_for("enterprises.detail", enterprise_id=enterprise.id), code=303)
