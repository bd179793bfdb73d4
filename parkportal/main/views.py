"""Views of the public pages."""

from __future__ import annotations

from flask import current_app, jsonify, redirect, request, session, url_for
from flask_login import current_user
from sqlalchemy import func, select, text

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


#: A write that changes nothing but that a database refusing writes refuses (read-only, standby, revoked rights).
WRITE_PROBE = text("UPDATE user_account SET id = id WHERE 1 = 0")


@bp.get("/healthz")
def healthz():
    """Liveness, database reachability and writability, for load balancers and monitoring.

    503 with ``db: "unreachable"`` when the database doesn't answer, ``db: "read-only"`` when it answers but
    refuses writes (the write probe runs in a savepoint that is rolled back: nothing is ever written).
    """
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any failure to reach the database is "down"
        db.session.rollback()
        return jsonify(status="error", db="unreachable"), 503
    try:
        savepoint = db.session.begin_nested()
        try:
            db.session.execute(WRITE_PROBE)
        finally:
            savepoint.rollback()
    except Exception:  # noqa: BLE001 - whatever refuses the write, the portal can't work
        db.session.rollback()
        return jsonify(status="error", db="read-only"), 503
    return jsonify(status="ok", db="ok")
