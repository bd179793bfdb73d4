"""Error pages: a whole page for a browser, a message fragment for htmx; never a stack trace."""

from __future__ import annotations

import logging

from flask import Flask, current_app, g, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from werkzeug.exceptions import HTTPException, InternalServerError

from .api import errors as api_errors
from .database import driver_message, retry_after, unavailable
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


def _rollback() -> None:
    """End the request's transaction, whatever state it is in, so the error page can read (its navigation does)."""
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - a connection that is gone can't even roll back; the page must still come
        log.exception("rollback failed while answering an error")


def _bare_page(code: int, title: str, text: str) -> str:
    """A minimal page needing neither the database nor the templates, for when the full error page can't render."""
    return (
        f'<!doctype html><html><head><meta charset="utf-8"><title>{escape(title)}</title></head>'
        f"<body><main><h1>{escape(title)}</h1><p>{escape(text)}</p><p>{code}</p></main></body></html>"
    )


def kept_headers(error: HTTPException) -> list[tuple[str, str]]:
    """The headers an HTTP error carries (``Allow`` of a 405, ``Retry-After``, ``WWW-Authenticate``), but its body's
    ``Content-Type``: the answer has its own body."""
    return [(name, value) for name, value in error.get_headers() if name.lower() != "content-type"]


def render_error(code: int, detail: str | None = None, headers: list[tuple[str, str]] | None = None):
    """The error page, or for htmx the same message as a fragment swapped into the message area, or under the API
    the same message as its JSON error; ``headers`` (e.g. ``Allow``) are kept in every form.

    The request's transaction is rolled back first (a failed write leaves a session that can't query until then);
    if the page still can't be rendered (the database is gone), a bare page says the same.
    """
    _rollback()
    title, text = _messages().get(code, (_("Error"), _("The request could not be completed.")))
    if api_errors.wanted():
        return api_errors.answer(code, detail or text, headers or [])
    context = {"code": code, "title": title, "text": detail or text}
    htmx = {"HX-Retarget": "#messages", "HX-Reswap": "innerHTML"} if is_htmx() else {}
    try:
        body = render_template("errors/_message.html" if htmx else "errors/error.html", **context)
    except Exception:  # noqa: BLE001 - the error page must not fail in turn
        log.exception("the error page for %s could not be rendered", code)
        _rollback()
        body = _bare_page(code, title, context["text"])
    return body, code, [*(headers or []), *htmx.items()]


def database_unavailable(error: BaseException):
    """503 with ``Retry-After`` for a database that can't be reached or written: the page, fragment or API answer
    of ``render_error`` (which rolls back first), logged as one line without a traceback."""
    log.warning("database unavailable on %s %s: %s", request.method, request.path, driver_message(error))
    g.database_unavailable = True  # the user loader and the navigation's counters may give up quietly now
    _rollback()  # before the message is translated: the user's language may need a query
    message = _("The database is briefly unavailable, so nothing was saved. Please try again in a minute.")
    return current_app.make_response(render_error(503, message, headers=list(retry_after().items())))


def init_app(app: Flask) -> None:
    """Register the handlers for every HTTP error and for unexpected exceptions."""

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        """A missing or wrong CSRF token: 400 with a hint to reload the page."""
        return render_error(400, _("Your form expired or came from elsewhere. Please reload the page and try again."))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        """Every HTTP error as our own page, fragment or API answer, with the error's headers (``Allow`` …)."""
        if error.code is None or error.code < 400:
            return error
        if error.code == InternalServerError.code and unavailable(error):  # raised after the view (its commit)
            return database_unavailable(error)
        return render_error(error.code, headers=kept_headers(error))

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        """Anything else: logged, rolled back, a 500 page without a traceback."""
        if isinstance(error, HTTPException):
            return http_error(error)
        if unavailable(error):
            return database_unavailable(error)
        log.exception("unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        if app.testing and app.config.get("PROPAGATE_TEST_ERRORS", True):
            raise error
        return render_error(InternalServerError.code)
