"""Load benchmark: the portal under gunicorn, every main page driven by ``wrk`` at 16 connections, set against
``/healthz`` in the same run.

    make benchmark-load                                    # SQLite: demo and district scale, fresh temporary files
    .venv/bin/python scripts/benchmark_load.py --scale district --database sqlite:////tmp/district.db --no-seed
    .venv/bin/python scripts/benchmark_load.py --database postgresql://parkportal:…@127.0.0.1/parkportal_bench

For each scale it builds the database (``init-db``, then ``seed-demo`` or ``seed-district``; a PostgreSQL database
given by URL is emptied first; ``--no-seed`` keeps the data and only migrates and analyses), serves the portal with
gunicorn (``--workers``, default 2) with ``PARKPORTAL_COUNT_QUERIES=1``, signs in through the real sign-in form as
each role (CSRF token from the page), and runs ``wrk`` (Debian package ``wrk``) against every page with that role's
session cookie. It prints a Markdown table: requests/second, p50 and p99 latency, the ratio to ``/healthz`` in the
same run, the SQL statements per request (the ``X-Query-Count`` header) and the page's size.
Figures, not assertions: the machine it runs on matters (note it next to the figures).
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PASSWORD = "Demo2024park"
STAFF = "wangli@fudu-park.gov.cn"
LAWYER = "chenming@changxin-law.cn"
ENTERPRISE = "demo@jiangnan-zhizao.com"


def _weekday_ahead(days: int) -> str:
    day = date.today() + timedelta(days=days)
    while day.isoweekday() > 5:
        day += timedelta(days=1)
    return day.isoformat()


#: (label, who, path): the main pages of each role (None: anonymous).
PAGES = [
    ("home", None, "/"),
    ("events calendar", None, "/events/"),
    ("library catalogue", None, "/library/"),
    ("my bookings (enterprise)", ENTERPRISE, "/bookings/"),
    ("booking form", ENTERPRISE, "/bookings/new"),
    ("slot picker", ENTERPRISE, "/bookings/slots?service=consultation&date={day}"),
    ("notifications", ENTERPRISE, "/notifications/"),
    ("notification badge", ENTERPRISE, "/notifications/badge"),
    ("my enterprise", ENTERPRISE, "/enterprises/mine"),
    ("events list (enterprise)", ENTERPRISE, "/events/?view=list"),
    ("lawyer's agenda", LAWYER, "/bookings/agenda"),
    ("my bookings (lawyer)", LAWYER, "/bookings/"),
    ("availability", LAWYER, "/availability"),
    ("checkups (lawyer)", LAWYER, "/checkups/"),
    ("staff booking list", STAFF, "/bookings/all"),
    ("staff list, status=completed", STAFF, "/bookings/all?status=completed"),
    ("staff list, status=requested", STAFF, "/bookings/all?status=requested"),
    ("staff list, page 50", STAFF, "/bookings/all?page=50"),
    ("enterprise list", STAFF, "/enterprises/"),
    ("enterprise search", STAFF, "/enterprises/?q=常州&status=verified"),
    ("audit log", STAFF, "/admin/audit"),
    ("accounts", STAFF, "/admin/users"),
    ("checkups (staff)", STAFF, "/checkups/"),
    ("library statistics", STAFF, "/library/stats"),
    ("events list (staff)", STAFF, "/events/?view=list&when=past"),
]


@dataclass
class Result:
    """One page's figures."""

    label: str
    path: str
    status: int
    queries: str
    size: int
    rps: float
    p50: float
    p99: float
    errors: int


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def flask(env: dict, *args: str) -> None:
    """Run a ``flask --app parkportal`` command quietly."""
    subprocess.run([str(BIN / "flask"), "--app", "parkportal", *args], env=env, cwd=env["PYTHONPATH"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip


def empty_postgres(url: str) -> None:
    """Drop everything in the given PostgreSQL database (the benchmark's own)."""
    import sqlalchemy

    engine = sqlalchemy.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    engine.dispose()


def prepare(env: dict, scale: str, seed: bool, district_scale: float) -> None:
    """Migrate (and analyse), and seed unless told not to."""
    if seed and env["DATABASE_URL"].startswith("postgresql"):
        empty_postgres(env["DATABASE_URL"])
    flask(env, "init-db")
    if seed:
        started = time.monotonic()
        if scale == "district":
            flask(env, "seed-district", "--scale", str(district_scale))
        else:
            flask(env, "seed-demo")
        print(f"  seeded {scale} in {time.monotonic() - started:.0f} s", file=sys.stderr)


def sign_in(base: str, email: str | None) -> str:
    """Sign in through the form; the Cookie header value of the signed-in browser ('' for anonymous)."""
    if email is None:
        return ""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/auth/login").read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', page
    )
    data = urllib.parse.urlencode({"email": email, "password": PASSWORD, "csrf_token": token.group(1)}).encode()
    opener.open(urllib.request.Request(base + "/auth/login", data=data, headers={"Referer": base + "/auth/login"}))
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def probe(url: str, cookie: str) -> tuple[int, str, int]:
    """One request: status, ``X-Query-Count`` and body size."""
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(request) as response:
            body = response.read()
            return response.status, response.headers.get("X-Query-Count", "?"), len(body)
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("X-Query-Count", "?"), 0


def _ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def run_wrk(url: str, cookie: str, seconds: int, connections: int) -> tuple[float, float, float, int]:
    """Requests/second, p50 and p99 in ms, and the non-2xx/3xx answers of one ``wrk`` run."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = _ms(re.search(r"^\s*50%\s+(\S+)", out, re.M).group(1))
    p99 = _ms(re.search(r"^\s*99%\s+(\S+)", out, re.M).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rps, p50, p99, int(errors.group(1)) if errors else 0


def measure(env: dict, args) -> tuple[float, list[Result]]:
    """Serve with gunicorn, sign in as each role, drive every page; the mean /healthz rate and the results."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "-w", str(args.workers), "-b", f"127.0.0.1:{port}", "--log-level", "warning",
         "parkportal:create_app()"],
        env={**env, "PARKPORTAL_COUNT_QUERIES": "1"}, cwd=env["PYTHONPATH"],
    )  # fmt: skip
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz").read()
                break
            except OSError:
                time.sleep(0.2)
        cookies = {who: sign_in(base, who) for who in {who for _l, who, _p in PAGES}}
        healthz = []
        results = []
        day = _weekday_ahead(3)
        for label, who, path in [("/healthz", None, "/healthz"), *PAGES, ("/healthz (again)", None, "/healthz")]:
            url = base + urllib.parse.quote(path.format(day=day), safe="/?&=")
            status, queries, size = probe(url, cookies[who])
            rps, p50, p99, errors = run_wrk(url, cookies[who], args.duration, args.connections)
            if path == "/healthz":
                healthz.append(rps)
            results.append(Result(label, path, status, queries, size, rps, p50, p99, errors))
            print(f"  {label:<32} {rps:8.1f} rps  p99 {p99:7.1f} ms  q={queries}", file=sys.stderr)
        return sum(healthz) / len(healthz), results
    finally:
        server.terminate()
        server.wait(timeout=30)


