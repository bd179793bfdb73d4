"""The library: compilations (one file per edition), their topics, downloads and printed copies handed out."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ColumnElement, ForeignKey, Index, String, Text, or_, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.access import own_enterprise
from ..core.vocab import TOPICS, check_in
from ..extensions import db
from ..library.vocab import FILE_KINDS, HANDOUT_PLACES
from ..timeutil import UTCDateTime, utcnow
from .enterprise import Enterprise
from .user import User


class Compilation(db.Model):
    """One edition of a legal practice compilation (企业法律实务汇编) and its file.

    The file lives under ``instance/library/`` with a random ``stored_name``; ``original_name`` is what the
    uploader called it and what a download is named. ``previous_id`` links a new edition to the one it
    supersedes; the earlier edition stays listed, marked as superseded once the new one is published.
    """

    __tablename__ = "compilation"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    edition: Mapped[str] = mapped_column(String(50))
    year: Mapped[int] = mapped_column(index=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(8))
    original_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    cover_name: Mapped[str | None] = mapped_column(String(64))
    published: Mapped[bool] = mapped_column(default=False)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("compilation.id"), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: The figures, kept by ``library.service`` in the same transaction as each download and printed copy (so no
    #: page aggregates the download log): downloads by enterprises, printed copies, enterprises that have it.
    downloads_count: Mapped[int] = mapped_column(default=0, server_default="0")
    printed_count: Mapped[int] = mapped_column(default=0, server_default="0")
    reached_count: Mapped[int] = mapped_column(default=0, server_default="0")

    topic_rows: Mapped[list[CompilationTopic]] = relationship(
        back_populates="compilation", cascade="all, delete-orphan", order_by="CompilationTopic.topic"
    )
    previous: Mapped[Compilation | None] = relationship(
        remote_side=[id], foreign_keys=[previous_id], back_populates="next_edition"
    )
    next_edition: Mapped[Compilation | None] = relationship(
        foreign_keys=[previous_id], back_populates="previous", uselist=False
    )
    created_by: Mapped[User | None] = relationship()

    __table_args__ = (
        check_in("kind", tuple(FILE_KINDS)),
        CheckConstraint("size_bytes > 0", name="size"),
        Index("ix_compilation_listing", "published", "created_at"),
    )

    @classmethod
    def visible_to(cls, user: User) -> ColumnElement[bool]:
        """Staff see every compilation; a lawyer the published ones and their own drafts; anyone else the published."""
        if getattr(user, "is_staff", False):
            return true()
        if getattr(user, "is_lawyer", False):
            return or_(cls.published.is_(True), cls.created_by_id == user.id)
        return cls.published.is_(True)

    @property
    def topics(self) -> list[str]:
        """The legal-topic codes, in the vocabulary's order."""
        chosen = {row.topic for row in self.topic_rows}
        return [code for code in TOPICS if code in chosen]

    @property
    def superseded(self) -> bool:
        """Whether a newer edition of this compilation has been published."""
        return self.next_edition is not None and self.next_edition.published


class CompilationTopic(db.Model):
    """One legal topic of a compilation (a row each, so the topic filter and coverage by topic use an index)."""

    __tablename__ = "compilation_topic"

    compilation_id: Mapped[int] = mapped_column(ForeignKey("compilation.id", ondelete="CASCADE"), primary_key=True)
    topic: Mapped[str] = mapped_column(String(32), primary_key=True, index=True)

    compilation: Mapped[Compilation] = relationship(back_populates="topic_rows")

    __table_args__ = (check_in("topic", tuple(TOPICS)),)


class CompilationReach(db.Model):
    """An enterprise that has a compilation (downloaded by one of its users, or printed copies handed to it): one row
    per pair, written with the first copy, so ``Compilation.reached_count`` counts each enterprise once."""

    __tablename__ = "compilation_reach"

    compilation_id: Mapped[int] = mapped_column(ForeignKey("compilation.id", ondelete="CASCADE"), primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), primary_key=True, index=True)


class Download(db.Model):
    """One download of a compilation's file: who, for which enterprise (``None`` for staff and lawyers), when."""

    __tablename__ = "download"

    id: Mapped[int] = mapped_column(primary_key=True)
    compilation_id: Mapped[int] = mapped_column(ForeignKey("compilation.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprise.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    compilation: Mapped[Compilation] = relationship()
    user: Mapped[User] = relationship()
    enterprise: Mapped[Enterprise | None] = relationship()

    __table_args__ = (
        Index("ix_download_compilation_enterprise", "compilation_id", "enterprise_id"),
        Index("ix_download_enterprise_created", "enterprise_id", "created_at"),
    )

    @classmethod
    def visible_to(cls, user: User) -> ColumnElement[bool]:
        """Staff see every download; an enterprise user their enterprise's; anyone else their own."""
        return own_enterprise(cls.enterprise_id, user, otherwise=cls.user_id == user.id)


class PrintedCopy(db.Model):
    """Printed copies of one edition handed to an enterprise on a day, at an event or the service station."""

    __tablename__ = "printed_copy"

    id: Mapped[int] = mapped_column(primary_key=True)
    compilation_id: Mapped[int] = mapped_column(ForeignKey("compilation.id"))
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"))
    copies: Mapped[int]
    handed_on: Mapped[date]
    place: Mapped[str] = mapped_column(String(16))
    place_note: Mapped[str | None] = mapped_column(String(200))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    compilation: Mapped[Compilation] = relationship()
    enterprise: Mapped[Enterprise] = relationship()
    recorded_by: Mapped[User | None] = relationship()

    __table_args__ = (
        CheckConstraint("copies > 0", name="copies"),
        check_in("place", tuple(HANDOUT_PLACES)),
        Index("ix_printed_copy_compilation_enterprise", "compilation_id", "enterprise_id"),
        Index("ix_printed_copy_enterprise_handed", "enterprise_id", "handed_on"),
    )

    @classmethod
    def visible_to(cls, user: User) -> ColumnElement[bool]:
        """Staff see every handout; an enterprise user their enterprise's; lawyers none."""
        return own_enterprise(cls.enterprise_id, user)
