"""Signed, time-limited links for password resets, one-time sign-ins and invitations (no table needed)."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from ..extensions import db
from ..models import User


def _serializer(salt: str) -> URLSafeTimedSerializer:
    """A signer for one kind of link (``salt``) with the app's secret."""
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def _password_fingerprint(user: User) -> str:
    """A digest of the stored hash: changes with the password, reveals nothing of the hash itself."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:24]


def password_reset_token(user: User) -> str:
    """A link token bound to the current password: it stops working once the password changes."""
    return _serializer("password-reset").dumps({"id": user.id, "p": _password_fingerprint(user)})


def user_from_reset_token(token: str) -> User | None:
    """The user a valid, unexpired, unused reset token belongs to, else ``None``."""
    try:
        data = _serializer("password-reset").loads(token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"])
    except BadSignature:
        return None
    user = db.session.get(User, data.get("id"))
    if user is None or not user.active or not hmac.compare_digest(_password_fingerprint(user), str(data.get("p"))):
        return None
    return user


def _sign_in_fingerprint(user: User) -> str:
    """A digest of what a sign-in changes: the last sign-in time, the password and the session token.

    A sign-in link made for this state stops working once the account signs in (by any way), changes its password
    or signs out everywhere: it works once.
    """
    seen = user.last_login_at.isoformat() if user.last_login_at else "never"
    material = f"{seen}|{user.password_hash}|{user.session_token}"
    return hashlib.sha256(material.encode()).hexdigest()[:24]


def login_link_token(user: User) -> str:
    """A one-time sign-in link token for ``user``."""
    return _serializer("login-link").dumps({"id": user.id, "f": _sign_in_fingerprint(user)})


def user_from_login_link(token: str) -> User | None:
    """The active user a valid, unexpired, unused sign-in link belongs to, else ``None``."""
    try:
        data = _serializer("login-link").loads(token, max_age=current_app.config["LOGIN_LINK_MAX_AGE"])
    except BadSignature:
        return None
    user = db.session.get(User, data.get("id")) if isinstance(data, dict) and isinstance(data.get("id"), int) else None
    if user is None or not user.active or not hmac.compare_digest(_sign_in_fingerprint(user), str(data.get("f"))):
        return None
    return user


def account_setup_token(user: User) -> str:
    """A link token for a new lawyer or staff account to set its first password: bound to the (random) password
    staff's creation gave it, so it works once; it expires after ``INVITATION_MAX_AGE``."""
    return _serializer("account-setup").dumps({"id": user.id, "p": _password_fingerprint(user)})


def user_from_setup_token(token: str) -> User | None:
    """The active user a valid, unexpired, unused account set-up token belongs to, else ``None``."""
    try:
        data = _serializer("account-setup").loads(token, max_age=current_app.config["INVITATION_MAX_AGE"])
    except BadSignature:
        return None
    user = db.session.get(User, data.get("id")) if isinstance(data, dict) and isinstance(data.get("id"), int) else None
    if user is None or not user.active or not hmac.compare_digest(_password_fingerprint(user), str(data.get("p"))):
        return None
    return user


def invitation_token(enterprise_id: int, email: str, inviter_id: int) -> str:
    """A link token inviting ``email`` to join an enterprise."""
    return _serializer("invitation").dumps({"e": enterprise_id, "m": email, "by": inviter_id})


def read_invitation(token: str) -> dict[str, Any] | None:
    """The invitation in a valid, unexpired token, else ``None``."""
    try:
        return _serializer("invitation").loads(token, max_age=current_app.config["INVITATION_MAX_AGE"])
    except BadSignature:
        return None
