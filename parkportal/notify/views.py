"""The in-app notification list."""

from __future__ import annotations

from flask import redirect, url_for
from flask_login import current_user, login_required
from sqlalchemy import select, update

from ..extensions import db
from ..models import Notification
from ..timeutil import utcnow
from ..web import hx_trigger, is_htmx, load_or_404, render, safe_next
from . import bp


@bp.get("/")
@login_required
def index():
    """The signed-in user's notifications, newest first."""
    page = db.paginate(
        select(Notification).where(Notification.user_id == current_user.id).order_by(Notification.created_at.desc()),
        per_page=30,
    )
    return render("notify/index.html", page=page)


@bp.get("/badge")
@login_required
def badge():
    """The unread counter in the navigation (refreshed by htmx after a change)."""
    return render("notify/_badge.html")


@bp.post("/<int:note_id>/read")
@login_required
def mark_read(note_id: int):
    """Mark one notification read and follow its link."""
    note = load_or_404(Notification, note_id)
    if note.read_at is None:
        note.read_at = utcnow()
    return redirect(safe_next(note.link) or url_for("notify.index"), code=303)


@bp.post("/read-all")
@login_required
def mark_all_read():
    """Mark every notification read."""
    db.session.execute(
        update(Notification)
        .where(Notification.user_id == current_user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    if is_htmx():
        return hx_trigger(redirect(url_for("notify.index"), code=303), "notifications-changed")
    return redirect(url_for("notify.index"), code=303)
