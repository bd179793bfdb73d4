"""Registration, sign-in and sign-out, passwords and invitations."""

from flask import Blueprint

bp = Blueprint("auth", __name__, url_prefix="/auth")
