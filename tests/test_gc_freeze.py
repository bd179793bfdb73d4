"""A serving process takes what it holds out of the garbage collector's scans: at start-up and once warm."""

from __future__ import annotations

import json
import subprocess
import sys

from parkportal import ROOT

PROBE = """
import gc, json, sys
from parkportal import create_app

app = create_app({"SECRET_KEY": "s" * 32, "SQLALCHEMY_DATABASE_URI": "sqlite://", "TESTING": sys.argv[2] == "testing",
                  "GC_FREEZE_AFTER_REQUESTS": int(sys.argv[1]), "PORTAL_URL": "https://portal.example.cn"})
frozen = [gc.get_freeze_count()]
client = app.test_client()
for _ in range(3):
    client.get("/no-such-page")
    frozen.append(gc.get_freeze_count())
print(json.dumps(frozen))
"""


def frozen_counts(after: int, mode: str = "serving") -> list[int]:
    """How many objects were frozen after building the app and after each of three requests, in a fresh process."""
    result = subprocess.run(
        [sys.executable, "-c", PROBE, str(after), mode], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout.splitlines()[-1])


def test_start_up_and_the_warm_process_are_frozen():
    """Built: start-up is frozen; the second request's end freezes what the first two made; the third adds none
    (frozen objects that are freed leave the count, so it may only shrink between freezes)."""
    built, first, second, third = frozen_counts(2)
    assert built > 10_000
    assert first <= built
    assert second > first + 500  # the error page's template, the compiled routes…
    assert third <= second


def test_zero_turns_it_off_and_test_apps_never_freeze():
    assert frozen_counts(0) == [0, 0, 0, 0]
    assert frozen_counts(2, "testing") == [0, 0, 0, 0]
