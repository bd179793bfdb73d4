"""Accounts and enterprises: registration, user creation, verification. Plain functions over the session."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import delete, func, select, update
from stdnum.cn import uscc as stdnum_uscc
from stdnum.exceptions import ValidationError
from werkzeug.security import check_password_hash, generate_password_hash

from .core.parsing import clean_line, parse_id
from .extensions import db
from .models import Enterprise, LawyerProfile, SignIn, User
from .models.user import new_session_token
from .timeutil import utcnow

#: How long a sign-in lasts at most (as long as a "stay signed in" cookie, Flask-Login's default of a year).
SIGN_IN_MAX_AGE = timedelta(days=365)

PHONE_RE = re.compile(r"^(?:\+?86[- ]?)?(?:1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(?:-\d{1,6})?)$")


class AccountError(ValueError):
    """A rule of accounts was broken; ``field`` names the form field it belongs to."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def clean_uscc(value: str | None) -> str:
    """The USCC in its compact, upper-case form (spaces and dashes removed)."""
    return stdnum_uscc.compact(value or "")


def uscc_is_valid(value: str | None) -> bool:
    """Whether ``value`` is a valid 统一社会信用代码 (18 characters, GB 32100-2015 check digit)."""
    try:
        stdnum_uscc.validate(value or "")
    except ValidationError:
        return False
    return True


def normalise_email(value: str | None) -> str:
    """E-mail addresses are compared and stored lower-cased."""
    return (value or "").strip().lower()


def password_problem(password: str) -> str | None:
    """Why a password is too weak, or ``None``. (Messages are translated by the caller.)"""
    if len(password) < 8:
        return "short"
    if not re.search(r"[A-Za-z]", password) or not re.search(r"\d", password):
        return "mix"
    return None


def find_user_by_email(email: str) -> User | None:
    """The user with this e-mail address, whatever its case."""
    return db.session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


@cache
def _decoy_hash() -> str:
    """A password hash of nobody's password, made once, for checks against unknown addresses."""
    return generate_password_hash("decoy-password-of-no-account")


def authenticate(email: str, password: str) -> User | None:
    """The user with this address and password, else ``None``.

    An unknown address costs a password check too, so the answer's timing doesn't tell which addresses
    have an account.
    """
    user = find_user_by_email(email)
    if user is None:
        check_password_hash(_decoy_hash(), password)
        return None
    return user if user.check_password(password) else None


def stand_in_user(email: str) -> User:
    """An unsaved account for an address nobody uses, so that answering for it costs what answering for a real
    account costs (the same token, the same e-mail rendered); never added to the session."""
    address = normalise_email(email)
    return User(
        id=0,
        email=address,
        name=address.split("@")[0],
        role="enterprise",
        password_hash=_decoy_hash(),
        session_token="stand-in",
        locale=None,
    )


def find_enterprise_by_uscc(uscc: str) -> Enterprise | None:
    """The enterprise with this USCC (compared in compact form)."""
    return db.session.scalar(select(Enterprise).where(Enterprise.uscc == clean_uscc(uscc)))


def create_user(
    *,
    email: str,
    password: str,
    role: str,
    name: str,
    enterprise: Enterprise | None = None,
    phone: str | None = None,
    locale: str | None = None,
    password_hash: str | None = None,
) -> User:
    """Add a user; a lawyer also gets an (empty) lawyer profile. Flushes, doesn't commit. ``password_hash``: the
    hash of ``password`` made already (seeds give many accounts one demo password and hash it once)."""
    if role not in ("enterprise", "lawyer", "staff"):
        raise AccountError("role", "unknown role")
    if role == "enterprise" and enterprise is None:
        raise AccountError("enterprise", "an enterprise user needs an enterprise")
    if find_user_by_email(email) is not None:
        raise AccountError("email", "taken")
    user = User(
        email=normalise_email(email),
        role=role,
        name=clean_line(name).strip() or normalise_email(email).split("@")[0],
        phone=clean_line(phone or "").strip() or None,
        enterprise=enterprise if role == "enterprise" else None,
        locale=locale,
    )
    if password_hash is None:
        user.set_password(password)
    else:
        user.password_hash = password_hash
    db.session.add(user)
    if role == "lawyer":
        db.session.add(LawyerProfile(user=user))
    db.session.flush()
    return user


