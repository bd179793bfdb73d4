"""Fixtures: one app per test session, a clean database per test, clients signed in per role.

Set ``PARKPORTAL_TEST_DATABASE_URL`` (e.g. ``postgresql://parkportal:…@127.0.0.1/parkportal_test``) to run
the same suite on PostgreSQL; SQLite in a temporary file is the default. Under pytest-xdist (``-n 2``, as
``make test`` runs) every worker has its own database: its own SQLite file, or ``<database>_gw0``, ``_gw1``, ….

Set ``PARKPORTAL_TEST_NOW`` (an ISO local time in Asia/Shanghai, e.g. ``2026-12-06T23:59:30``) to run the suite
as if the portal's clock started then: tests must not depend on today's weekday or the time of day, and
``make test`` runs the suite once more on a shifted clock to prove it.
"""

from __future__ import annotations

import os
import secrets
from functools import partial

import pytest
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.pool import NullPool
from werkzeug.security import generate_password_hash

from parkportal import create_app, timeutil
from parkportal.cli import ensure_service_types
from parkportal.config import normalise_database_url
from parkportal.extensions import db

from . import factories

TEST_SECRET = "test-secret-key-that-is-long-enough"


@pytest.fixture(scope="session", autouse=True)
def shifted_clock():
    """With PARKPORTAL_TEST_NOW, every ``timeutil.utcnow()`` runs from that moment on (the clock keeps ticking)."""
    target = os.environ.get("PARKPORTAL_TEST_NOW")
    if not target:
        yield
        return
    real = timeutil.datetime
    offset = real.fromisoformat(target).replace(tzinfo=timeutil.local_zone()) - real.now(timeutil.UTC)

    class ShiftedDatetime(real):
        """``datetime`` whose ``now()`` is offset; everything else is the real class."""

        @classmethod
        def now(cls, tz=None):
            return real.now(tz) + offset

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(timeutil, "datetime", ShiftedDatetime)
        yield


@pytest.fixture(scope="session", autouse=True)
def fast_password_hashing():
    """Hash test passwords with a cheap work factor (scrypt's 0.1 s per hash adds up over hundreds of sign-ins)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(
            "parkportal.models.user.generate_password_hash",
            partial(generate_password_hash, method="pbkdf2:sha256:1000"),
        )
        yield


@pytest.fixture(autouse=True)
def pdf_scan_in_process(request):
    """Scan uploaded PDFs in this process (the same ``pdfscan.scan``, without the ~0.3 s start of a child process
    per upload), except in tests marked ``pdf_child_process`` (``test_library_files``), which prove the child."""
    if request.node.get_closest_marker("pdf_child_process"):
        yield
        return
    from parkportal.library import formats, pdfscan

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(formats, "_scan", pdfscan.scan)
        yield


def database_url(tmp_path_factory) -> str:
    """The database under test: PostgreSQL when configured, else a fresh SQLite file (one per xdist worker, as
    each worker has its own temporary directory)."""
    url = os.environ.get("PARKPORTAL_TEST_DATABASE_URL")
    if url:
        return worker_database(normalise_database_url(url), os.environ.get("PYTEST_XDIST_WORKER"))
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite3")


def worker_database(url: str, worker: str | None) -> str:
    """The PostgreSQL database of one pytest-xdist worker: ``<name>_gw0`` for worker gw0 (``url`` itself without
    xdist), so workers never wipe each other's rows. Created through ``url`` when missing, if the role may
    (``.ci/run`` creates them beforehand for a role that may not)."""
    if not worker:
        return url
    base = make_url(url)
    own = base.set(database=f"{base.database}_{worker}")
    engine = create_engine(base, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with engine.connect() as conn:
            exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": own.database})
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{own.database}"'))
    finally:
        engine.dispose()
    return own.render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    """The application under test, with its schema created once."""
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url(tmp_path_factory),
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
            "SECRET_KEY": TEST_SECRET,
            "RATELIMIT_ENABLED": False,
            "SERVER_NAME": "portal.test",
            "LIBRARY_STORAGE_DIR": str(tmp_path_factory.mktemp("library")),
        }
    )
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def make_app(app):
    """Build another app on the test database with some configuration changed; its engine is closed afterwards."""
    made = []

    def make(**overrides):
        config = {
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
            "SECRET_KEY": TEST_SECRET,
            "RATELIMIT_ENABLED": False,
            "LIBRARY_STORAGE_DIR": app.config["LIBRARY_STORAGE_DIR"],
        }
        config.update(overrides)
        new_app = create_app(config)
        made.append(new_app)
        return new_app

    yield make
    for made_app in made:
        with made_app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def empty_database_url(app, tmp_path):
    """The URL of an empty database on the engine under test: a new SQLite file, or a new PostgreSQL schema."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("sqlite"):
        yield "sqlite:///" + str(tmp_path / "empty.sqlite3")
        return
    schema = "test_" + secrets.token_hex(4)
    with app.app_context(), db.engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    yield url + ("&" if "?" in url else "?") + f"options=-csearch_path%3D{schema}"
    with app.app_context(), db.engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


