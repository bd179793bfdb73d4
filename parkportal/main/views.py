"""Views of the public pages."""

from __future__ import annotations

from flask import current_app, jsonify, redirect, request, session, url_for
from flask_login import current_user
from sqlalchemy import func, select

from .. import database
from ..extensions import db
from ..models import Enterprise, User
from ..web import render, safe_next
from . import bp


@bp.get("/")
def index():
    """The park, the 1+1+N model, the partner firm and an entry point for each role."""
    stats = {
        "enterprises": db.session.scalar(
            select(func.count()).select_from(Enterprise).where(Enterprise.status != "archived")
        ),
        "lawyers": db.session.scalar(
            select(func.count()).select_from(User).where(User.role == "lawyer", User.active.is_(True))
        ),
    }
    return render("main/index.html", stats=stats, user=current_user)


@bp.get("/privacy")
def privacy():
    """The privacy notice that registration and accepting an invitation ask people to agree to."""
    return render("main/privacy.html")


@bp.post("/language")
def set_language():
    """Remember the chosen language for this session (and for the signed-in user)."""
    lang = request.form.get("lang", "")
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
        if current_user.is_authenticated:
            current_user.locale = lang
    return redirect(safe_next(request.form.get("next")) or url_for("main.index"), code=303)


@bp.get("/healthz")
def healthz():
    """Liveness, database reachability and writability, for load balancers and monitoring.

    503 (with ``Retry-After``, like every answer about database trouble) with ``db: "unreachable"`` when the database
    doesn't answer, ``db: "read-only"`` when it answers but refuses to write (``database.health``: a write probe
    that really writes and commits).
    """
    state = database.health()
    if state != "ok":
        return jsonify(status="error", db=state), 503, database.retry_after()
    return jsonify(status="ok", db="ok")
