"""People who sign in: enterprise users, the partner firm's lawyers and park staff."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import ColumnElement, ForeignKey, String, true
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from ..core.vocab import ROLES, check_in
from ..extensions import db
from ..timeutil import UTCDateTime, utcnow

if TYPE_CHECKING:
    from .booking import LawyerProfile
    from .enterprise import Enterprise


def hash_password(password: str) -> str:
    """A salted hash of ``password`` (scrypt: about 0.1 s each, so seeds hash their one demo password once)."""
    return generate_password_hash(password)


def new_session_token() -> str:
    """A random token that is part of the login cookie; changing it signs the user out everywhere."""
    return secrets.token_urlsafe(16)


class User(UserMixin, db.Model):
    """A user account. ``email`` is stored lower-cased, so it is unique case-insensitively."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), index=True)
    name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(32))
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprise.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    locale: Mapped[str | None] = mapped_column(String(8))
    session_token: Mapped[str] = mapped_column(String(32), default=new_session_token)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    enterprise: Mapped[Enterprise | None] = relationship(back_populates="users")
    lawyer_profile: Mapped[LawyerProfile | None] = relationship(back_populates="user", uselist=False)

    __table_args__ = (check_in("role", tuple(ROLES)),)

    @classmethod
    def visible_to(cls, user: User) -> ColumnElement[bool]:
        """Staff manage every account; anyone else only their own."""
        return true() if user.is_staff else cls.id == user.id

    def set_password(self, password: str) -> None:
        """Store a salted hash of ``password`` and sign out every other session."""
        self.password_hash = hash_password(password)
        self.session_token = new_session_token()

    def check_password(self, password: str) -> bool:
        """Whether ``password`` matches the stored hash."""
        return check_password_hash(self.password_hash, password)

    #: The browser's sign-in (``"<SignIn id>:<secret>"``) while a request signs in or is signed in; not stored.
    sign_in_key = None

    def get_id(self) -> str:
        """The login cookie carries the id, the session token and this browser's sign-in (see ``load_user``)."""
        return f"{self.id}:{self.session_token}:{self.sign_in_key or ''}"

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        """Deactivated accounts can't sign in."""
        return bool(self.active)

    @property
    def is_staff(self) -> bool:
        """Park staff see and manage everything."""
        return self.role == "staff"

    @property
    def is_lawyer(self) -> bool:
        """A lawyer of the partner firm."""
        return self.role == "lawyer"

    @property
    def is_enterprise(self) -> bool:
        """A user of a park enterprise."""
        return self.role == "enterprise"

    @property
    def is_first_user(self) -> bool:
        """The enterprise's first active user, who may invite colleagues (the next one takes over on deactivation)."""
        if self.enterprise is None:
            return False
        first = next(iter(self.enterprise.active_users), None)
        return first is not None and first.id == self.id

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email} {self.role}>"


class SignIn(db.Model):
    """One signed-in browser: its session and "stay signed in" cookies name this row, and die with it.

    Only a digest of the cookie's secret is stored. Signing out deletes the row (that browser's copied cookies stop
    working at once); "sign out on all devices", a new password and deactivation change ``User.session_token``
    and delete every row of the account.
    """

    __tablename__ = "sign_in"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    secret_digest: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
