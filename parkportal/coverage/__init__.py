"""Coverage: stated needs, every service touch counted once, the staff dashboard, exports and the yearly report."""

from flask import Blueprint

bp = Blueprint("coverage", __name__, url_prefix="/coverage")
