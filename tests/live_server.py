"""The portal served by gunicorn with several worker processes, for tests of what only holds across processes.

``serve(database_url, workers=4, config={...})`` starts ``gunicorn --workers N 'parkportal:create_app()'`` on a
free port of 127.0.0.1 against an existing database (the test database of ``tests/conftest.py``: its SQLite file or
its PostgreSQL database, already created and cleaned by the ``app`` and ``clean_db`` fixtures), waits until
``/healthz`` has answered 200 from every worker and yields a ``LiveServer`` (``.url`` is the base URL); leaving the
block stops gunicorn. The ``live_server`` fixture does the same on the test database and stops it after the test::

    def test_something(live_server):
        server = live_server(workers=4, PROXY_FIX=True)
        answer = Visitor(server.url).get("/healthz")

The test configuration travels in environment variables, so only keys of ``parkportal.config.ENV_KEYS`` can be
given (add a key there when a test needs another one). The served app is not in ``TESTING`` mode: CSRF is on (a
``Visitor`` sends the token of the last page it got back), the secret and ``PORTAL_URL`` are set here, and
``SESSION_COOKIE_SECURE`` is off because the server speaks plain http. The server runs on the real clock
(``PARKPORTAL_TEST_NOW`` shifts only the test process). Each ``Visitor`` request opens a new connection
(``Connection: close``), so consecutive requests are spread over the workers; ``LiveServer.worker_pids()`` tells
which workers answered (from gunicorn's access log).
"""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest

from parkportal import ROOT
from parkportal.config import ENV_KEYS

#: The served app's secret (any real one: the server signs its own cookies).
SECRET = "live-server-secret-key-long-enough"
#: gunicorn's access log: one line per answered request, the worker's pid first.
ACCESS_LOG_FORMAT = "%(p)s %(m)s %(U)s %(s)s"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class LiveServer:
    """A running gunicorn: its base URL and its log files."""

    url: str
    access_log: Path
    error_log: Path

    def worker_pids(self, path_prefix: str = "/") -> set[int]:
        """The pids of the workers that answered requests whose path starts with ``path_prefix``."""
        pids = set()
        for line in self.access_log.read_text(encoding="utf-8").splitlines():
            parts = line.split()
            if len(parts) >= 3 and parts[2].startswith(path_prefix):
                pids.add(int(parts[0].strip("<>")))
        return pids

    def __str__(self) -> str:
        """The base URL."""
        return self.url


def environment(database_url: str, config: dict[str, Any]) -> dict[str, str]:
    """The served app's environment: this process's, without any portal key of its own, plus the test's."""
    unknown = set(config) - set(ENV_KEYS)
    if unknown:
        raise ValueError(f"not settable from the environment (add them to config.ENV_KEYS): {sorted(unknown)}")
    env = {key: value for key, value in os.environ.items() if key not in ENV_KEYS and key != "DATABASE_URL"}
    env["DATABASE_URL"] = database_url
    env["PYTHONPATH"] = str(ROOT)
    for key, value in config.items():
        env[key] = ("1" if value else "0") if isinstance(value, bool) else str(value)
    return env


