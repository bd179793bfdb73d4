"""Coverage's domain functions: stating and addressing legal needs, issuing and revoking API tokens.

They take the acting user explicitly, flush and never commit.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from flask_babel import gettext as _
from sqlalchemy import select

from ..core import audit
from ..core.errors import Invalid, NotAllowed, WrongState
from ..core.parsing import clean_line, clean_text
from ..core.vocab import TOPICS
from ..extensions import db
from ..models import ApiToken, Enterprise, Need, User
from ..models.coverage import token_digest
from ..timeutil import utcnow
from .vocab import NEED_SOURCES, STAFF_NEED_SOURCES

#: How long a need's note may be.
NOTE_LENGTH = 1000


def state_needs(
    enterprise: Enterprise, topics: Iterable[str], note: str | None, source: str, actor: User | None
) -> list[Need]:
    """Record the legal needs ``enterprise`` states: one row per topic, the note with each (audited).

    A note without a topic is a need under ``other``. Enterprise users state their own enterprise's needs (on the
    profile, at registration, after a service); staff record needs gathered by phone or on a visit.
    """
    if source not in NEED_SOURCES:
        raise Invalid(_("Choose how the need was gathered."), "source")
    if actor is not None and actor.is_staff:
        if source not in STAFF_NEED_SOURCES:
            raise Invalid(_("Choose how the need was gathered."), "source")
    elif actor is not None and (not actor.is_enterprise or actor.enterprise_id != enterprise.id):
        raise NotAllowed(_("Only the enterprise itself or park staff record its needs."))
    elif source in STAFF_NEED_SOURCES:
        raise Invalid(_("Choose how the need was gathered."), "source")
    chosen = [code for code in TOPICS if code in set(topics or ())]
    unknown = set(topics or ()) - set(TOPICS)
    if unknown:
        raise Invalid(_("Choose topics from the list."), "topics")
    text = str(clean_text(note or "")).strip()[:NOTE_LENGTH]
    if not chosen and not text:
        raise Invalid(_("Choose at least one topic or describe the need."), "topics")
    needs = [
        Need(
            enterprise_id=enterprise.id,
            topic=code,
            note=text,
            source=source,
            recorded_by_id=actor.id if actor else None,
        )
        for code in chosen or ["other"]
    ]
    db.session.add_all(needs)
    db.session.flush()
    for need in needs:
        audit.record("need.stated", need, actor=actor, topic=need.topic, source=source)
    return needs


def address_need(need: Need, actor: User) -> None:
    """Staff mark a need addressed (served by a consultation, an event, a compilation …)."""
    if need.status != "open":
        raise WrongState(_("This need is addressed already."))
    need.status = "addressed"
    need.addressed_at = utcnow()
    audit.record("need.addressed", need, actor=actor, topic=need.topic)
    db.session.flush()


# ------------------------------------------------------------------------------------------------ API tokens


def issue_token(name: str, actor: User | None) -> tuple[ApiToken, str]:
    """A new named API token: returns the row and the token itself (shown once; only its SHA-256 is stored)."""
    name = str(clean_line(name or "")).strip()
    if not name:
        raise Invalid(_("Name the token after the platform that will use it."), "name")
    token = "pp_" + secrets.token_urlsafe(32)
    row = ApiToken(
        name=name[:100], digest=token_digest(token), prefix=token[:8], created_by_id=actor.id if actor else None
    )
    db.session.add(row)
    db.session.flush()
    audit.record("api_token.issued", row, actor=actor, name=row.name)
    return row, token


def revoke_token(row: ApiToken, actor: User | None) -> None:
    """Revoke a token: it stops opening the API at once."""
    if row.revoked_at is not None:
        raise WrongState(_("This token is revoked already."))
    row.revoked_at = utcnow()
    row.revoked_by_id = actor.id if actor else None
    audit.record("api_token.revoked", row, actor=actor, name=row.name)
    db.session.flush()


def token_for(presented: str | None) -> ApiToken | None:
    """The active token matching a presented bearer token, else ``None`` (looked up by its digest)."""
    if not presented or len(presented) > 200:
        return None
    row = db.session.scalar(select(ApiToken).where(ApiToken.digest == token_digest(presented)))
    return row if row is not None and row.active else None
