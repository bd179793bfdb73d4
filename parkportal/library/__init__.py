"""Legal practice compilations (企业法律实务汇编): publishing, the catalogue, downloads and printed copies."""

from flask import Blueprint

bp = Blueprint("library", __name__, url_prefix="/library")
