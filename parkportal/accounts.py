"""Accounts and enterprises: registration, user creation, verification. Plain functions over the session."""

from __future__ import annotations

import re
from functools import cache

from sqlalchemy import func, select
from stdnum.cn import uscc as stdnum_uscc
from stdnum.exceptions import ValidationError
from werkzeug.security import check_password_hash, generate_password_hash

from .extensions import db
from .models import Enterprise, LawyerProfile, User
from .timeutil import utcnow

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
) -> User:
    """Add a user; a lawyer also gets an (empty) lawyer profile. Flushes, doesn't commit."""
    if role not in ("enterprise", "lawyer", "staff"):
        raise AccountError("role", "unknown role")
    if role == "enterprise" and enterprise is None:
        raise AccountError("enterprise", "an enterprise user needs an enterprise")
    if find_user_by_email(email) is not None:
        raise AccountError("email", "taken")
    user = User(
        email=normalise_email(email),
        role=role,
        name=name.strip() or normalise_email(email).split("@")[0],
        phone=phone or None,
        enterprise=enterprise if role == "enterprise" else None,
        locale=locale,
    )
    user.set_password(password)
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
        name=enterprise_name.strip(),
        uscc=code,
        industry=industry,
        employees=employees,
        address=address,
        contact_name=contact_name.strip(),
        phone=phone.strip(),
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
