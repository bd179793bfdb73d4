"""Database trouble (unreachable, unwritable, locked) answers 503 with ``Retry-After`` on every page, fragment, sign-in
and API call, ``/healthz`` reports it, and the portal recovers by itself once the database is back.

The outages are real failures of the real drivers, made in ways that hold for root (CI runs as root, for whom file
permissions don't stop a write):
- *unreachable*: new connections go to a port where nothing listens (PostgreSQL: "connection refused") or to a file
  in a directory that doesn't exist (SQLite: "unable to open database file"), and the pool's connections are closed,
  as a restarted or vanished server leaves them;
- *unwritable* on SQLite: every descriptor the process holds on the database file and its WAL is replaced by a
  read-only descriptor of the same file, so the kernel refuses each write (``EBADF``: SQLite's "disk I/O error"), as
  after a file system went read-only or a disk failed under open files; ``PRAGMA query_only`` or a ``mode=ro`` URI
  would be refused before any write is tried, which the old no-op probe already noticed;
- *unwritable* on PostgreSQL: every transaction read-only (``SET SESSION CHARACTERISTICS``), as on a standby that a
  failover left the pool pointing at;
- *locked*: another connection holds SQLite's write lock past the busy timeout ("database is locked").
"""

from __future__ import annotations

import fcntl
import os
import socket
import sqlite3
import threading
import time
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest
from flask_login import current_user
from sqlalchemy import event, exc, func, make_url, select, text

from parkportal.cli import ensure_service_types
from parkportal.coverage import service as coverage_service
from parkportal.database import unavailable
from parkportal.extensions import db
from parkportal.models import Enterprise, HealthProbe, SignIn, User
from parkportal.web import render

from . import factories
from .conftest import english, sign_in
from .live_server import Visitor, serve

HTMX = {"HX-Request": "true"}
#: What each request answers once the database is back.
RECOVERED = {"page": 200, "signed-in page": 200, "fragment": 200, "sign-in": 303, "api": 200, "healthz": 200}


def closed_port() -> int:
    """A local TCP port nobody listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def assert_unavailable(response) -> None:
    """The answer is the 503 for database trouble: ``Retry-After``, the portal's message, no trace."""
    page = response.get_data(as_text=True)
    assert response.status_code == 503, page[:300]
    assert response.headers["Retry-After"] == "30"
    assert "Traceback" not in page and "sqlalchemy" not in page.lower()


class Outage:
    """Make the database of ``app`` unreachable, and bring it back, while the app keeps running."""

    def __init__(self, app):
        self.app = app
        self.down = False
        with app.app_context():
            self.engine = db.engine
        event.listen(self.engine, "do_connect", self._connect)

    def _connect(self, dialect, _record, cargs, cparams):
        """While down, send new connections where no database is."""
        if not self.down:
            return
        if dialect.name == "sqlite":
            cargs[0] = str(Path(cargs[0]).parent / "gone" / "away" / "db.sqlite3")
        else:
            cparams.update(host="127.0.0.1", port=closed_port())

    def stop(self) -> None:
        """The database goes away: its connections are closed and new ones fail."""
        self.down = True
        self.engine.pool.dispose()

    def start(self) -> None:
        """The database is back (the app is not restarted)."""
        self.down = False


@pytest.fixture
def outage(make_app):
    """A second app on the test database, whose database can be switched off and on."""
    return Outage(make_app())


@pytest.fixture
def staff_id(app) -> int:
    """A staff account."""
    with app.app_context():
        staff = factories.staff()
        db.session.commit()
        return staff.id


def staff_email(app, staff_id: int) -> str:
    """The address of the staff account ``staff_id``."""
    with app.app_context():
        return db.session.get(User, staff_id).email


# -------------------------------------------------------------------------------------------- one class of errors


def sqlite_error(tmp_path, make) -> BaseException:
    """The error SQLite really raises for what ``make`` does to a fresh database in ``tmp_path``."""
    path = tmp_path / "probe.sqlite3"
    setup = sqlite3.connect(path)
    setup.execute("CREATE TABLE t (id INTEGER PRIMARY KEY)")
    setup.commit()
    setup.close()
    try:
        make(path)
    except sqlite3.Error as error:
        return error
    raise AssertionError("no error")


