"""Security headers on every response, the refusal of control characters in any request, and the login cookie's
loader."""

from __future__ import annotations

import hmac
import re

from flask import Flask, abort, current_app, g, request
from sqlalchemy.exc import SQLAlchemyError

from .core.parsing import MAX_PAGE, parse_int
from .database import unavailable
from .extensions import login_manager

#: Control characters no URL and no form value has a use for (a form may hold tabs and line breaks).
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_IN_FORMS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def refuse_unusable_requests():
    """Answer 400 to a request whose path, query (names or values) or form fields hold control characters, and 404
    to a ``page`` that no list can have — after the view's own ``gate`` (the API's bearer token), if it has one, so
    that a caller the view refuses learns nothing from the request's arguments.

    NUL can't be stored by PostgreSQL, an escape or a line break in a query argument has no meaning to any page, and
    refusing them here — before any view, form or query runs — holds for every route, also for views that read
    ``request.args`` or ``request.form`` themselves and for routes added later. (Tabs and line breaks stay allowed
    in form fields: text areas hold lines; ``parkportal.fields.Form`` folds them in single-line fields.)
    """
    gate = getattr(current_app.view_functions.get(request.endpoint or ""), "gate", None)
    if gate is not None and (refusal := gate()) is not None:
        return refusal
    if _CONTROL.search(request.path):
        abort(400)
    for key, value in request.args.items(multi=True):
        if _CONTROL.search(key) or _CONTROL.search(value):
            abort(400)
    page = request.args.get("page", "").strip()
    if page and parse_int(page, 1, MAX_PAGE) is None:
        abort(404)  # beyond 64 bits, thousands of digits, other digits, negative: no such page
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        for key, value in request.form.items(multi=True):
            if _CONTROL.search(key) or _CONTROL_IN_FORMS.search(value):
                abort(400)


CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "base-uri 'self'",
        "object-src 'none'",
        "frame-ancestors 'none'",
    ]
)


def apply_upload_limit() -> None:
    """A view marked with ``web.upload_limit`` gets its own body size limit, before CSRF or any check reads the form."""
    view = current_app.view_functions.get(request.endpoint or "")
    limit = getattr(view, "max_content_length", None)
    if limit is not None:
        request.max_content_length = limit()


def init_app(app: Flask) -> None:
    """Add the headers, refuse control characters in requests and configure Flask-Login."""

    app.before_request_funcs.setdefault(None, []).insert(0, apply_upload_limit)  # first: before CSRF reads the body
    app.before_request(refuse_unusable_requests)

    @app.after_request
    def security_headers(response):
        """CSP without inline script, no sniffing, no framing, a tight referrer."""
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if response.mimetype == "text/html":
            response.vary.add("HX-Request")
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    from flask_babel import lazy_gettext as _l

    login_manager.login_message = _l("Please sign in to see this page.")

    @login_manager.user_loader
    def load_user(cookie_id: str):
        """Accept ``id:session_token:sign-in key`` of an active user whose sign-in is still open.

        When the database can't say, the request is the 503 (not a signed-out visitor sent to the sign-in page).
        A changed session token (new password, deactivation, "sign out on all devices") ends every sign-in of the
        account; signing out deletes that browser's sign-in, so its copied session or remember cookie dies too.
        """
        from . import accounts
        from .core.parsing import parse_id

        user_id, _, rest = cookie_id.partition(":")
        token, _, key = rest.partition(":")
        ident = parse_id(user_id)
        if ident is None or not token:
            return None
        try:
            user = accounts.signed_in_user(ident, key)
        except SQLAlchemyError as error:
            if g.get("database_unavailable") and unavailable(error):
                return None  # the 503 page, already decided, renders as for a visitor
            raise  # anything else, and a database gone before the view: the request's 503 or 500
        if user is None or not user.is_active or not hmac.compare_digest(user.session_token.encode(), token.encode()):
            return None
        user.sign_in_key = key
        return user
