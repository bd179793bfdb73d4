"""The API's one error shape, ``{"error": code, "message": …, "field": …}``, for every refusal under ``/api/``.

The views answer their own refusals with ``error``; every other error under ``/api/`` (no such route, wrong
method, body too large, CSRF, rate limit, database trouble, an unexpected exception) reaches
``parkportal.errors.render_error``, which answers with ``answer`` when ``wanted`` says the request is the API's.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import jsonify, request

#: Where the API lives: any path under it is answered in JSON, also one that matches no route.
PREFIX = "/api"

#: The machine-readable ``error`` of each status the API can answer (the OpenAPI description lists them).
CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    422: "unprocessable",
    429: "too_many_requests",
    500: "server_error",
    503: "unavailable",
}

#: The challenge of a 401: which credentials the API takes.
CHALLENGE = 'Bearer realm="parkportal"'


def wanted() -> bool:
    """Whether the current request is one for the API (its path lies under ``PREFIX``)."""
    return request.path == PREFIX or request.path.startswith(PREFIX + "/")


def error(
    status: int,
    code: str,
    message: str,
    field: str | None = None,
    headers: Iterable[tuple[str, str]] = (),
):
    """A JSON error answer: ``{"error": code, "message": …, "field": …}`` with ``headers`` (a 401 always carries
    ``WWW-Authenticate``)."""
    body = {"error": code, "message": message}
    if field:
        body["field"] = field
    response = jsonify(body)
    response.status_code = status
    for name, value in headers:
        response.headers[name] = value
    if status == 401:
        response.headers.setdefault("WWW-Authenticate", CHALLENGE)
    return response


def answer(status: int, message: str, headers: Iterable[tuple[str, str]] = ()):
    """The JSON answer of an HTTP error ``status`` under the API, keeping the error's headers (``Allow``,
    ``Retry-After``, ``WWW-Authenticate``)."""
    return error(status, CODES.get(status, "server_error" if status >= 500 else "bad_request"), message, None, headers)
