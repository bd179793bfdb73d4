"""Legal checkups (法律体检): the self-check questionnaire, the lawyer's risk report, corrections and follow-up."""

from flask import Blueprint

bp = Blueprint("checkups", __name__, url_prefix="/checkups")