def register_enterprise(
    *,
    enterprise_name: str,
    uscc: str,
    industry: str,
    employees: str | None,
    contact_name: str,
    phone: str,
    email: str,
    password: str,
    address: str | None = None,
    locale: str | None = None,
) -> User:
    """Create a pending, self-registered enterprise and its first user. Flushes, doesn't commit."""
    code = clean_uscc(uscc)
    if find_enterprise_by_uscc(code) is not None:
        raise AccountError("uscc", "registered")
    enterprise = Enterprise(
        name=clean_line(enterprise_name).strip(),
        uscc=code,
        industry=industry,
        employees=employees,
        address=clean_line(address).strip() if address else address,
        contact_name=clean_line(contact_name).strip(),
        phone=clean_line(phone).strip(),
        status="pending",
        source="self_registered",
    )
    db.session.add(enterprise)
    return create_user(
        email=email,
        password=password,
        role="enterprise",
        name=contact_name,
        enterprise=enterprise,
        phone=phone,
        locale=locale,
    )


def set_enterprise_status(enterprise: Enterprise, status: str) -> None:
    """Verify, archive or reopen an enterprise."""
    if status not in ("pending", "rejected", "verified", "archived"):
        raise AccountError("status", "unknown status")
    enterprise.status = status
    if status == "verified" and enterprise.verified_at is None:
        enterprise.verified_at = utcnow()


# ----------------------------------------------------------------------------------------------- sign-ins


def _digest(secret: str) -> str:
    """What is stored of a sign-in's secret (a database copy can't be replayed as a cookie)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def open_sign_in(user: User, now: datetime | None = None) -> str:
    """Record a new signed-in browser for ``user`` and return its key (the cookie carries it, see ``User.get_id``).

    The account's sign-ins older than ``SIGN_IN_MAX_AGE`` are swept away on the way.
    """
    now = now or utcnow()
    db.session.execute(delete(SignIn).where(SignIn.user_id == user.id, SignIn.created_at < now - SIGN_IN_MAX_AGE))
    secret = secrets.token_urlsafe(24)
    sign_in = SignIn(user_id=user.id, secret_digest=_digest(secret), created_at=now)
    db.session.add(sign_in)
    db.session.flush()
    user.sign_in_key = f"{sign_in.id}:{secret}"
    return user.sign_in_key


def current_sign_in(user: User, key: str | None) -> SignIn | None:
    """The open sign-in of ``user`` that ``key`` names, else ``None`` (signed out, expired, forged)."""
    ident, secret = _sign_in_key(key)
    if ident is None:
        return None
    return _open_sign_in(user, db.session.get(SignIn, ident), secret)


def signed_in_user(user_id: int, key: str | None) -> User | None:
    """The user ``user_id`` with the open sign-in that ``key`` names, read in one statement (every request asks)."""
    ident, secret = _sign_in_key(key)
    if ident is None:
        return None
    row = db.session.execute(
        select(User, SignIn).join(SignIn, SignIn.user_id == User.id).where(User.id == user_id, SignIn.id == ident)
    ).first()
    if row is None or _open_sign_in(row.User, row.SignIn, secret) is None:
        return None
    return row.User


def _sign_in_key(key: str | None) -> tuple[int | None, str]:
    """The id and secret of a sign-in key ``id:secret`` (id None when it is not one)."""
    ident_text, _, secret = (key or "").partition(":")
    ident = parse_id(ident_text)
    return (ident, secret) if secret else (None, "")


def _open_sign_in(user: User, sign_in: SignIn | None, secret: str) -> SignIn | None:
    """``sign_in`` when it is ``user``'s, its secret is ``secret`` and it has not expired."""
    if sign_in is None or sign_in.user_id != user.id:
        return None
    if not hmac.compare_digest(sign_in.secret_digest, _digest(secret)):
        return None
    if sign_in.created_at < utcnow() - SIGN_IN_MAX_AGE:
        return None
    return sign_in


def close_sign_in(user: User) -> None:
    """End the browser's sign-in that ``user`` came with: its session and remember cookies stop working."""
    sign_in = current_sign_in(user, user.sign_in_key)
    if sign_in is not None:
        db.session.delete(sign_in)
    user.sign_in_key = None


def end_all_sign_ins(user: User) -> None:
    """Sign ``user`` out everywhere: a new session token (every cookie of the account dies) and no sign-ins."""
    user.session_token = new_session_token()
    db.session.execute(delete(SignIn).where(SignIn.user_id == user.id))
    user.sign_in_key = None


def claim_sign_in(user: User, seen: datetime | None, now: datetime | None = None) -> bool:
    """Move ``user``'s last sign-in time from ``seen`` to now, only if nobody did meanwhile: ``True`` for exactly
    one of any number of concurrent callers (a one-time sign-in link works once)."""
    now = now or utcnow()
    condition = User.last_login_at.is_(None) if seen is None else User.last_login_at == seen
    result = db.session.execute(
        update(User)
        .where(User.id == user.id, condition)
        .values(last_login_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    user.last_login_at = now
    return True