def read_only_write(path):
    """A write on a connection that may only read."""
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA query_only = ON")
    connection.execute("INSERT INTO t VALUES (1)")


def locked_write(path):
    """A write while another connection holds the write lock, past a short busy timeout."""
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    sqlite3.connect(path, timeout=0.05).execute("INSERT INTO t VALUES (1)")


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        pytest.param(read_only_write, True, id="readonly"),
        pytest.param(
            lambda path: sqlite3.connect(path.parent / "no" / "dir.db").execute("SELECT 1"), True, id="cantopen"
        ),
        pytest.param(locked_write, True, id="locked"),
        pytest.param(lambda path: sqlite3.connect(path).execute("SELECT * FROM missing"), False, id="no-such-table"),
        pytest.param(lambda path: sqlite3.connect(path).execute("SELEKT 1"), False, id="syntax"),
        pytest.param(
            lambda path: sqlite3.connect(path).executemany("INSERT INTO t VALUES (?)", [(1,), (1,)]), False, id="unique"
        ),
    ],
)
def test_sqlite_trouble_is_told_from_mistakes(tmp_path, make, expected):
    """SQLite's "readonly database", "unable to open database file" and "database is locked" are database trouble;
    a missing table, bad SQL or a unique key are the portal's mistakes (500), also wrapped by SQLAlchemy."""
    error = sqlite_error(tmp_path, make)
    assert unavailable(error) is expected
    assert unavailable(exc.OperationalError("SQL", {}, error)) is expected


def test_postgres_and_pool_trouble_is_recognised(app):
    """A refused connection, a read-only transaction, an administrator's shutdown and a pool time-out are database
    trouble; a unique key or a cancelled statement are not."""
    psycopg = pytest.importorskip("psycopg")
    with pytest.raises(psycopg.OperationalError) as refused:
        psycopg.connect(host="127.0.0.1", port=closed_port(), dbname="none", connect_timeout=2)
    assert unavailable(exc.OperationalError("connect", {}, refused.value))
    assert unavailable(psycopg.errors.ReadOnlySqlTransaction("read-only"))
    assert unavailable(psycopg.errors.AdminShutdown("terminating connection due to administrator command"))
    assert unavailable(psycopg.errors.DiskFull("could not extend file"))
    assert unavailable(exc.TimeoutError("QueuePool limit of size 5 overflow 10 reached"))
    assert unavailable(exc.DisconnectionError("gone"))
    assert not unavailable(exc.IntegrityError("INSERT", {}, psycopg.errors.UniqueViolation("duplicate key")))
    assert not unavailable(psycopg.errors.QueryCanceled("canceling statement due to statement timeout"))
    assert not unavailable(ValueError("not a database error"))


# -------------------------------------------------------------------------------------------------- unreachable


def test_an_unreachable_database_is_a_503_everywhere_and_the_portal_recovers(app, outage, staff_id):
    """Database gone: a page, a signed-in page (not a redirect to sign-in), a fragment, the sign-in and an API call
    all answer 503 with Retry-After, and /healthz says "unreachable"; back: the same app answers 200 again."""
    portal = outage.app
    with portal.app_context():
        _row, token = coverage_service.issue_token("区市场监管平台", None)
        db.session.commit()
    email = staff_email(app, staff_id)
    staff = english(sign_in(portal, email))
    visitor = english(portal.test_client())
    api = {"Authorization": f"Bearer {token}"}

    def answers():
        return {
            "page": visitor.get("/"),
            "signed-in page": staff.get("/enterprises/"),
            "fragment": staff.get("/enterprises/?q=常州", headers=HTMX),
            "sign-in": visitor.post("/auth/login", data={"email": email, "password": factories.PASSWORD}),
            "api": visitor.get("/api/v1/events", headers=api),
            "healthz": visitor.get("/healthz"),
        }

    outage.stop()
    down = answers()
    assert {name: response.status_code for name, response in down.items()} == dict.fromkeys(down, 503)
    for response in down.values():
        assert_unavailable(response)
    assert "<html" not in down["fragment"].get_data(as_text=True)
    assert down["fragment"].headers["HX-Retarget"] == "#messages"
    assert "Temporarily unavailable" in down["page"].get_data(as_text=True)
    assert down["healthz"].get_json() == {"status": "error", "db": "unreachable"}

    outage.start()
    up = answers()
    assert {name: response.status_code for name, response in up.items()} == RECOVERED


