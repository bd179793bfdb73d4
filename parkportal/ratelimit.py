"""Rate limits kept where every worker and host sees them: the portal's own database by default.

Flask-Limiter counts through a storage of the ``limits`` library, chosen by ``RATELIMIT_STORAGE_URI``. Its
``memory://`` storage counts in each process on its own, so with gunicorn's N workers every limit allowed N times
as many attempts (and more again with several hosts). ``database://`` — the default — is ``DatabaseStorage``: one
row per fixed window in the table ``rate_limit_window`` of the database the app is configured with (SQLite or
PostgreSQL), so every worker and every host that shares the database shares the counts. ``redis://…`` uses the
``limits`` library's own Redis storage (install the ``redis`` extra) and ``memory://`` stays possible when named.

The storage has no connection of its own to configure: it uses the engine of the app that handles the request
(``db.engine``), through a connection and transaction of its own, so a hit is committed at once and stays counted
when the request rolls back — and a failed sign-in, the very thing counted, answers 4xx and is rolled back. Every
limit is counted by Flask-Limiter before the view runs, in one atomic step, and the places of outcomes that should not
count (a right password, an accepted registration, a good API token) are given back after the request's commit point
(``give_back``, run after ``database.init_app``'s hook), so a burst can't pass a check made before it was counted and
the storage never waits for a write lock the same request's session holds (SQLite has one writer at a time). No limit
uses Flask-Limiter's ``deduct_when`` (check first, count after the answer: a burst sent at once slips past it).
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable

from flask import Flask, Response, g, has_app_context
from limits.errors import ConfigurationError
from limits.storage import Storage
from sqlalchemy import case, delete, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from .database import driver_message, unavailable
from .extensions import db, limiter
from .models import RateLimitWindow

log = logging.getLogger(__name__)

#: Ended windows are deleted by a hit at most this often per process (they already count as empty before that).
PURGE_EVERY_SECONDS = 60.0

_window = RateLimitWindow.__table__
_UPSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def window_key(key: str) -> str:
    """The row key of a limit's key: its SHA-256, so the table never holds the addresses a limit is keyed on."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class DatabaseStorage(Storage):
    """Fixed-window counters in the app's database (``RATELIMIT_STORAGE_URI = "database://"``).

    Each hit is one ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` statement: the database adds to the count (or
    starts a new window when the old one has ended) and answers the new count in the same step, so concurrent hits
    from any number of threads, processes or hosts are never lost nor counted twice. Times are seconds since the
    epoch on ``time.time()``, the clock the ``limits`` library and Flask-Limiter's headers use.
    """

    STORAGE_SCHEME = ["database"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options) -> None:
        """Nothing to connect to here: each call uses the current app's engine."""
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self._purged_at = 0.0

    @property
    def base_exceptions(self) -> type[Exception]:
        """What a failing database raises (wrapped in ``limits.errors.StorageError`` only if asked)."""
        return SQLAlchemyError

    @staticmethod
    def _engine() -> Engine:
        """The engine of the app handling the request (or command)."""
        if not has_app_context():
            raise RuntimeError("the database rate-limit storage is used inside an app context only")
        engine = db.engine
        if engine.dialect.name not in _UPSERTS:
            raise ConfigurationError(f"database:// rate limits need SQLite or PostgreSQL, not {engine.dialect.name}")
        return engine

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Add ``amount`` to the key's window (a new one of ``expiry`` seconds if none is running); the new count.

        A negative ``amount`` (places given back) only lowers a running window, and never below 0: none is started for
        it, and give-backs that arrive after their own window ended can at most empty the next one, never bank places
        beyond it.
        """
        now = time.time()
        engine = self._engine()
        if amount < 0:
            lower = (
                update(_window)
                .where(_window.c.key == window_key(key), _window.c.expires_at > now)
                .values({"count": case((_window.c["count"] + amount < 0, 0), else_=_window.c["count"] + amount)})
                .returning(_window.c["count"])
            )
            with engine.begin() as connection:
                return connection.execute(lower).scalar() or 0
        values = {"key": window_key(key), "count": amount, "expires_at": now + expiry}
        insert = _UPSERTS[engine.dialect.name](_window).values(values)
        ended = _window.c.expires_at <= now
        upsert = insert.on_conflict_do_update(
            index_elements=[_window.c.key],
            set_={
                "count": case((ended, insert.excluded["count"]), else_=_window.c["count"] + insert.excluded["count"]),
                "expires_at": case((ended, insert.excluded.expires_at), else_=_window.c.expires_at),
            },
        ).returning(_window.c["count"])
        with engine.begin() as connection:
            count = connection.execute(upsert).scalar_one()
        if now - self._purged_at >= PURGE_EVERY_SECONDS:
            self._purged_at = now
            with engine.begin() as connection:
                self.purge_ended(connection, now)
        return count

    @staticmethod
    def purge_ended(connection: Connection, now: float | None = None) -> int:
        """Delete the windows that have ended (they count as empty already); how many were deleted."""
        now = time.time() if now is None else now
        return connection.execute(delete(_window).where(_window.c.expires_at <= now)).rowcount

    def _running(self, key: str, column):
        """``column`` of the key's window if it is still running, else ``None``."""
        with self._engine().connect() as connection:
            return connection.execute(
                select(column).where(_window.c.key == window_key(key), _window.c.expires_at > time.time())
            ).scalar()

    def get(self, key: str) -> int:
        """The count of the key's running window (0 when none runs)."""
        return self._running(key, _window.c["count"]) or 0

    def get_expiry(self, key: str) -> float:
        """When the key's running window ends (now when none runs)."""
        return self._running(key, _window.c.expires_at) or time.time()

    def clear(self, key: str) -> None:
        """Forget the key's window."""
        with self._engine().begin() as connection:
            connection.execute(delete(_window).where(_window.c.key == window_key(key)))

    def reset(self) -> int | None:
        """Forget every window; how many there were."""
        with self._engine().begin() as connection:
            return connection.execute(delete(_window)).rowcount

    def check(self) -> bool:
        """Whether the database answers."""
        try:
            with self._engine().connect() as connection:
                connection.execute(text("SELECT 1"))
        except SQLAlchemyError:
            return False
        return True


