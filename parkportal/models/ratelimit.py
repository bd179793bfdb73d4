"""The rate-limit counters every worker and host shares (``parkportal.ratelimit.DatabaseStorage``)."""

from __future__ import annotations

from sqlalchemy import Float, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class RateLimitWindow(db.Model):
    """One fixed window of one limit: how many hits it has taken and when it ends.

    ``key`` is the SHA-256 of the limit's key (which holds client addresses and e-mail addresses tried), so the
    table never holds who tried; ``expires_at`` is in seconds since the epoch, the clock of the ``limits`` library.
    A window that has ended counts as empty and is deleted by the next hit of any limit.
    """

    __tablename__ = "rate_limit_window"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    count: Mapped[int] = mapped_column()
    expires_at: Mapped[float] = mapped_column(Float, index=True)
