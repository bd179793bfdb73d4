"""Bearer-token guard of the API: ``Authorization: Bearer <token>`` must name an active token issued by staff."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import jsonify, request

from ..coverage.service import token_for


def error(status: int, code: str, message: str, field: str | None = None):
    """A JSON error answer: ``{"error": code, "message": …, "field": …}``."""
    body = {"error": code, "message": message}
    if field:
        body["field"] = field
    response = jsonify(body)
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="parkportal"'
    return response


def presented() -> str | None:
    """The bearer token of the request, if it carries one."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def token_required(view: Callable) -> Callable:
    """Answer 401 (JSON) unless the request carries an active token; the API answers nothing else without one."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if token_for(presented()) is None:
            return error(401, "unauthorized", "A valid bearer token is required (Authorization: Bearer <token>).")
        return view(*args, **kwargs)

    return wrapped
