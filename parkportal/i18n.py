"""Language: Simplified Chinese by default, English on request; every user-facing string goes through Babel."""

from __future__ import annotations

from flask import Flask, current_app, has_request_context, request, session
from flask_login import current_user

from .extensions import babel


def select_locale() -> str:
    """``?lang=`` for this request, else the language chosen in this session, else the user's, else zh_CN."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # command-line tasks (send-reminders, seed-demo) speak the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    for candidate in (
        request.args.get("lang"),
        session.get("lang"),
        getattr(current_user, "locale", None) if current_user else None,
    ):
        if candidate in languages:
            return candidate
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def init_app(app: Flask) -> None:
    """Bind Flask-Babel with the locale selector and a fixed display timezone."""
    babel.init_app(
        app,
        locale_selector=select_locale,
        timezone_selector=lambda: app.config["DISPLAY_TIMEZONE"],
    )
