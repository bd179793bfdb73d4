"""Check-in links: each registration's QR code carries a signed link that lets staff check its holder in.

The token names the registration and when it expires (``EVENT_CHECKIN_LINK_HOURS`` after the event ends), signed
with the app's secret; a changed or made-up token fails the signature, an old one is refused as expired.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime

import segno
from flask import current_app, url_for
from itsdangerous import BadSignature, URLSafeSerializer

from ..core.errors import NotFound, WrongState
from ..models import Registration
from ..timeutil import utcnow
from . import service

SALT = "event-checkin"


class LinkExpired(WrongState):
    """The check-in link is genuine but no longer valid."""


def _signer() -> URLSafeSerializer:
    """The signer of check-in links."""
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def token(registration: Registration) -> str:
    """The signed token of ``registration``'s check-in link."""
    expires = int(service.checkin_closes(registration.event).timestamp())
    return _signer().dumps({"r": registration.id, "x": expires})


def read(text: str, now: datetime | None = None) -> int:
    """The registration id in a genuine, unexpired token; ``NotFound`` for a forged one, ``LinkExpired`` for an old."""
    from flask_babel import gettext as _

    try:
        data = _signer().loads(text)
    except BadSignature:
        raise NotFound("forged check-in link") from None
    if not isinstance(data, dict) or not isinstance(data.get("r"), int) or not isinstance(data.get("x"), int):
        raise NotFound("forged check-in link")
    if (now or utcnow()) > datetime.fromtimestamp(data["x"], UTC):
        raise LinkExpired(_("This check-in link has expired."))
    return data["r"]


def link(registration: Registration) -> str:
    """The full check-in address that the QR code holds."""
    return url_for("events.scan", token=token(registration), _external=True)


def qr_svg(registration: Registration) -> bytes:
    """The QR code of the check-in link as an SVG image."""
    code = segno.make(link(registration), error="m", micro=False)
    out = io.BytesIO()
    code.save(out, kind="svg", scale=6, border=2, xmldecl=True, svgns=True, title="QR")
    return out.getvalue()