def test_the_navigation_does_not_hide_an_outage_behind_zeros(outage, app, staff_id):
    """The database goes away after the view has run: the navigation's counters don't render zeros on a 200 page,
    the answer is the 503 (which renders, navigation and all, as for a visitor)."""
    portal = outage.app

    def view_then_outage():
        assert current_user.is_authenticated  # the user loader has read the database
        db.session.close()
        outage.stop()
        return render("main/privacy.html")

    portal.add_url_rule("/test/nav", "nav", view_then_outage)
    staff = english(sign_in(portal, staff_email(app, staff_id)))
    response = staff.get("/test/nav")
    assert_unavailable(response)
    assert "Temporarily unavailable" in response.get_data(as_text=True)
    outage.start()
    assert staff.get("/enterprises/").status_code == 200


# ------------------------------------------------------------------------------------------------- unwritable


@contextmanager
def kernel_refuses_writes(path: Path):
    """Until the block ends, every descriptor this process holds or opens on the SQLite database ``path`` and its WAL
    is a read-only one of the same file: reads work, each write is refused by the kernel (what a file system gone
    read-only or a failing disk does to open files; root can't write through it either)."""
    names = {str(path), f"{path}-wal"}
    saved: dict[int, int] = {}  # descriptor → a copy of what it was, put back at the end

    def swap() -> None:
        for entry in os.listdir("/proc/self/fd"):
            fd = int(entry)
            try:
                target = os.readlink(f"/proc/self/fd/{entry}")
                writable = fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_ACCMODE != os.O_RDONLY
            except OSError:
                continue
            if target not in names or not writable or fd in saved.values():
                continue
            if fd in saved:  # a closed connection's number, reused by a new one: the same file
                os.close(saved.pop(fd))
            saved[fd] = os.dup(fd)
            read_only = os.open(target, os.O_RDONLY)
            os.dup2(read_only, fd)
            os.close(read_only)

    def on_connect(dbapi_connection, _record):
        """A connection opened meanwhile reads once (opening the WAL) and then gets the same treatment."""
        dbapi_connection.execute("SELECT count(*) FROM sqlite_master").fetchall()
        swap()

    engine = db.engine
    event.listen(engine, "connect", on_connect)
    swap()
    try:
        yield
    finally:
        event.remove(engine, "connect", on_connect)
        for fd, original in saved.items():
            try:
                still_ours = os.readlink(f"/proc/self/fd/{fd}") in names
            except OSError:
                still_ours = False
            if still_ours:  # else its connection closed it and the number may be another file's now
                os.dup2(original, fd)
            os.close(original)


@pytest.fixture
def sqlite_portal(make_app, tmp_path, app):
    """An app on its own SQLite file (its descriptors can be made read-only without touching the shared one), with a
    staff account; ``.db_path`` and ``.staff_email`` say which."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("SQLite's files")
    if not Path("/proc/self/fd").is_dir():
        pytest.skip("needs /proc/self/fd (Linux)")
    path = tmp_path / "portal.sqlite3"
    portal = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}")
    with portal.app_context():
        db.create_all()
        ensure_service_types()
        portal.staff_email = factories.staff().email
        db.session.commit()
    portal.db_path = path
    return portal


def count(portal, model) -> int:
    """How many rows of ``model`` the portal's database holds."""
    with portal.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_sqlite_refusing_writes_is_a_503_healthz_notices_and_it_recovers(sqlite_portal):
    """With the kernel refusing SQLite's writes, /healthz says "read-only" (the old no-op probe said ok), a sign-in
    (it records the sign-in) is 503 with Retry-After and saves nothing, reads still work; once writes are possible
    again both succeed."""
    portal = sqlite_portal
    client = english(portal.test_client())
    login = {"email": portal.staff_email, "password": factories.PASSWORD}
    before = count(portal, SignIn)
    with portal.app_context(), kernel_refuses_writes(portal.db_path):
        health = client.get("/healthz")
        assert health.status_code == 503 and health.get_json() == {"status": "error", "db": "read-only"}
        assert_unavailable(client.post("/auth/login", data=login))
        assert client.get("/").status_code == 200
    assert count(portal, SignIn) == before
    assert client.get("/healthz").get_json() == {"status": "ok", "db": "ok"}
    assert client.post("/auth/login", data=login).status_code == 303
    assert count(portal, SignIn) == before + 1


