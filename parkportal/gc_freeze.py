"""The garbage collector in a serving process: what start-up and the first requests build is frozen out of its scans.

A full collection walks every object the collector tracks. A warmed-up worker holds about 170,000 of them that live
as long as the process (modules, mappers, compiled templates and statements, translations), so each full collection
paused one request for 60–120 ms, and every request queued behind that worker waited too: at 16 connections that
was the p99 of the district benchmark. ``gc.freeze()`` moves the objects that exist at the moment into a permanent
generation the collector no longer scans; collections still run and still free the cycles requests make, but a
full one walks only what was made since (a few milliseconds). It is done once when the app is built and again after
``GC_FREEZE_AFTER_REQUESTS`` requests, when the templates and statements the pages use have been compiled; ``0``
turns it off. Apps built for tests don't freeze (the test process builds hundreds of them).
"""

from __future__ import annotations

import gc
import itertools

from flask import Flask


def freeze() -> None:
    """Collect what is already garbage, then take everything left out of the collector's scans."""
    gc.collect()
    gc.freeze()


def init_app(app: Flask) -> None:
    """Freeze now, and once more after the first ``GC_FREEZE_AFTER_REQUESTS`` requests (0: never)."""
    after = int(app.config["GC_FREEZE_AFTER_REQUESTS"])
    if app.testing or after <= 0:
        return
    freeze()
    served = itertools.count(1)

    @app.teardown_request
    def freeze_when_warm(_error: BaseException | None) -> None:
        if next(served) == after:
            freeze()
