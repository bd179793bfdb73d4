"""The few helpers every view shares: page-or-fragment rendering, the loader that checks access, the answer to a
domain refusal, role guards and safe redirects. Only views import this module; the domain never does."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import abort, make_response, render_template, request
from flask_login import current_user, login_required
from jinja2_fragments.flask import render_block
from werkzeug.routing import IntegerConverter

from .core import access
from .core.errors import DomainError, NotAllowed, NotFound
from .core.parsing import MAX_ID

M = TypeVar("M")


class IdConverter(IntegerConverter):
    """``<int:…>`` in routes, refusing (404) numbers beyond any id instead of failing in the database driver."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):  # noqa: A002 - werkzeug's names
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def is_htmx() -> bool:
    """Whether this request came from htmx and wants a fragment (boosted navigation wants the page)."""
    headers = request.headers
    return (
        headers.get("HX-Request") == "true"
        and headers.get("HX-Boosted") != "true"
        and headers.get("HX-History-Restore-Request") != "true"
    )


def render(template: str, block: str | None = None, status: int = 200, **context: Any):
    """Render the whole page, or only ``block`` of the same template for an htmx request.

    One template per page; a fragment is a named block of it, so the two can't drift apart.
    """
    if block and is_htmx():
        body = render_block(template, block, **context)
    else:
        body = render_template(template, **context)
    response = make_response(body, status)
    response.vary.add("HX-Request")
    if request.method != "GET" and status >= 400:
        # A failed form post shows the page again; the address bar keeps the page's URL, not the POST-only
        # action's (boosted htmx would push it, and a reload would then answer 405).
        response.headers["HX-Push-Url"] = "false"
    return response


def hx_trigger(response, event: str):
    """Tell htmx to fire ``event`` on the client after the swap (e.g. to refresh a counter)."""
    response.headers["HX-Trigger"] = event
    return response


def upload_limit(limit: Callable[[], int]) -> Callable:
    """Give a view its own request size limit (``limit()`` bytes) instead of ``MAX_CONTENT_LENGTH``.

    The limit must hold before anything reads the body — CSRF protection and the input checks read the form ahead
    of every view — so ``security.apply_upload_limit`` sets it first thing, from this mark on the view.
    """

    def decorator(view: Callable) -> Callable:
        view.max_content_length = limit  # type: ignore[attr-defined]
        return view

    return decorator


def roles_required(*roles: str) -> Callable:
    """Sign-in required (anonymous users go to the login page) and one of ``roles`` (else 403)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def actor():
    """The signed-in user as a plain ``User`` (for domain calls and the audit trail), or ``None`` for visitors."""
    return current_user._get_current_object() if current_user.is_authenticated else None  # type: ignore[attr-defined]


def load_or_404(model: type[M], ident: Any, *options: Any, lock: bool = False) -> M:
    """Load a record by id if the signed-in user may see it (the model's ``visible_to`` rule), else 404.

    Another party's record answers 404, exactly like one that doesn't exist, so ids can't be probed. Pages and
    htmx endpoints use this one loader alike.
    """
    try:
        return access.load(model, ident, current_user, *options, lock=lock)
    except NotFound:
        abort(404)


def attach(form, error: DomainError) -> bool:
    """Show ``error`` next to its field of ``form`` (``True``), or above the form when it names none (``False``)."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None and hasattr(field, "errors"):
        field.errors = [*list(field.errors), error.message]
        return True
    form.form_errors.append(error.message)
    return False


def refuse(error: DomainError, page: Callable[[int, str | None], Any], form=None):
    """The answer to a domain refusal, the same in every area.

    ``NotFound`` is 404 and ``NotAllowed`` 403 (error pages). Otherwise the page is shown again by
    ``page(status, message)``: with a ``form``, the message sits next to the field it names (422; the form keeps
    what the user typed) or above the form; without one, ``message`` is shown on the page. A wrong state or a
    conflict that names no field answers 409.
    """
    if isinstance(error, NotFound):
        abort(404)
    if isinstance(error, NotAllowed):
        abort(403)
    if form is not None:
        return page(422 if attach(form, error) else error.status, None)
    return page(error.status, error.message)


def safe_next(target: str | None) -> str | None:
    """A redirect target only when it stays on this site (a path, no scheme or host).

    Browsers read a backslash as a slash and ignore tabs and line breaks (a path made of them can lead
    off-site), so targets holding any of them are refused too.
    """
    if not target:
        return None
    if "\\" in target or any(ord(char) < 32 or ord(char) == 127 for char in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target
