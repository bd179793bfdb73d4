"""Engine set-up and the one commit point per request."""

from __future__ import annotations

import logging
import os
import sqlite3
from datetime import timedelta

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import event, exc, make_url, text, update
from sqlalchemy.engine import Engine

from .core.errors import DomainError
from .core.locking import insert_or_lose, write_transaction, writing
from .extensions import db
from .timeutil import utcnow

log = logging.getLogger(__name__)

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


#: PostgreSQL's planner costs a random page read at 4× a sequential one (spinning disks); the portal's tables and
#: indexes stay in memory, where the two cost about the same. At 4.0 the planner walks the whole park's bookings by
#: time and filters out other lawyers' rather than read one lawyer's through their own index (a lawyer's week:
#: 0.73 → 0.13 ms). 1.1 is the usual setting for data in memory or on SSDs; set ``connect_args["options"]`` in
#: ``SQLALCHEMY_ENGINE_OPTIONS`` to choose otherwise.
POSTGRES_OPTIONS = "-c random_page_cost=1.1"


#: Seconds to wait for a new PostgreSQL connection: a database host that doesn't answer (down, dropped packets) is
#: then a 503 after 5 s, not a request hanging for the kernel's two minutes of retries until gunicorn kills the worker.
POSTGRES_CONNECT_TIMEOUT = 5


def configure_engine_options(app: Flask) -> None:
    """SQLite waits for a lock instead of failing at once (several requests, threads or processes); PostgreSQL
    connections are checked before use, give up connecting after ``POSTGRES_CONNECT_TIMEOUT`` (unless the URL says
    otherwise) and plan for data in memory (``POSTGRES_OPTIONS``)."""
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    connect_args = dict(options.get("connect_args") or {})
    if uri.startswith("sqlite"):
        connect_args.setdefault("timeout", 30)
    else:
        options.setdefault("pool_pre_ping", True)
        if uri.startswith("postgresql"):
            query = make_url(uri).query
            connect_args.setdefault("options", _postgres_options(query.get("options")))
            if "connect_timeout" not in query:  # connect_args would replace the URL's
                connect_args.setdefault("connect_timeout", POSTGRES_CONNECT_TIMEOUT)
    options["connect_args"] = connect_args
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def _postgres_options(given: str | tuple | None) -> str:
    """``POSTGRES_OPTIONS`` after the ``options`` the database URL gives (``connect_args`` would replace them), unless
    those set the cost themselves."""
    given = " ".join(given) if isinstance(given, tuple) else (given or "")
    return given if "random_page_cost" in given else f"{given} {POSTGRES_OPTIONS}".strip()


#: SQLite's primary result codes for a database that can't be opened or written now, as opposed to a mistake in the
#: SQL ("no such table" is SQLITE_ERROR): BUSY (a lock held past the busy timeout: "database is locked"), LOCKED,
#: NOMEM, READONLY ("attempt to write a readonly database"), IOERR ("disk I/O error"), FULL ("database or disk is
#: full"), CANTOPEN ("unable to open database file"), PROTOCOL (the WAL's locks failed).
SQLITE_UNAVAILABLE = frozenset({5, 6, 7, 8, 10, 13, 14, 15})

#: The same in sqlite3's messages, for errors that carry no result code (a closed connection).
SQLITE_UNAVAILABLE_MESSAGES = (
    "database is locked",
    "database table is locked",
    "readonly database",
    "disk i/o error",
    "database or disk is full",
    "unable to open database file",
    "cannot operate on a closed database",
)

#: PostgreSQL's SQLSTATE classes and codes for the same: connection exceptions (08…), insufficient resources
#: (53…: disk full, out of memory, too many connections), operator intervention (57P…: admin or crash shutdown,
#: "the database system is starting up"), system errors (58…: I/O), a read-only transaction (25006: a standby, a
#: failed-over primary, ``default_transaction_read_only``) and a lock not granted in time (55P03).
POSTGRES_UNAVAILABLE_CLASSES = ("08", "53", "57P", "58")
POSTGRES_UNAVAILABLE_CODES = frozenset({"25006", "55P03"})


def unavailable(error: BaseException | None) -> bool:
    """Whether ``error`` means the database can't be reached or can't be written right now (answered 503 with
    ``Retry-After``), rather than a mistake in the portal (500).

    The one place that knows the class: SQLAlchemy's disconnects and pool time-outs, and the driver's own error
    (SQLite's result code, PostgreSQL's SQLSTATE, a psycopg connection error without one), also when it is wrapped
    (``orig``, ``__cause__``, Flask's ``original_exception``).
    """
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, (exc.DisconnectionError, exc.TimeoutError)):
            return True
        if isinstance(error, exc.DBAPIError) and error.connection_invalidated:
            return True
        if _driver_unavailable(error):
            return True
        error = getattr(error, "orig", None) or error.__cause__ or getattr(error, "original_exception", None)
    return False


def _driver_unavailable(error: BaseException) -> bool:
    """Whether a DB-API driver's own exception says the database can't be reached or written."""
    if isinstance(error, sqlite3.Error):
        code = getattr(error, "sqlite_errorcode", None)
        if code is not None:
            return code & 0xFF in SQLITE_UNAVAILABLE
        return any(message in str(error).lower() for message in SQLITE_UNAVAILABLE_MESSAGES)
    if isinstance(error, exc.SQLAlchemyError) or type(error).__module__.split(".")[0] not in ("psycopg", "psycopg2"):
        return False
    state = getattr(error, "sqlstate", None) or getattr(error, "pgcode", None)
    if state:
        return state in POSTGRES_UNAVAILABLE_CODES or state.startswith(POSTGRES_UNAVAILABLE_CLASSES)
    # No SQLSTATE: the server never answered (refused, reset, timed out, closed connection).
    return any(kind.__name__ in ("OperationalError", "InterfaceError") for kind in type(error).__mro__)


