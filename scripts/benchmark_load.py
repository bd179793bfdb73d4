"""Load benchmark: the portal under gunicorn, every main page driven by ``wrk`` at 16 connections, set against
``/healthz`` in the same run.

    make benchmark-load                                    # SQLite: demo and district scale, fresh temporary files
    make benchmark-load BENCHMARK_ARGS='--scale demo -d2s' # a quick look at demo scale (seed-demo, temporary file)
    .venv/bin/python scripts/benchmark_load.py --scale district --database sqlite:////tmp/district.db --no-seed
    .venv/bin/python scripts/benchmark_load.py --database postgresql://parkportal:…@127.0.0.1/parkportal_bench \
        --markdown docs/benchmark-$(date +%F).md

For each scale it builds the database (``init-db``, then ``seed-demo`` or ``seed-district``; a PostgreSQL database
given by URL is emptied first; ``--no-seed`` keeps the data and only migrates and analyses), issues an API token
(``flask issue-token``), serves the portal with gunicorn (``--workers``, default 2) with
``PARKPORTAL_COUNT_QUERIES=1``, signs in through the real sign-in form as each role (CSRF token from the page),
finds the records the detail pages show (the demo enterprise's latest booking, its checkup, the busiest event, a
compilation) and runs ``wrk`` (Debian package ``wrk``) against every page with that role's session cookie (the API
with the bearer token). It prints a Markdown table: requests/second, p50 and p99 latency, the ratio to ``/healthz``
in the same run, the SQL statements per request (the ``X-Query-Count`` header) and the page's size; ✗ marks a page
below 0.1× ``/healthz`` or with p99 ≥ 300 ms (issue 13's targets). ``--markdown FILE`` also writes the tables with
the date, the commit and the machine (cores, RAM, load average before and after) for docs/performance.md.
Figures, not assertions: the machine it runs on matters.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import platform
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
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PASSWORD = "Demo2024park"
STAFF = "wangli@fudu-park.gov.cn"
LAWYER = "chenming@changxin-law.cn"
ENTERPRISE = "demo@jiangnan-zhizao.com"
API = "api"  # the API's bearer token instead of a signed-in browser


def _weekday_ahead(days: int, today: date | None = None) -> str:
    """The first working day at least ``days`` after ``today`` (the machine's date unless given), as YYYY-MM-DD."""
    day = (today or date.today()) + timedelta(days=days)
    while day.isoweekday() > 5:
        day += timedelta(days=1)
    return day.isoformat()


#: (label, who, path): the main pages of each role (None: anonymous; API: the bearer token). ``{day}`` and
#: ``{month}`` are a working day ahead and its month; the other fields are ids found in the data (``find_ids``).
PAGES = [
    ("home", None, "/"),
    ("events calendar", None, "/events/"),
    ("event page", None, "/events/{event}"),
    ("library catalogue", None, "/library/"),
    ("compilation page", None, "/library/{compilation}"),
    ("my bookings (enterprise)", ENTERPRISE, "/bookings/"),
    ("booking page (enterprise)", ENTERPRISE, "/bookings/{booking}"),
    ("booking form", ENTERPRISE, "/bookings/new"),
    ("month picker", ENTERPRISE, "/bookings/days?service=consultation&month={month}"),
    ("slot picker", ENTERPRISE, "/bookings/slots?service=consultation&date={day}"),
    ("notifications", ENTERPRISE, "/notifications/"),
    ("notification badge", ENTERPRISE, "/notifications/badge"),
    ("my enterprise", ENTERPRISE, "/enterprises/mine"),
    ("events list (enterprise)", ENTERPRISE, "/events/?view=list"),
    ("checkups (enterprise)", ENTERPRISE, "/checkups/"),
    ("lawyer's agenda", LAWYER, "/bookings/agenda"),
    ("my bookings (lawyer)", LAWYER, "/bookings/"),
    ("availability", LAWYER, "/availability"),
    ("checkups (lawyer)", LAWYER, "/checkups/"),
    ("checkup page (lawyer)", LAWYER, "/checkups/{checkup}"),
    ("staff booking list", STAFF, "/bookings/all"),
    ("staff list, status=completed", STAFF, "/bookings/all?status=completed"),
    ("staff list, status=requested", STAFF, "/bookings/all?status=requested"),
    ("staff list, page 50", STAFF, "/bookings/all?page=50"),
    ("enterprise list", STAFF, "/enterprises/"),
    ("enterprise search", STAFF, "/enterprises/?q=常州&status=verified"),
    ("enterprise page (staff)", STAFF, "/enterprises/{enterprise}"),
    ("audit log", STAFF, "/admin/audit"),
    ("accounts", STAFF, "/admin/users"),
    ("checkups (staff)", STAFF, "/checkups/"),
    ("library statistics", STAFF, "/library/stats"),
    ("compilation reach", STAFF, "/library/{compilation}/reach"),
    ("events list (staff)", STAFF, "/events/?view=list&when=past"),
    ("event check-in list", STAFF, "/events/{event}/checkin"),
    ("coverage, this year", STAFF, "/coverage/"),
    ("not yet served", STAFF, "/coverage/not-served"),
    ("enterprise timeline", STAFF, "/coverage/enterprises/{enterprise}"),
    ("coverage export", STAFF, "/coverage/export.csv"),
    ("yearly report", STAFF, "/coverage/report"),
    ("API coverage", API, "/api/v1/coverage"),
    ("API events", API, "/api/v1/events"),
]

#: How the ids of the detail pages are found (plain SQL over the contract's tables, the same on both engines).
ID_QUERIES = {
    "enterprise": "SELECT enterprise_id FROM user_account WHERE email = :enterprise",
    "booking": "SELECT a.id FROM appointment a JOIN user_account u ON u.enterprise_id = a.enterprise_id "
    "WHERE u.email = :enterprise ORDER BY a.start_at DESC, a.id DESC LIMIT 1",
    "checkup": "SELECT c.appointment_id FROM checkup c JOIN appointment a ON a.id = c.appointment_id "
    "JOIN user_account u ON u.id = a.lawyer_id WHERE u.email = :lawyer ORDER BY c.id DESC LIMIT 1",
    "event": "SELECT id FROM event WHERE status = 'published' ORDER BY seats_taken DESC, id LIMIT 1",
    "compilation": "SELECT id FROM compilation WHERE published = :yes ORDER BY id LIMIT 1",
}


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


def flask(env: dict, *args: str) -> str:
    """Run a ``flask --app parkportal`` command; its standard output (errors: its output and exit)."""
    done = subprocess.run([str(BIN / "flask"), "--app", "parkportal", *args], env=env, cwd=env["PYTHONPATH"],
                          capture_output=True, text=True)  # fmt: skip
    if done.returncode:
        sys.exit(f"flask {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def engine_url(url: str) -> str:
    """The SQLAlchemy URL of a database URL as the portal takes it (``postgresql://`` means psycopg 3)."""
    return url.replace("postgresql://", "postgresql+psycopg://", 1) if url.startswith("postgresql://") else url


def empty_postgres(url: str) -> None:
    """Drop everything in the given PostgreSQL database (the benchmark's own)."""
    import sqlalchemy

    engine = sqlalchemy.create_engine(engine_url(url))
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    engine.dispose()


def find_ids(url: str) -> dict[str, int]:
    """The records the detail pages show (``ID_QUERIES``); a page whose record is missing is left out."""
    import sqlalchemy

    engine = sqlalchemy.create_engine(engine_url(url))
    found = {}
    with engine.connect() as connection:
        for name, query in ID_QUERIES.items():
            value = connection.execute(
                sqlalchemy.text(query).bindparams(
                    **{k: v for k, v in {"enterprise": ENTERPRISE, "lawyer": LAWYER, "yes": True}.items()
                       if f":{k}" in query}
                )
            ).scalar()  # fmt: skip
            if value is not None:
                found[name] = value
    engine.dispose()
    return found


def api_token(env: dict) -> str:
    """A fresh API token (``flask issue-token``; the token is the last line it prints)."""
    name = f"benchmark-load {datetime.now(UTC):%Y-%m-%d %H:%M:%S.%f}"
    return flask(env, "issue-token", "--name", name).strip().splitlines()[-1]


def prepare(env: dict, scale: str, seed: bool, district_scale: float) -> None:
    """Migrate (and analyse), and seed unless told not to."""
    if seed and env["DATABASE_URL"].startswith("postgresql"):
        empty_postgres(env["DATABASE_URL"])
    flask(env, "init-db")
    if seed:
        started = time.monotonic()
        if scale == "district":
            out = flask(env, "seed-district", "--scale", str(district_scale))
        else:
            out = flask(env, "seed-demo")
        times = [line for line in out.splitlines() if line.startswith("Seed times")]
        print(f"  seeded {scale} in {time.monotonic() - started:.0f} s {' '.join(times)}", file=sys.stderr)


def sign_in(base: str, email: str | None) -> dict[str, str]:
    """Sign in through the form; the request headers of the signed-in browser (none for anonymous)."""
    if email is None:
        return {}
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/auth/login").read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', page
    )
    data = urllib.parse.urlencode({"email": email, "password": PASSWORD, "csrf_token": token.group(1)}).encode()
    opener.open(urllib.request.Request(base + "/auth/login", data=data, headers={"Referer": base + "/auth/login"}))
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    if "session" not in cookie:
        sys.exit(f"signing in as {email} failed (no session cookie)")
    return {"Cookie": cookie}


def probe(url: str, headers: dict[str, str]) -> tuple[int, str, int]:
    """One request: status, ``X-Query-Count`` and body size."""
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request) as response:
            body = response.read()
            return response.status, response.headers.get("X-Query-Count", "?"), len(body)
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("X-Query-Count", "?"), 0


