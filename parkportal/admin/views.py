"""Views of staff administration."""

from __future__ import annotations

import secrets

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from .. import accounts
from ..auth import tokens
from ..core import audit, paging, vocab
from ..core.notify import queue_email
from ..core.parsing import parse_page
from ..extensions import db
from ..models import User
from ..models.user import new_session_token
from ..web import actor, load_or_404, render, roles_required
from . import bp, queries
from .forms import CreateUserForm

#: Entries per page of the audit log.
AUDIT_PER_PAGE = 50


@bp.get("/users")
@roles_required("staff")
def users():
    """Lawyer and staff accounts (enterprise users are listed with their enterprise)."""
    role = request.args.get("role", "")
    query = select(User).order_by(User.role, User.name)
    query = query.where(User.role == role) if role in vocab.ROLES else query.where(User.role != "enterprise")
    return render("admin/users.html", users=db.session.scalars(query).all(), role=role)


@bp.route("/users/new", methods=["GET", "POST"])
@roles_required("staff")
def create_user():
    """Create a lawyer or staff account and e-mail them an invitation to set their own password."""
    form = CreateUserForm()
    if form.validate_on_submit():
        user = accounts.create_user(
            email=form.email.data,
            password=secrets.token_urlsafe(32),  # nobody knows it: the invitation link sets the real one
            role=form.role.data,
            name=form.name.data,
            phone=form.phone.data,
        )
        if user.lawyer_profile is not None:
            user.lawyer_profile.title = form.title.data or None
            user.lawyer_profile.specialties = ",".join(form.specialties.data or [])
        link = url_for("auth.setup_account", token=tokens.account_setup_token(user), _external=True)
        queue_email(user.email, "emails/account_setup", locale=user.locale, user=user, link=link)
        audit.record("user.created", user, actor=actor(), role=user.role, email=user.email)
        flash(
            _("The account for %(name)s has been created; an invitation to set a password is sent.", name=user.name),
            "success",
        )
        return redirect(url_for("admin.users"), code=303)
    return render("admin/create_user.html", form=form, status=422 if form.is_submitted() else 200)


@bp.post("/users/<int:user_id>/active")
@roles_required("staff")
def set_active(user_id: int):
    """Deactivate or reactivate an account (never one's own)."""
    user = load_or_404(User, user_id)
    if user.id == current_user.id:
        flash(_("You can't deactivate your own account."), "error")
        return redirect(url_for("admin.users"), code=303)
    user.active = request.form.get("active") == "1"
    if not user.active:
        user.session_token = new_session_token()
    audit.record("user.activated" if user.active else "user.deactivated", user, actor=actor())
    flash(
        _("%(name)s is now %(state)s.", name=user.name, state=_("active") if user.active else _("deactivated")),
        "success",
    )
    return redirect(url_for("admin.users"), code=303)


@bp.get("/audit")
@roles_required("staff")
def audit_log():
    """The audit log, newest first, as sentences; filtered by person, action, object and dates (htmx keeps the URL)."""
    filters = queries.read_filters(request.args)
    # Paged without a count: the log grows with everything the district does.
    page = paging.look_ahead(queries.entries(filters), parse_page(request.args.get("page")), AUDIT_PER_PAGE)
    if page.page > 1 and not page.items:
        abort(404)
    mentioned = queries.mentioned_users(page.items)
    names = {
        ident: name for ident, name in db.session.execute(select(User.id, User.name).where(User.id.in_(mentioned)))
    }
    return render(
        "admin/audit.html",
        "results",
        page=page,
        lines=queries.describe(page.items, names),
        filters=filters,
        status=422 if filters.problems else 200,
    )
