"""Enterprise profiles and their verification by park staff."""

from flask import Blueprint

bp = Blueprint("enterprises", __name__, url_prefix="/enterprises")
