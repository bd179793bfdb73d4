"""Coverage at district scale (issue 12): the dashboard for this year, the other coverage pages, and a 10,000-row
roster import, timed in process through the real pages.

    make benchmark-coverage                                                  # seeds a district into a temporary file
    .venv/bin/python scripts/benchmark_coverage.py --reuse /tmp/district.db  # a seeded SQLite file (copied first)
    .venv/bin/python scripts/benchmark_coverage.py --database postgresql://…  # a seeded database (the import writes!)

Seeding runs ``init-db`` and ``seed-district`` (10,000 enterprises, ~200,000 appointments, 5,000 events with
~100,000 registrations, 200,000 downloads; several minutes). A reused database is migrated and analysed first; a reused
SQLite file is copied so the roster import doesn't change it. Then, signed in as staff through the sign-in form, it
requests each page ``--runs`` times with Flask's test client (no network: the app's own cost — routing, SQL,
templates) and prints the median, the 90th percentile, the response size and the SQL statements per request. Last it
builds a realistic 10,000-row roster (Chinese headers; ~60 % of the codes already in the district, some with a new
phone number; new enterprises; ~2 % bad rows: wrong check digit, no name, a code twice, an unknown industry) and
times its preview and its import through the staff page (the code path ``flask import-roster`` shares).

Figures, not assertions: the machine matters (note it next to the figures in docs/performance.md).
"""

from __future__ import annotations

import argparse
import io
import os
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

STAFF = "wangli@fudu-park.gov.cn"
ROSTER_ROWS = 10_000