def test_healthz_really_writes(sqlite_portal):
    """/healthz commits a change to its probe row (and creates the row if it is missing), at most every
    HEALTHZ_WRITE_INTERVAL seconds while it works."""
    portal = sqlite_portal
    client = portal.test_client()
    assert client.get("/healthz").status_code == 200
    with portal.app_context():
        first = db.session.get(HealthProbe, 1).checked_at
    assert client.get("/healthz").status_code == 200
    with portal.app_context():
        assert db.session.get(HealthProbe, 1).checked_at == first  # within the interval: not written again
    portal.config["HEALTHZ_WRITE_INTERVAL"] = 0
    assert client.get("/healthz").status_code == 200
    with portal.app_context():
        assert db.session.get(HealthProbe, 1).checked_at > first


@contextmanager
def server_ends_the_connection(app):
    """The PostgreSQL server ends the session's connection now (as at a shutdown or a crash), told by ``app``'s own."""
    pid = db.session.scalar(text("SELECT pg_backend_pid()"))
    with app.app_context():
        assert db.session.scalar(text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid})
        db.session.commit()
    yield


@pytest.fixture
def commit_portal(make_app, app, tmp_path):
    """An app on SQLite (its own file) or on the PostgreSQL test database, and how to make its commits fail."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if not url.startswith("sqlite"):
        portal = make_app()
        portal.trouble = lambda: server_ends_the_connection(app)
        return portal
    if not Path("/proc/self/fd").is_dir():
        pytest.skip("needs /proc/self/fd (Linux)")
    path = tmp_path / "portal.sqlite3"
    portal = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}")
    with portal.app_context():
        db.create_all()
    portal.trouble = lambda: kernel_refuses_writes(path)
    return portal


def test_a_commit_the_database_refuses_is_a_503_not_a_success(commit_portal):
    """A view that succeeded but whose one commit (after the view) fails, the database having become unwritable
    (SQLite) or gone (PostgreSQL) meanwhile, answers 503 with Retry-After, not its 200, and its write is not there;
    the same request once the database is back succeeds."""
    portal = commit_portal
    trouble = {"on": True, "open": []}

    def add_enterprise():
        factories.enterprise()
        if trouble["on"]:
            cause = portal.trouble()
            cause.__enter__()
            trouble["open"].append(cause)
        return "saved"

    portal.add_url_rule("/test/add-enterprise", "add_enterprise", add_enterprise, methods=["POST"])
    client = portal.test_client()
    before = count(portal, Enterprise)
    try:
        assert_unavailable(client.post("/test/add-enterprise"))
    finally:
        for cause in trouble["open"]:
            cause.__exit__(None, None, None)
    assert count(portal, Enterprise) == before
    trouble["on"] = False
    assert client.post("/test/add-enterprise").status_code == 200
    assert count(portal, Enterprise) == before + 1


def test_a_database_locked_past_the_busy_timeout_is_a_503(make_app, app, staff_id):
    """SQLite's write lock held elsewhere longer than the busy timeout: the sign-in answers 503 with Retry-After (not
    500); once the lock is released it succeeds."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if not url.startswith("sqlite"):
        pytest.skip("SQLite's busy timeout")
    portal = make_app(SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"timeout": 0.1}})
    email = staff_email(app, staff_id)
    holder = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        assert_unavailable(
            portal.test_client().post("/auth/login", data={"email": email, "password": factories.PASSWORD})
        )
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert (
        portal.test_client().post("/auth/login", data={"email": email, "password": factories.PASSWORD}).status_code
        == 303
    )


