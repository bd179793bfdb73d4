"""Views of enterprises: an enterprise's own page, staff's roster and verification."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..core import vocab
from ..core.search import contains
from ..extensions import db
from ..models import Enterprise
from ..web import actor, load_or_404, render, roles_required
from . import bp, service
from . import vocab as enterprise_vocab


@bp.get("/mine")
@roles_required("enterprise")
def mine():
    """The signed-in user's enterprise: its verification state, details and colleagues."""
    return render("enterprises/mine.html", enterprise=current_user.enterprise)


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
    query = query.order_by((Enterprise.status == "pending").desc(), Enterprise.name)
    page = db.paginate(query, per_page=25)
    return render("enterprises/index.html", "results", page=page, q=q, status_filter=status)


@bp.get("/<int:enterprise_id>")
@roles_required("staff")
def detail(enterprise_id: int):
    """One enterprise for staff, with its users and the actions on it."""
    enterprise = load_or_404(Enterprise, enterprise_id)
    return render("enterprises/detail.html", enterprise=enterprise)


@bp.post("/<int:enterprise_id>/status")
@roles_required("staff")
def set_status(enterprise_id: int):
    """Verify, archive or reopen an enterprise; its users are told, the audit log records it."""
    enterprise = load_or_404(Enterprise, enterprise_id)
    status = request.form.get("status", "")
    if status not in enterprise_vocab.ENTERPRISE_STATUSES:
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