@contextmanager
def serve(
    database_url: str, workers: int = 4, config: dict[str, Any] | None = None, log_dir: Path | None = None
) -> Iterator[LiveServer]:
    """Serve the portal with ``workers`` gunicorn workers against ``database_url`` until the block ends."""
    with ExitStack() as stack:
        if log_dir is None:
            log_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="live-server-")))
        access_log, error_log = log_dir / "access.log", log_dir / "error.log"
        access_log.write_text("", encoding="utf-8")
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        settings = {
            "SECRET_KEY": SECRET,
            "PORTAL_URL": url,  # the links the portal builds point back at this server
            "SESSION_COOKIE_SECURE": False,
            "LIBRARY_STORAGE_DIR": str(log_dir / "library"),
            **(config or {}),
        }
        command = [
            sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
            "--access-logfile", str(access_log), "--access-logformat", ACCESS_LOG_FORMAT,
            "--error-logfile", str(error_log), "--log-level", "info", "--no-control-socket", "parkportal:create_app()",
        ]  # fmt: skip
        with open(error_log, "w", encoding="utf-8") as errors:
            process = subprocess.Popen(
                command, cwd=ROOT, env=environment(database_url, settings), stdout=errors, stderr=subprocess.STDOUT
            )
        server = LiveServer(url=url, access_log=access_log, error_log=error_log)
        try:
            _wait_for_health(server, process, workers)
            yield server
        finally:
            _stop(process)


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for_health(server: LiveServer, process: subprocess.Popen, workers: int, timeout: float = 60.0) -> None:
    """Return once ``/healthz`` has answered 200 from every worker (each builds the app after it is forked)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        try:
            healthy = fetch(server.url + "/healthz", timeout=2).status == 200
        except OSError:
            healthy = False
        if healthy and len(server.worker_pids("/healthz")) >= workers:
            return
        time.sleep(0.02 if healthy else 0.1)
    raise RuntimeError(
        f"the portal did not answer /healthz from {workers} workers:\n"
        + server.error_log.read_text(encoding="utf-8", errors="replace")[-4000:]
    )


def _stop(process: subprocess.Popen) -> None:
    """Stop gunicorn (TERM: workers finish their request), killing it if it hangs."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class Answer:
    """One HTTP answer: status, headers (names lower-cased) and body."""

    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        """The body as text."""
        return self.body.decode("utf-8", errors="replace")


def fetch(
    url: str, method: str = "GET", body: bytes | None = None, headers: dict[str, str] | None = None, timeout=30
) -> Answer:
    """One request on a new connection (``Connection: close``), redirects not followed."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        connection.request(method, path, body=body, headers={"Connection": "close", **(headers or {})})
        response = connection.getresponse()
        return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
    finally:
        connection.close()


@dataclass
class Visitor:
    """A browser of the live server: a new connection per request, its cookies kept, the CSRF token of the last
    page sent back with each form (take a page with the form first)."""

    url: str
    cookies: dict[str, str] = field(default_factory=dict)
    csrf_token: str | None = None

    def request(self, method: str, path: str, data: dict | None = None, headers: dict[str, str] | None = None):
        """Send one request (a form when ``data`` is given) and remember the cookies and CSRF token it brings."""
        sent = dict(headers or {})
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if data is not None:
            form = dict(data)
            if self.csrf_token and "csrf_token" not in form:
                form["csrf_token"] = self.csrf_token
            body = urlencode(form, doseq=True).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        answer = fetch(self.url + path, method, body, sent)
        for name, value in answer.headers.items():
            if name == "set-cookie":
                cookie_name, _, rest = value.partition("=")
                self.cookies[cookie_name] = rest.split(";", 1)[0]
        found = _CSRF.search(answer.text) if answer.headers.get("content-type", "").startswith("text/html") else None
        if found:
            self.csrf_token = found.group(1)
        return answer

    def get(self, path: str, headers: dict[str, str] | None = None) -> Answer:
        """GET ``path``."""
        return self.request("GET", path, headers=headers)

    def post(self, path: str, data: dict | None = None, headers: dict[str, str] | None = None) -> Answer:
        """POST the form ``data`` (with the CSRF token) to ``path``."""
        return self.request("POST", path, data=data or {}, headers=headers)


@pytest.fixture
def live_server(app, tmp_path):
    """Start gunicorn on the test database: ``live_server(workers=4, **config)`` → a ``LiveServer``; stopped after
    the test. The test database is the ``app`` fixture's, emptied by ``clean_db`` before each test."""
    started: list[Path] = []
    with ExitStack() as stack:

        def start(workers: int = 4, **config: Any) -> LiveServer:
            """Serve with ``workers`` workers and ``config`` (keys of ``ENV_KEYS``)."""
            started.append(log_dir := tmp_path / f"live-server-{len(started)}")
            log_dir.mkdir()
            server = serve(app.config["SQLALCHEMY_DATABASE_URI"], workers, config, log_dir)
            return stack.enter_context(server)

        yield start