@pytest.fixture
def read_only_postgres(make_app, app):
    """An app whose PostgreSQL connections are read-only while ``.read_only["on"]`` (a standby after a failover)."""
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("PostgreSQL's read-only transactions")
    portal = make_app()
    portal.read_only = {"on": True}
    with portal.app_context():

        @event.listens_for(db.engine, "connect")
        def read_only(dbapi_connection, _record):
            if portal.read_only["on"]:
                with dbapi_connection.cursor() as cursor:
                    cursor.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
                dbapi_connection.commit()

    return portal


def test_a_read_only_postgres_is_a_503_and_its_connections_are_replaced(read_only_postgres, app, staff_id):
    """On a read-only PostgreSQL the sign-in is 503 with Retry-After and /healthz says "read-only"; the connection
    that refused is discarded, so once the primary is back the next requests succeed without a restart."""
    portal = read_only_postgres
    email = staff_email(app, staff_id)
    client = portal.test_client()
    assert_unavailable(client.post("/auth/login", data={"email": email, "password": factories.PASSWORD}))
    assert client.get("/healthz").get_json() == {"status": "error", "db": "read-only"}
    portal.read_only["on"] = False
    assert client.post("/auth/login", data={"email": email, "password": factories.PASSWORD}).status_code == 303
    assert client.get("/healthz").get_json() == {"status": "ok", "db": "ok"}


def test_a_postgres_connection_killed_by_the_server_is_replaced(make_app, app, staff_id):
    """The server ends the portal's idle connections (a restart, an administrator): the next request gets a fresh
    connection and succeeds (pre-ping); one ended in the middle of a request is a 503, and the next succeeds."""
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("PostgreSQL's server-side termination")
    portal = make_app()

    def killed():
        with server_ends_the_connection(app):
            db.session.execute(text("SELECT 1"))
        return "not reached"

    portal.add_url_rule("/test/killed", "killed", killed)
    email = staff_email(app, staff_id)
    client = portal.test_client()
    assert client.get("/healthz").status_code == 200
    with app.app_context():
        ended = db.session.scalar(
            text(
                "SELECT count(pg_terminate_backend(pid, 5000)) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = 'idle'"
            )
        )
        db.session.commit()
    assert ended >= 1
    assert client.post("/auth/login", data={"email": email, "password": factories.PASSWORD}).status_code == 303
    assert_unavailable(client.get("/test/killed"))
    assert client.get("/enterprises/").status_code == 200
    assert client.get("/healthz").get_json() == {"status": "ok", "db": "ok"}


# ------------------------------------------------------------------------------------ against gunicorn workers


class CuttableLink:
    """A TCP forwarder in front of PostgreSQL whose link can be cut — it stops listening (new connections are
    refused) and drops the connections it carries, as a network outage or a stopped server does — and restored on
    the same port. The shared PostgreSQL server itself is never touched."""

    def __init__(self, host: str, port: int):
        self.target = (host, port)
        self.port = closed_port()
        self.listener: socket.socket | None = None
        self.carried: list[socket.socket] = []
        self.lock = threading.Lock()

    def restore(self) -> None:
        """Listen again and forward every new connection."""
        self.listener = socket.create_server(("127.0.0.1", self.port))
        self.listener.settimeout(0.1)
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def cut(self) -> None:
        """Stop listening and drop every connection carried."""
        listener, self.listener = self.listener, None
        listener.close()
        with self.lock:
            carried, self.carried = self.carried, []
        for sock in carried:
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def _accept(self, listener: socket.socket) -> None:
        """Forward each connection until the listener is cut."""
        while self.listener is listener:
            try:
                client, _address = listener.accept()
            except (TimeoutError, OSError):
                continue
            client.settimeout(None)
            upstream = socket.create_connection(self.target)
            with self.lock:
                self.carried += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        """Copy bytes one way until either side closes."""
        with suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        with suppress(OSError):
            sink.shutdown(socket.SHUT_WR)