def _ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def run_wrk(url: str, headers: dict[str, str], seconds: int, connections: int) -> tuple[float, float, float, int]:
    """Requests/second, p50 and p99 in ms, and the non-2xx/3xx answers of one ``wrk`` run."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    return parse_wrk(out)


def parse_wrk(out: str) -> tuple[float, float, float, int]:
    """Requests/second, p50 and p99 in ms, and the non-2xx/3xx answers from ``wrk --latency``'s report."""
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = _ms(re.search(r"^\s*50%\s+(\S+)", out, re.M).group(1))
    p99 = _ms(re.search(r"^\s*99%\s+(\S+)", out, re.M).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rps, p50, p99, int(errors.group(1)) if errors else 0


def measure(env: dict, args) -> tuple[float, list[Result]]:
    """Serve with gunicorn, sign in as each role, drive every page; the mean /healthz rate and the results."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    headers: dict[str | None, dict[str, str]] = {API: {"Authorization": f"Bearer {api_token(env)}"}}
    day = _weekday_ahead(3)
    values = {"day": day, "month": day[:7], **find_ids(env["DATABASE_URL"])}
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "-w", str(args.workers), "-b", f"127.0.0.1:{port}", "--log-level", "warning",
         "parkportal:create_app()"],
        env={**env, "PARKPORTAL_COUNT_QUERIES": "1", "PORTAL_URL": base}, cwd=env["PYTHONPATH"],
    )  # fmt: skip
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(base + "/healthz").read()
                break
            except OSError:
                time.sleep(0.2)
        for who in {who for _label, who, _path in PAGES} - {API}:
            headers[who] = sign_in(base, who)
        healthz = []
        results = []
        for label, who, path in [
            ("/healthz", None, "/healthz"),
            *pages(values),
            ("/healthz (again)", None, "/healthz"),
        ]:
            url = base + urllib.parse.quote(path.format(**values), safe="/?&=")
            for _ in range(2 * args.workers):  # every worker has compiled the page's templates before wrk starts
                status, queries, size = probe(url, headers[who])
            rps, p50, p99, errors = run_wrk(url, headers[who], args.duration, args.connections)
            if path == "/healthz":
                healthz.append(rps)
            results.append(Result(label, path, status, queries, size, rps, p50, p99, errors))
            print(f"  {label:<32} {status} {rps:8.1f} rps  p99 {p99:7.1f} ms  q={queries}", file=sys.stderr)
        return sum(healthz) / len(healthz), results
    finally:
        server.terminate()
        server.wait(timeout=30)


def pages(values: dict) -> list[tuple[str, str | None, str]]:
    """The pages whose placeholders all have a value (a district without, say, checkups leaves that page out)."""
    kept = []
    for label, who, path in PAGES:
        needed = set(re.findall(r"{(\w+)}", path))
        if needed <= set(values):
            kept.append((label, who, path))
        else:
            print(f"  {label}: left out, no {', '.join(sorted(needed - set(values)))} in the data", file=sys.stderr)
    return kept


def missed(ratio: float, p99: float) -> bool:
    """Whether a page misses issue 13's targets: below 0.1× /healthz, or p99 at or above 300 ms."""
    return ratio < 0.1 or p99 >= 300


def table(scale: str, database: str, healthz: float, results: list[Result]) -> str:
    """The results as a Markdown table (✗: a miss, see ``missed``)."""
    lines = [
        f"#### {scale} scale, {database} — /healthz {healthz:.0f} requests/s (mean of first and last run)",
        "",
        "| page | path | status | req/s | × /healthz | p50 ms | p99 ms | queries | KB |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        ratio = r.rps / healthz if healthz else 0
        mark = " ✗" if missed(ratio, r.p99) else ""
        errors = f" ({r.errors} errors)" if r.errors else ""
        lines.append(
            f"| {r.label}{mark} | `{r.path}` | {r.status}{errors} | {r.rps:.1f} | {ratio:.3f} | {r.p50:.0f} | "
            f"{r.p99:.0f} | {r.queries} | {r.size / 1024:.0f} |"
        )
    misses = sum(1 for r in results if missed(r.rps / healthz if healthz else 0, r.p99))
    lines += ["", f"{misses} of {len(results)} rows miss (✗)."]
    return "\n".join(lines)


def machine() -> dict:
    """The machine the figures come from: CPU, cores, RAM and the load average now."""
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            model = next((line.split(":", 1)[1].strip() for line in info if line.startswith("model name")), model)
    except OSError:
        pass
    ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {"cpu": model, "cores": os.cpu_count(), "ram_gb": round(ram), "load": os.getloadavg()}


def commit(root: str) -> str:
    """The short commit of the code served (``?`` outside git)."""
    done = subprocess.run(["git", "-C", root, "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    return done.stdout.strip() or "?"


def heading(args, before: dict, after: dict, database: str) -> str:
    """The paragraph above the tables: when, what, on which machine and under what load."""
    load = ", ".join(f"{x:.1f}" for x in before["load"])
    load_after = ", ".join(f"{x:.1f}" for x in after["load"])
    return (
        f"### {datetime.now(UTC):%Y-%m-%d %H:%M} UTC · {database} · commit {commit(args.root)}\n\n"
        f"Machine: {before['cores']} cores ({before['cpu']}), {before['ram_gb']} GB RAM; load average {load} "
        f"before and {load_after} after. gunicorn with {args.workers} workers; `wrk -t2 -c{args.connections} "
        f"-d{args.duration}s` per page; queries: `X-Query-Count` (`PARKPORTAL_COUNT_QUERIES=1`); "
        f"✗: below 0.1× `/healthz` or p99 ≥ 300 ms."
    )


def seconds(text: str) -> int:
    """``10`` or ``10s`` → 10."""
    return int(text.removesuffix("s"))


def main() -> None:
    """Parse the arguments; per scale: prepare, measure, print (and write --markdown)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", help="database URL (default: SQLite files in a temporary directory)")
    parser.add_argument("--scale", choices=["demo", "district", "both"], default="both")
    parser.add_argument("--district-scale", type=float, default=1.0, help="seed-district --scale (default 1)")
    parser.add_argument("--no-seed", action="store_true", help="use the data already in --database")
    parser.add_argument("-d", "--duration", type=seconds, default=10, help="seconds per page (default 10)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--root", default=str(ROOT), help="serve the code of another checkout (e.g. main, 'before')")
    parser.add_argument("--markdown", metavar="FILE", help="also write the tables, date and machine to FILE")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (Debian: apt-get install wrk)")
    scales = ["demo", "district"] if args.scale == "both" else [args.scale]
    before = machine()
    tables = []
    kind = "SQLite"
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
            tables.append(table(scale, kind, healthz, results))
            print(tables[-1])
            print()
    if args.markdown:
        text = heading(args, before, machine(), kind) + "\n\n" + "\n\n".join(tables) + "\n"
        Path(args.markdown).write_text(text, encoding="utf-8")
        print(f"wrote {args.markdown}", file=sys.stderr)


if __name__ == "__main__":
    main()
