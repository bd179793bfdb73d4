"""Error pages: a whole page for a browser, a message fragment for htmx; never a stack trace."""

from __future__ import annotations

import logging

from flask import Flask, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from .extensions import db
from .web import is_htmx

log = logging.getLogger(__name__)


def _messages() -> dict[int, tuple[str, str]]:
    """Title and explanation of each HTTP error, in the page's language."""
    return {
        400: (_("Bad request"), _("The request could not be understood. Please check what you entered.")),
        403: (_("Not allowed"), _("Your account is not allowed to do this.")),
        404: (_("Not found"), _("This page does not exist, or it is not yours to see.")),
        405: (_("Wrong request method"), _("This address can't be used like this.")),
        413: (_("File too large"), _("The upload is larger than allowed. Please choose a smaller file.")),
        422: (_("Please check your input"), _("Some of what you entered can't be used.")),
        429: (
            _("Too many attempts"),
            _("You have tried too often in a short time. Please wait a minute and try again."),
        ),
        500: (_("Something went wrong"), _("An error on our side stopped this request. Nothing was saved.")),
        503: (_("Temporarily unavailable"), _("The service is briefly unavailable. Please try again soon.")),
    }


def render_error(code: int, detail: str | None = None):
    """The error page, or for htmx the same message as a fragment swapped into the message area."""
    title, text = _messages().get(code, (_("Error"), _("The request could not be completed.")))
    context = {"code": code, "title": title, "text": detail or text}
    if is_htmx():
        headers = {"HX-Retarget": "#messages", "HX-Reswap": "innerHTML"}
        return render_template("errors/_message.html", **context), code, headers
    return render_template("errors/error.html", **context), code


def init_app(app: Flask) -> None:
    """Register the handlers for every HTTP error and for unexpected exceptions."""

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        """A missing or wrong CSRF token: 400 with a hint to reload the page."""
        return render_error(400, _("Your form expired or came from elsewhere. Please reload the page and try again."))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        """Every HTTP error as our own page or fragment."""
        if error.code is None or error.code < 400:
            return error
        return render_error(error.code)

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        """Anything else: logged, rolled back, a 500 page without a traceback."""
        if isinstance(error, HTTPException):
            return http_error(error)
        log.exception("unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        if app.testing and app.config.get("PROPAGATE_TEST_ERRORS", True):
            raise error
        return render_error(InternalServerError.code)