def init_app(app: Flask) -> None:
    """Install the SQLite pragmas, the discarding of unusable connections and the request's commit/rollback hooks."""
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            _configure_sqlite(engine, in_memory=engine.url.database in (None, "", ":memory:"))
        if app.config.get("COUNT_QUERIES") or os.environ.get("PARKPORTAL_COUNT_QUERIES") == "1":
            _count_queries(app, engine)
        event.listen(engine, "handle_error", _discard_unusable_connections)

    @app.after_request
    def commit_or_rollback(response):
        """The one commit point: a successful response commits what the request did, anything else rolls back.

        A commit the database refuses because it can't be reached or written turns the answer into the 503 (not a
        success that saved nothing); any other failure to commit is the 500 it was.
        """
        if response.status_code >= 400:
            _rollback_quietly()
            return response
        try:
            db.session.commit()
        except Exception as error:
            if not unavailable(error):
                raise
            from .errors import database_unavailable

            return database_unavailable(error)
        return response


def retry_after() -> dict[str, str]:
    """The ``Retry-After`` header of every answer about database trouble (``DATABASE_RETRY_AFTER`` seconds)."""
    return {"Retry-After": str(current_app.config["DATABASE_RETRY_AFTER"])}


def _discard_unusable_connections(context) -> None:
    """Treat every error ``unavailable`` recognises as a disconnect, so SQLAlchemy throws the connection (and the
    pool's older ones) away instead of handing it to the next request: after a failover, a full disk, a file
    system gone read-only or a restarted server, the next request opens a fresh one (PostgreSQL's ``pool_pre_ping``
    catches connections that died while idle)."""
    if not context.is_disconnect and unavailable(context.original_exception):
        context.is_disconnect = True


def _count_queries(app: Flask, engine: Engine) -> None:
    """Measurement only (off by default): an ``X-Query-Count`` header with the SQL statements the request ran."""

    @event.listens_for(engine, "before_cursor_execute")
    def count(*_args):
        if has_request_context():
            g.query_count = g.get("query_count", 0) + 1

    @app.after_request
    def header(response):
        response.headers["X-Query-Count"] = str(g.get("query_count", 0))
        return response


def _configure_sqlite(engine: Engine, in_memory: bool) -> None:
    """Foreign keys on, WAL, and write transactions that take the write lock up front.

    pysqlite's own transaction handling starts transactions lazily and can fail with "database is locked"
    when two of them later try to write; taking the lock with ``BEGIN IMMEDIATE`` makes concurrent writers
    queue (up to the busy timeout) instead. Reads in GET requests use a plain deferred ``BEGIN``, except inside
    ``core.locking.write_transaction()``, where a GET records something.
    """

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves below
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        if not in_memory:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        read_only = has_request_context() and request.method in SAFE_METHODS and not writing()
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


class _ProbeRowTaken(DomainError):
    """Another process wrote the probe's first row at the same moment (the write worked for both)."""


def health() -> str:
    """``"ok"``, ``"unreachable"`` (a trivial query fails) or ``"read-only"`` (the write probe fails).

    The write probe updates and commits the one row of ``health_probe`` (creating it if missing), so the database
    really writes: a change to no row never touches its files and would miss a full disk or a file system gone
    read-only. A success is trusted for ``HEALTHZ_WRITE_INTERVAL`` seconds per process (load balancers ask every
    few seconds; a write each time would queue behind the portal's writers); a failure is tried again every time,
    so recovery shows at once.
    """
    from .models import HealthProbe
    from .models.health import PROBE_ID

    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any failure to reach the database is "down"
        _rollback_quietly()
        return "unreachable"
    state = current_app.extensions.setdefault("parkportal_health", {})
    now = utcnow()
    interval = timedelta(seconds=current_app.config["HEALTHZ_WRITE_INTERVAL"])
    if state.get("written_at") is not None and now - state["written_at"] < interval:
        return "ok"
    try:
        with write_transaction():
            probe = update(HealthProbe).where(HealthProbe.id == PROBE_ID).values(checked_at=now)
            if db.session.execute(probe).rowcount == 0:
                try:
                    with insert_or_lose(_ProbeRowTaken("health_probe: row 1 written meanwhile")):
                        db.session.add(HealthProbe(id=PROBE_ID, checked_at=now))
                except _ProbeRowTaken:
                    pass
    except Exception as error:  # noqa: BLE001 - whatever refuses the write, the portal can't work
        _rollback_quietly()
        state["written_at"] = None
        log.warning("/healthz: the database refused the write probe: %s", driver_message(error))
        return "read-only"
    state["written_at"] = now
    return "ok"


def driver_message(error: BaseException) -> str:
    """The driver's message of ``error`` on one line (not SQLAlchemy's, which repeats the statement and its
    parameters; psycopg's own spreads over several lines with hints)."""
    cause = getattr(error, "orig", None) or error
    return f"{type(cause).__name__}: {' '.join(str(cause).split())}"


def _rollback_quietly() -> None:
    """End the session's transaction; a connection that is gone can't even roll back, and needn't."""
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - nothing more can be done with a dead connection
        log.debug("rollback failed on an unusable connection", exc_info=True)
