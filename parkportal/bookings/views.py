"""Views of bookings (being built: see issue 3)."""

from __future__ import annotations

from ..web import render, roles_required
from . import bp


@bp.get("/")
@roles_required("enterprise", "staff", "lawyer")
def index():
    """The signed-in enterprise's bookings."""
    return render("bookings/index.html")


@bp.get("/new")
@roles_required("enterprise", "staff")
def new():
    """Book a lawyer."""
    return render("bookings/index.html")


@bp.get("/agenda")
@roles_required("lawyer")
def agenda():
    """The lawyer's agenda."""
    return render("bookings/index.html")


@bp.get("/availability")
@roles_required("lawyer", "staff")
def availability():
    """The lawyer's availability."""
    return render("bookings/index.html")


@bp.get("/all")
@roles_required("staff")
def staff_list():
    """All bookings for staff."""
    return render("bookings/index.html")