def english(client):
    """Make ``client`` see English pages (messages are asserted in English whatever the catalogs hold)."""
    with client.session_transaction() as session:
        session["lang"] = "en"
    return client


def _wipe(app) -> None:
    """Empty every table (fast, and works with concurrent connections, unlike a rolled-back transaction).

    DELETE, children first, rather than TRUNCATE: on PostgreSQL a TRUNCATE of every table costs ~0.4 s (it swaps
    each table's files), a DELETE of a test's few rows ~10 ms. Sequences that moved are restarted, so ids start at 1
    in every test as they would after TRUNCATE … RESTART IDENTITY.
    """
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as conn:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())
            if conn.dialect.name == "postgresql":
                moved = conn.scalars(
                    text(
                        "SELECT quote_ident(sequencename) FROM pg_sequences"
                        " WHERE schemaname = current_schema() AND last_value IS NOT NULL"
                    )
                ).all()
                for sequence in moved:
                    conn.execute(text(f"ALTER SEQUENCE {sequence} RESTART"))


@pytest.fixture(autouse=True)
def clean_db(app):
    """Each test starts with an empty database holding only the service catalogue."""
    _wipe(app)
    with app.app_context():
        ensure_service_types()
        db.session.commit()
    yield
    with app.app_context():
        db.session.remove()


@pytest.fixture
def ctx(app):
    """An application context for tests that call the domain directly."""
    with app.app_context():
        yield
        db.session.rollback()


@pytest.fixture
def client(app):
    """A test client."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A CLI runner."""
    return app.test_cli_runner()


class AuthActions:
    """Sign in and out through the real routes."""

    def __init__(self, client):
        self._client = client

    def login(self, email: str, password: str = factories.PASSWORD):
        """POST the login form."""
        return self._client.post("/auth/login", data={"email": email, "password": password})

    def logout(self):
        """POST the logout form."""
        return self._client.post("/auth/logout")


@pytest.fixture
def auth(client):
    """Sign-in helpers for ``client``."""
    return AuthActions(client)


def sign_in(app, email: str, password: str = factories.PASSWORD):
    """A new client of ``app`` signed in as ``email`` through the real sign-in form (the one sign-in helper)."""
    client = app.test_client()
    response = AuthActions(client).login(email, password)
    assert response.status_code == 303, response.data[:500]
    return client


def _signed_in(app, make_user):
    """A client signed in as the user ``make_user`` creates; ``.user_id`` holds their id."""
    with app.app_context():
        user = make_user()
        db.session.commit()
        email, user_id = user.email, user.id
    client = sign_in(app, email)
    client.user_id = user_id
    return client


@pytest.fixture
def enterprise_client(app):
    """A client signed in as the first user of a verified enterprise."""
    return _signed_in(app, lambda: factories.enterprise_user(status="verified"))


@pytest.fixture
def pending_client(app):
    """A client signed in as the first user of an enterprise awaiting verification."""
    return _signed_in(app, lambda: factories.enterprise_user(status="pending"))


@pytest.fixture
def lawyer_client(app):
    """A client signed in as a lawyer."""
    return _signed_in(app, factories.lawyer)


@pytest.fixture
def staff_client(app):
    """A client signed in as park staff."""
    return _signed_in(app, factories.staff)


from .live_server import live_server  # noqa: E402, F401  (the gunicorn fixture, for every test module)
