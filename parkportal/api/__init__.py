"""The read-only JSON API for other platforms (bearer tokens issued by staff), with its OpenAPI description."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")
