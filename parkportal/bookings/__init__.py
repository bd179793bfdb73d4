"""Bookings: lawyers' availability, free slots, appointments and their states."""

from flask import Blueprint

bp = Blueprint("bookings", __name__, url_prefix="/bookings")
