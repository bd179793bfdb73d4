"""Notifications: the e-mail outbox, its delivery, and the in-app list."""

from flask import Blueprint

bp = Blueprint("notify", __name__, url_prefix="/notifications")
