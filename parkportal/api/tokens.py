"""Bearer-token guard of the API: ``Authorization: Bearer <token>`` must name an active token issued by staff.

The guard is the view's ``gate``: ``security.refuse_unusable_requests`` calls it before it looks at any argument,
so a caller without a token learns nothing from argument errors (a bad ``page``, a control character) — they all
answer 401. Wrong tokens are rate-limited per client address (``API_TOKEN_RATE_LIMIT``, on the whole blueprint):
every request is counted up front and gives its place back unless its token was refused.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import current_app, g, request
from flask_babel import gettext as _

from .. import ratelimit
from ..coverage.service import token_for
from ..extensions import limiter
from . import bp
from .errors import error


def presented() -> str | None:
    """The bearer token of the request, if it carries one."""
    header = request.headers.get("Authorization", "")
    scheme, _sep, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def refuse_without_token():
    """A 401 answer (JSON) unless the request carries an active token, else ``None``; looked up once a request."""
    if "api_token" not in g:
        g.api_token = token_for(presented())
    if g.api_token is not None:
        return None
    return error(401, "unauthorized", _("A valid bearer token is required (Authorization: Bearer <token>)."))


def token_required(view: Callable) -> Callable:
    """Answer 401 (JSON) unless the request carries an active token; the API answers nothing else without one.

    The wrapped view carries the check as its ``gate``, which the request's first checks run before any other.
    """

    @wraps(view)
    def wrapped(*args, **kwargs):
        refusal = refuse_without_token()
        return refusal if refusal is not None else view(*args, **kwargs)

    wrapped.gate = refuse_without_token  # type: ignore[attr-defined]
    return wrapped


def _accepted(response) -> bool:
    """Only refused tokens (401) keep their place in the limit, and the refusals of the limit itself (429)."""
    return response.status_code not in (401, 429)


def give_back_unless_refused() -> None:
    """Every API request is counted in ``API_TOKEN_RATE_LIMIT`` before anything else runs (one atomic step, so a
    burst of guesses can't pass the check before being counted); all but refused tokens give their place back."""
    ratelimit.give_back(when=_accepted)


#: One count per client address for the whole API (a guess at /coverage and one at /events are two guesses).
limiter.shared_limit(lambda: current_app.config["API_TOKEN_RATE_LIMIT"], scope="api-token")(bp)
bp.before_request(give_back_unless_refused)
