"""Bookings: lawyers' availability, free slots, appointments and their states."""

from flask import Blueprint

bp = Blueprint("bookings", __name__)

from . import views  # noqa: E402,F401
