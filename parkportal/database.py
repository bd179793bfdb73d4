"""Engine set-up and the one commit point per request."""

from __future__ import annotations

import os

from flask import Flask, g, has_request_context, request
from sqlalchemy import event, make_url
from sqlalchemy.engine import Engine

from .core.locking import writing
from .extensions import db

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


#: PostgreSQL's planner costs a random page read at 4× a sequential one (spinning disks); the portal's tables and
#: indexes stay in memory, where the two cost about the same. At 4.0 the planner walks the whole park's bookings by
#: time and filters out other lawyers' rather than read one lawyer's through their own index (a lawyer's week:
#: 0.73 → 0.13 ms). 1.1 is the usual setting for data in memory or on SSDs; set ``connect_args["options"]`` in
#: ``SQLALCHEMY_ENGINE_OPTIONS`` to choose otherwise.
POSTGRES_OPTIONS = "-c random_page_cost=1.1"


def configure_engine_options(app: Flask) -> None:
    """SQLite waits for a lock instead of failing at once (several requests, threads or processes); PostgreSQL
    connections are checked before use and plan for data in memory (``POSTGRES_OPTIONS``)."""
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    connect_args = dict(options.get("connect_args") or {})
    if uri.startswith("sqlite"):
        connect_args.setdefault("timeout", 30)
    else:
        options.setdefault("pool_pre_ping", True)
        if uri.startswith("postgresql"):
            connect_args.setdefault("options", _postgres_options(make_url(uri).query.get("options")))
    options["connect_args"] = connect_args
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def _postgres_options(given: str | tuple | None) -> str:
    """``POSTGRES_OPTIONS`` after the ``options`` the database URL gives (``connect_args`` would replace them), unless
    those set the cost themselves."""
    given = " ".join(given) if isinstance(given, tuple) else (given or "")
    return given if "random_page_cost" in given else f"{given} {POSTGRES_OPTIONS}".strip()


def init_app(app: Flask) -> None:
    """Install the SQLite pragmas and the request's commit/rollback hooks."""
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            _configure_sqlite(engine, in_memory=engine.url.database in (None, "", ":memory:"))
        if app.config.get("COUNT_QUERIES") or os.environ.get("PARKPORTAL_COUNT_QUERIES") == "1":
            _count_queries(app, engine)

    @app.after_request
    def commit_or_rollback(response):
        """The one commit point: a successful response commits what the request did, anything else rolls back."""
        if response.status_code < 400:
            db.session.commit()
        else:
            db.session.rollback()
        return response


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
