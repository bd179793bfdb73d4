"""Enterprises on the park's roster."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.access import own_enterprise
from ..core.vocab import check_in
from ..enterprises.vocab import ENTERPRISE_SOURCES, ENTERPRISE_STATUSES
from ..extensions import db
from ..timeutil import UTCDateTime, utcnow

if TYPE_CHECKING:
    from .user import User


class Enterprise(db.Model):
    """A park enterprise, identified by its 统一社会信用代码 (USCC)."""

    __tablename__ = "enterprise"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    industry: Mapped[str] = mapped_column(String(32), default="other")
    employees: Mapped[str | None] = mapped_column(String(16))
    address: Mapped[str | None] = mapped_column(String(200))
    contact_name: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    source: Mapped[str] = mapped_column(String(20), default="self_registered")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Why staff returned the registration for correction (shown to the enterprise until it resubmits).
    review_note: Mapped[str | None] = mapped_column(Text)

    users: Mapped[list[User]] = relationship(back_populates="enterprise", order_by="User.id")

    __table_args__ = (
        check_in("status", tuple(ENTERPRISE_STATUSES)),
        check_in("source", tuple(ENTERPRISE_SOURCES)),
        Index("ix_enterprise_name", "name", "id"),  # lists by name (the roster, the library's per-enterprise figures)
        Index("ix_enterprise_status_name", "status", "name", "id"),  # one status by name (pending first, filters)
    )

    @classmethod
    def visible_to(cls, user: User) -> ColumnElement[bool]:
        """Staff see every enterprise; an enterprise user their own."""
        return own_enterprise(cls.id, user)

    @property
    def is_verified(self) -> bool:
        """Whether staff have verified the enterprise (booking and sign-ups need it)."""
        return self.status == "verified"

    @property
    def active_users(self) -> list[User]:
        """The enterprise's users who can still sign in (who hear about its bookings, checkups and events)."""
        return [user for user in self.users if user.active]

    @property
    def can_change_identity(self) -> bool:
        """Name and USCC are the enterprise's to correct until staff verify them; afterwards they go through staff."""
        return self.status in ("pending", "rejected")

    def __repr__(self) -> str:
        return f"<Enterprise {self.id} {self.uscc}>"
