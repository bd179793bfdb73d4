"""The load benchmark's helpers (scripts/benchmark_load.py): its pages exist, its ids are found, its figures read."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from parkportal.demo import DEMO_PASSWORD
from parkportal.timeutil import local_today

from .conftest import sign_in

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "benchmark_load.py"


@pytest.fixture(scope="module")
def bench():
    """The script as a module."""
    spec = importlib.util.spec_from_file_location("benchmark_load", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules["benchmark_load"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    yield module
    del sys.modules["benchmark_load"]


WRK = """Running 2s test @ http://127.0.0.1:8000/healthz
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    95.12ms   20.01ms 300.00ms   80.00%
  Latency Distribution
     50%   91.50ms
     75%  100.00ms
     90%  120.00ms
     99%    1.25s
  340 requests in 2.00s, 50.00KB read
  Non-2xx or 3xx responses: 3
Requests/sec:    170.25
Transfer/sec:     25.00KB
"""


def test_wrk_report_is_read(bench):
    """Requests/second, p50 and p99 (seconds turned into ms) and the failed answers come out of wrk's report."""
    assert bench.parse_wrk(WRK) == (170.25, 91.5, 1250.0, 3)


def test_table_marks_the_pages_that_miss(bench):
    """✗ marks a page below 0.1× /healthz or with p99 ≥ 300 ms, and the count of misses closes the table."""
    rows = [
        bench.Result("fast", "/a", 200, "3", 2048, 50.0, 20, 120, 0),
        bench.Result("slow", "/b", 200, "9", 1024, 5.0, 900, 1500, 0),
        bench.Result("tail", "/c", 200, "4", 1024, 40.0, 50, 300, 0),
    ]
    text = bench.table("district", "SQLite", 100.0, rows)
    assert "| fast | `/a` | 200 | 50.0 | 0.500 | 20 | 120 | 3 | 2 |" in text
    assert "| slow ✗ |" in text and "| tail ✗ |" in text
    assert "2 of 3 rows miss" in text


def test_every_page_is_a_get_route_of_the_portal(bench, app):
    """Each page the benchmark drives is a GET route (a renamed route fails here, not at the end of a long run)."""
    values = {"day": "2026-12-01", "month": "2026-12", **dict.fromkeys(bench.ID_QUERIES, 1)}
    urls = app.url_map.bind("portal.test")
    for _label, _who, path in bench.PAGES:
        endpoint, _args = urls.match(path.format(**values).split("?")[0], method="GET")
        assert endpoint, path
    assert {
        "/coverage/",
        "/coverage/export.csv",
        "/api/v1/coverage",
        "/bookings/days?service=consultation&month={month}",
    } <= {path for _label, _who, path in bench.PAGES}


def test_ids_are_found_in_the_demo_park_and_their_pages_answer(bench, app, runner):
    """On the seeded demo park every detail page's record is found, and each role gets its pages with them."""
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    values = {"day": bench._weekday_ahead(3, local_today()), **bench.find_ids(app.config["SQLALCHEMY_DATABASE_URI"])}
    values["month"] = values["day"][:7]
    assert set(bench.ID_QUERIES) <= set(values)
    clients = {who: sign_in(app, who, DEMO_PASSWORD) for who in (bench.ENTERPRISE, bench.LAWYER, bench.STAFF)}
    clients[None] = app.test_client()
    for label, who, path in bench.pages(values):
        if who == bench.API or "page=50" in path:  # the demo park has fewer than 50 pages of bookings
            continue
        response = clients[who].get(path.format(**values))
        assert response.status_code == 200, (label, response.status_code)


def test_machine_is_described(bench):
    """The heading names the cores, the RAM and the load average the figures were taken under."""
    described = bench.machine()
    assert described["cores"] >= 1 and described["ram_gb"] >= 0 and len(described["load"]) == 3