def main() -> None:
    """Seed or reuse, sign in, time the pages, time the roster import, print."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--database", help="a seeded database URL to use as it is (the roster import writes to it)")
    source.add_argument("--reuse", type=Path, help="a seeded SQLite file (a copy is used)")
    parser.add_argument("--runs", type=int, default=20, help="requests per page (default 20)")
    parser.add_argument("--scale", type=float, default=1.0, help="seed-district --scale when seeding (default 1)")
    parser.add_argument("--no-roster", action="store_true", help="skip the roster import")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="parkportal-coverage-") as tmp:
        url, seeded = _database(args, Path(tmp))
        app = _app(url, Path(tmp))
        print(
            f"parkportal coverage benchmark · {url.split(':')[0]} · {args.runs} requests per page · "
            f"Python {sys.version.split()[0]} · {os.cpu_count()} CPUs · load {_load()}"
        )
        _prepare(app, seeded, args.scale)
        print(_sizes(app))
        client = _signed_in(app)
        year = date.today().year
        enterprise = _busiest_enterprise(app)
        pages = [
            ("dashboard, this year", "/coverage/"),
            ("dashboard, an odd period", f"/coverage/?from={year}-03-15&to={year}-06-10"),
            ("not-yet-served list", "/coverage/not-served"),
            ("enterprise timeline", f"/coverage/enterprises/{enterprise}"),
            ("export.csv, this year", "/coverage/export.csv"),
        ]
        print()
        print("| page | path | status | median ms | p90 ms | KB | queries |")
        print("|---|---|---|---|---|---|---|")
        for label, path in pages:
            runs = max(3, args.runs // 4) if "export" in path else args.runs
            figures = _time_page(app, client, path, runs)
            print(
                f"| {label} | `{path}` | {figures['status']} | {figures['median']:.0f} | {figures['p90']:.0f} | "
                f"{figures['kb']:.0f} | {figures['queries']} |"
            )
        if not args.no_roster:
            print()
            _time_roster(app, client, Path(tmp))


def _load() -> str:
    try:
        return " ".join(f"{value:.1f}" for value in os.getloadavg())
    except OSError:  # pragma: no cover - not on Linux
        return "?"


def _database(args, tmp: Path) -> tuple[str, bool]:
    """The database URL to use, and whether it is seeded already."""
    if args.database:
        return args.database, True
    if args.reuse:
        copy = tmp / "district.db"
        started = time.perf_counter()
        shutil.copyfile(args.reuse, copy)
        print(f"Copied {args.reuse} in {time.perf_counter() - started:.1f} s.")
        return f"sqlite:///{copy}", True
    return f"sqlite:///{tmp / 'district.db'}", False


def _app(url: str, tmp: Path):
    from parkportal import create_app

    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "benchmark-secret-key-0123456789",
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "LIBRARY_STORAGE_DIR": str(tmp / "library"),
        }
    )


def _prepare(app, seeded: bool, scale: float) -> None:
    """Seed a fresh district, or migrate and analyse a seeded one."""
    runner = app.test_cli_runner()
    commands = [["init-db"]] if seeded else [["init-db"], ["seed-district", "--scale", str(scale)]]
    for command in commands:
        started = time.perf_counter()
        result = runner.invoke(args=command)
        if result.exit_code:
            raise SystemExit(result.output)
        print(f"flask {' '.join(command)}: {time.perf_counter() - started:.0f} s")


def _sizes(app) -> str:
    """What the database holds (one line)."""
    from sqlalchemy import func, select

    from parkportal.extensions import db
    from parkportal.models import Appointment, Download, Enterprise, Event, Registration, TouchCount

    with app.app_context():
        count = {
            name: db.session.scalar(select(func.count()).select_from(model))
            for name, model in (
                ("enterprises", Enterprise),
                ("appointments", Appointment),
                ("events", Event),
                ("registrations", Registration),
                ("downloads", Download),
                ("touch count rows", TouchCount),
            )
        }
    return "Data: " + ", ".join(f"{value:,} {name}" for name, value in count.items()) + "."


def _signed_in(app):
    from parkportal.demo import DEMO_PASSWORD

    client = app.test_client()
    response = client.post("/auth/login", data={"email": STAFF, "password": DEMO_PASSWORD})
    if response.status_code != 303:
        raise SystemExit(f"Signing in as {STAFF} failed ({response.status_code}): is the database seeded?")
    return client


def _busiest_enterprise(app) -> int:
    """The enterprise with the most touch counts (the longest timeline)."""
    from sqlalchemy import func, select

    from parkportal.extensions import db
    from parkportal.models import TouchCount

    with app.app_context():
        total = TouchCount.consultation + TouchCount.checkup + TouchCount.event + TouchCount.download
        return db.session.scalar(
            select(TouchCount.enterprise_id)
            .where(TouchCount.grain == "year")
            .group_by(TouchCount.enterprise_id)
            .order_by(func.sum(total).desc())
            .limit(1)
        )


def _time_page(app, client, path: str, runs: int) -> dict:
    """Median and p90 milliseconds, size and SQL statements of ``path`` (one warm-up request first)."""
    from sqlalchemy import event

    from parkportal.extensions import db

    statements = 0

    def count(*_args):
        nonlocal statements
        statements += 1

    client.get(path)
    samples, size, status, queries = [], 0, 0, set()
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        for _ in range(runs):
            statements = 0
            started = time.perf_counter()
            response = client.get(path)
            samples.append((time.perf_counter() - started) * 1000)
            size, status = len(response.data), response.status_code
            queries.add(statements)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    samples.sort()
    return {
        "median": statistics.median(samples),
        "p90": samples[max(0, int(len(samples) * 0.9) - 1)],
        "kb": size / 1024,
        "status": status,
        "queries": "/".join(str(q) for q in sorted(queries)),
    }


# ------------------------------------------------------------------------------------------------ the roster


def roster_xlsx(app, rows: int = ROSTER_ROWS, rng: random.Random | None = None) -> tuple[bytes, dict[str, int]]:
    """A realistic roster of ``rows`` lines as XLSX, and what it holds (known, new, bad rows)."""
    from flask_babel import force_locale
    from openpyxl import Workbook
    from sqlalchemy import select

    from parkportal.demo import make_uscc
    from parkportal.enterprises.vocab import EMPLOYEE_BANDS, INDUSTRIES
    from parkportal.extensions import db
    from parkportal.models import Enterprise

    rng = rng or random.Random(12)
    with app.app_context():
        known = db.session.execute(
            select(
                Enterprise.name,
                Enterprise.uscc,
                Enterprise.industry,
                Enterprise.employees,
                Enterprise.contact_name,
                Enterprise.phone,
                Enterprise.address,
            )
            .where(Enterprise.status != "archived")
            .order_by(Enterprise.id)
        ).all()
    with app.test_request_context():
        with force_locale("zh_CN"):
            industry_names = {code: str(label) for code, label in INDUSTRIES.items()}
    industries = list(industry_names.values())
    book = Workbook()  # a normal workbook, saved with shared strings and its dimension like Excel and WPS save theirs
    sheet = book.active
    sheet.title = "企业名录"
    sheet.append(["企业名称", "统一社会信用代码", "行业", "人数", "联系人", "电话", "地址"])
    counts = {"known": 0, "new": 0, "bad": 0}
    taken = {row.uscc for row in known}
    reused = rng.sample(known, min(len(known), int(rows * 0.6)))
    bands = list(EMPLOYEE_BANDS)
    previous = ""
    for line in range(rows):
        if line < len(reused):
            row = reused[line]
            phone = row.phone if rng.random() < 0.9 else f"1{rng.randint(3, 9)}{rng.randint(0, 999999999):09d}"
            values = [
                row.name,
                row.uscc,
                industry_names.get(row.industry, "其他"),
                row.employees or "",
                row.contact_name or "",
                phone or "",
                row.address or "",
            ]
            counts["known"] += 1
        else:
            code = make_uscc(rng)
            while code in taken:
                code = make_uscc(rng)
            taken.add(code)
            values = [
                f"常州{rng.choice(['新材', '云帆', '华创', '恒瑞', '江南'])}科技有限公司（R{line:05d}）",
                code,
                rng.choice(industries),
                rng.choice(bands),
                rng.choice(["王芳", "李强", "张伟", "陈静"]),
                f"139{rng.randint(0, 99999999):08d}",
                f"钟楼经济开发区 {rng.randint(1, 30)} 号",
            ]
            counts["new"] += 1
        fault = rng.random()
        if fault < 0.005:
            values[1] = values[1][:-1] + ("0" if values[1][-1] != "0" else "1")  # wrong check digit
            counts["bad"] += 1
        elif fault < 0.01:
            values[0] = ""  # no name
            counts["bad"] += 1
        elif fault < 0.015 and previous:
            values[1] = previous  # the same code twice
            counts["bad"] += 1
        elif fault < 0.02:
            values[2] = "养殖业"  # an industry the park doesn't use: imported as other (a warning)
        previous = values[1]
        sheet.append(values)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), counts


def _time_roster(app, client, tmp: Path) -> None:
    """Preview and import a 10,000-row roster through the staff page."""
    started = time.perf_counter()
    data, counts = roster_xlsx(app)
    print(
        f"Roster: {ROSTER_ROWS:,} rows ({counts['known']:,} known codes, {counts['new']:,} new, about "
        f"{counts['bad']} bad rows), {len(data) / 1024:.0f} KB XLSX, built in {time.perf_counter() - started:.1f} s."
    )
    started = time.perf_counter()
    preview = client.post(
        "/enterprises/roster",
        data={"file": (io.BytesIO(data), "roster.xlsx")},
        content_type="multipart/form-data",
    )
    previewed = time.perf_counter() - started
    found = re.search(r'/enterprises/roster/([^/"]+)/apply', preview.get_data(as_text=True))
    if preview.status_code != 200 or not found:
        raise SystemExit(f"The preview failed ({preview.status_code}).")
    started = time.perf_counter()
    applied = client.post(f"/enterprises/roster/{found.group(1)}/apply")
    imported = time.perf_counter() - started
    message = re.search(r"Roster imported[^<]*|名录已导入[^<]*", client.get("/enterprises/").get_data(as_text=True))
    print(
        f"| roster step | seconds |\n|---|---|\n| preview (read, check, plan) | {previewed:.1f} |\n"
        f"| import (read, plan, apply, commit) | {imported:.1f} |\n| both | {previewed + imported:.1f} |"
    )
    print(f"Import answered {applied.status_code}; {message.group(0).strip() if message else ''}")


if __name__ == "__main__":
    main()