def table(scale: str, database: str, healthz: float, results: list[Result]) -> str:
    """The results as a Markdown table (✗: below 0.1× /healthz or p99 ≥ 300 ms)."""
    lines = [
        f"#### {scale} scale, {database} — /healthz {healthz:.0f} requests/s (mean of first and last run)",
        "",
        "| page | path | status | req/s | × /healthz | p50 ms | p99 ms | queries | KB |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        ratio = r.rps / healthz if healthz else 0
        mark = "" if ratio >= 0.1 and r.p99 < 300 else " ✗"
        errors = f" ({r.errors} errors)" if r.errors else ""
        lines.append(
            f"| {r.label}{mark} | `{r.path}` | {r.status}{errors} | {r.rps:.1f} | {ratio:.3f} | {r.p50:.0f} | "
            f"{r.p99:.0f} | {r.queries} | {r.size / 1024:.0f} |"
        )
    return "\n".join(lines)


def main() -> None:
    """Parse the arguments; per scale: prepare, measure, print."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", help="database URL (default: SQLite files in a temporary directory)")
    parser.add_argument("--scale", choices=["demo", "district", "both"], default="both")
    parser.add_argument("--district-scale", type=float, default=1.0, help="seed-district --scale (default 1)")
    parser.add_argument("--no-seed", action="store_true", help="use the data already in --database")
    parser.add_argument("--duration", type=int, default=10, help="seconds per page (default 10)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--root", default=str(ROOT), help="serve the code of another checkout (e.g. main, 'before')")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (Debian: apt-get install wrk)")
    scales = ["demo", "district"] if args.scale == "both" else [args.scale]
    with tempfile.TemporaryDirectory() as tmp:
        for scale in scales:
            url = args.database or f"sqlite:///{tmp}/{scale}.sqlite3"
            env = {
                **os.environ,
                "DATABASE_URL": url,
                "SECRET_KEY": secrets.token_hex(32),
                "RATELIMIT_ENABLED": "false",
                "SESSION_COOKIE_SECURE": "false",
                "PYTHONPATH": str(Path(args.root).resolve()),
            }
            print(f"{scale}: {url.split('@')[-1]}", file=sys.stderr)
            prepare(env, scale, not args.no_seed, args.district_scale)
            healthz, results = measure(env, args)
            kind = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
            print(table(scale, kind, healthz, results))
            print()


if __name__ == "__main__":
    main()
