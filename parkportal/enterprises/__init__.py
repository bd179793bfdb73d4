"""Enterprise profiles and their verification by park staff."""

from flask import Blueprint

bp = Blueprint("enterprises", __name__)

from . import views  # noqa: E402,F401
