"""The few helpers every view shares: page-or-fragment rendering, access checks, the audit trail."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import abort, make_response, render_template, request
from flask_login import current_user, login_required
from jinja2_fragments.flask import render_block
from sqlalchemy import inspect as sa_inspect
from werkzeug.routing import IntegerConverter

from .extensions import db
from .models import AuditLog, User

M = TypeVar("M")

#: The largest primary key there can be (PostgreSQL's INTEGER); larger numbers in a URL are no record.
MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """``<int:…>`` in routes, refusing (404) numbers beyond any id instead of failing in the database driver."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):  # noqa: A002 - werkzeug's names
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def parse_id(value: Any) -> int | None:
    """An id typed into a form or URL (ASCII digits, at most ``MAX_ID``), else ``None``."""
    text = str(value if value is not None else "").strip()
    if not text.isascii() or not text.isdigit() or len(text) > 10 or int(text) > MAX_ID:
        return None
    return int(text)


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


def get_or_404(model: type[M], ident: Any, visible: Callable[[M, User], bool] | None = None) -> M:
    """Load a record by primary key and check that the current user may see it.

    Another party's record answers 404, exactly like one that doesn't exist, so ids can't be probed.
    """
    obj = db.session.get(model, ident) if ident is not None else None
    if obj is None:
        abort(404)
    if visible is not None and not visible(obj, current_user):
        abort(404)
    return obj


def audit(action: str, obj: Any = None, actor: User | None = None, **details: Any) -> AuditLog:
    """Record an action in the audit log (flushed with the request's one commit)."""
    if actor is None and current_user and getattr(current_user, "is_authenticated", False):
        actor = current_user._get_current_object()  # type: ignore[attr-defined]
    entry = AuditLog(
        actor=actor,
        action=action,
        object_type=type(obj).__tablename__ if obj is not None else "system",
        object_id=_object_id(obj),
        details={k: _jsonable(v) for k, v in details.items()},
    )
    db.session.add(entry)
    return entry


def _object_id(obj: Any) -> int | None:
    """The record's primary key when it is one number (a lawyer profile's is its user's id), else ``None``."""
    if obj is None:
        return None
    key = sa_inspect(obj).mapper.primary_key_from_instance(obj)
    return key[0] if len(key) == 1 and isinstance(key[0], int) else None


def _jsonable(value: Any) -> Any:
    """``value`` in a form the audit log's JSON column can hold."""
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, Iterable) and not isinstance(value, bytes | dict):
        return [_jsonable(v) for v in value]
    return str(value)


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
