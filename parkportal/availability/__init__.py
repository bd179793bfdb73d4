"""Lawyers' availability: weekly plans, date exceptions, specialties, free slots and the calendar feed."""

from flask import Blueprint

bp = Blueprint("availability", __name__, url_prefix="/availability")