def test_gunicorn_workers_answer_503_while_postgres_is_unreachable_and_recover(app, tmp_path, staff_id):
    """gunicorn with 3 workers on PostgreSQL through a link that is cut: pages, a fragment, the sign-in, an API call
    and /healthz answer 503 with Retry-After from every worker that is asked; once the link is back the same
    workers (no restart) answer 200 again."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "postgresql":
        pytest.skip("PostgreSQL made unreachable (SQLite has no server to lose)")
    with app.app_context():
        _row, token = coverage_service.issue_token("区市场监管平台", None)
        db.session.commit()
    email = staff_email(app, staff_id)
    link = CuttableLink(url.host or "127.0.0.1", url.port or 5432)
    link.restore()
    through_link = url.set(host="127.0.0.1", port=link.port).render_as_string(hide_password=False)
    try:
        with serve(through_link, workers=3, log_dir=tmp_path) as server:
            staff = Visitor(server.url)
            staff.get("/auth/login")
            assert staff.post("/auth/login", {"email": email, "password": factories.PASSWORD}).status == 303
            visitor = Visitor(server.url)
            visitor.get("/auth/login")
            api = {"Authorization": f"Bearer {token}"}

            def answers():
                return {
                    "page": visitor.get("/"),
                    "signed-in page": staff.get("/enterprises/"),
                    "fragment": staff.get("/enterprises/?q=%E5%B8%B8%E5%B7%9E", headers=HTMX),
                    "sign-in": visitor.post("/auth/login", {"email": email, "password": factories.PASSWORD}),
                    "api": visitor.get("/api/v1/events", headers=api),
                    "healthz": visitor.get("/healthz"),
                }

            workers = server.worker_pids()
            link.cut()
            for _ in range(3):  # each request on a new connection: they reach several workers
                down = answers()
                assert {name: answer.status for name, answer in down.items()} == dict.fromkeys(down, 503)
                waits = {name: int(answer.headers.get("retry-after", "0")) for name, answer in down.items()}
                assert min(waits.values()) >= 30, waits  # the sign-in's may be its rate limit's later reset
                assert "<html" not in down["fragment"].text and down["fragment"].headers["hx-retarget"] == "#messages"
                assert "Traceback" not in down["page"].text
            unavailable_from = {
                int(line.split()[0].strip("<>")) for line in access_lines(server) if line.endswith(" 503")
            }
            assert len(unavailable_from) >= 2

            link.restore()
            for _ in range(3):
                up = answers()
                assert {name: answer.status for name, answer in up.items()} == RECOVERED
            assert server.worker_pids() == workers  # the same processes: nothing was restarted
    finally:
        if link.listener is not None:
            link.cut()


def access_lines(server) -> list[str]:
    """gunicorn's access log of ``server``, one answered request a line (pid, method, path, status)."""
    return server.access_log.read_text(encoding="utf-8").splitlines()


def test_a_postgres_host_that_does_not_answer_is_a_503_within_the_connect_timeout(make_app):
    """A database host that takes the connection but never answers (a hung server, dropped packets): PostgreSQL
    connections give up after POSTGRES_CONNECT_TIMEOUT (5 s; the URL's ``connect_timeout`` wins), so /healthz and
    pages answer 503 instead of hanging until gunicorn kills the worker."""
    pytest.importorskip("psycopg")
    from parkportal import database

    default = make_app(SQLALCHEMY_DATABASE_URI="postgresql+psycopg://u:p@db/portal")
    assert default.config["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"]["connect_timeout"] == 5
    with socket.create_server(("127.0.0.1", 0)) as silent:  # the kernel accepts; nobody ever answers
        port = silent.getsockname()[1]
        portal = make_app(SQLALCHEMY_DATABASE_URI=f"postgresql+psycopg://u:p@127.0.0.1:{port}/portal?connect_timeout=1")
        assert "connect_timeout" not in portal.config["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"]
        client = portal.test_client()
        started = time.monotonic()
        health = client.get("/healthz")
        assert health.status_code == 503 and health.get_json()["db"] == "unreachable"
        assert_unavailable(client.get("/"))
        assert time.monotonic() - started < 2 * database.POSTGRES_CONNECT_TIMEOUT
