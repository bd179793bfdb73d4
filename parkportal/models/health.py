"""The one row ``/healthz`` writes, so that a database which can't take writes is noticed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timeutil import UTCDateTime

#: The id of the probe's one row.
PROBE_ID = 1


class HealthProbe(db.Model):
    """When ``/healthz`` last wrote and committed: a change no-one reads, made to prove that writes still land.

    A statement that changes no row never touches the database's files (SQLite) or its WAL (PostgreSQL), so a
    full disk, a file system gone read-only or a failing disk goes unnoticed by it; updating this row does not.
    """

    __tablename__ = "health_probe"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime)