def init_app(app: Flask) -> None:
    """Bind Flask-Limiter to ``app`` (the ``database://`` scheme is registered by importing this module).

    Registered before ``database.init_app``, so ``_give_back_after_commit`` runs after the request's commit point
    (after-request functions run in reverse order): the storage then never waits for a lock the request holds.
    """
    limiter.init_app(app)
    app.after_request(_give_back_after_commit)


def succeeded(response: Response) -> bool:
    """The default of ``give_back``: the request succeeded (a status below 400)."""
    return response.status_code < 400


def give_back(when: Callable[[Response], bool] = succeeded) -> None:
    """Give back the places this request took in its rate limits once it has committed, if ``when(response)``.

    The one way to limit only some outcomes (failures) and still hold under a burst: every limit is counted before
    the view runs, in one atomic step of the shared store, so parallel requests can't all pass a check made before
    any of them was counted (Flask-Limiter's ``deduct_when`` checks first and counts after the answer, which a burst
    slips past); the outcomes that should not count then give their place back. A sign-in with the right password
    or an accepted registration calls it on success; the API calls it for every request and gives back unless the
    token was refused (``when``).
    """
    g.rate_limits_give_back_when = when


def _give_back_after_commit(response: Response) -> Response:
    """Lower the windows of the limits this request was counted in, if ``give_back``'s condition holds for the
    answer (the request's own hits: Flask-Limiter's limits of this request). A store the database can't write now
    keeps the place counted rather than turn a good answer into an error."""
    when = g.pop("rate_limits_give_back_when", None)
    if when is not None and when(response):
        for current in limiter.current_limits:
            try:
                limiter.limiter.hit(current.limit, *current.request_args, cost=-1)
            except Exception as error:
                if not unavailable(error):
                    raise
                # The answer stands; the place stays counted until its window ends (errs on the side of the limit).
                log.warning("a rate-limit place could not be given back: %s", driver_message(error))
    return response
