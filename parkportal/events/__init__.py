"""Events: the calendar of legal-awareness events, sign-up with capacity and waitlist, check-in, calendar feeds."""

from flask import Blueprint

bp = Blueprint("events", __name__, url_prefix="/events")
