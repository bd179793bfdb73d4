"""Print response-time figures for the portal's busiest pages on the seeded demo park.

    make benchmark                       # SQLite in a temporary file
    DATABASE_URL=postgresql://… make benchmark

It builds a fresh database with `init-db` + `seed-demo`, signs in as each role through the real login
form, and times every page with Flask's test client (no network, so the figures are the app's own
cost: routing, queries, templates). Figures, not assertions: compare them between commits.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from parkportal import create_app  # noqa: E402
from parkportal.demo import DEMO_PASSWORD  # noqa: E402

ROUNDS = int(os.environ.get("BENCHMARK_ROUNDS", "50"))

PAGES = {
    None: ["/", "/healthz", "/auth/login", "/auth/register", "/library/", "/library/?q=公司法", "/library/2"],
    "wangli@fudu-park.gov.cn": [
        "/enterprises/",
        "/enterprises/?q=常州&status=verified",
        "/admin/users",
        "/admin/audit",
    ],
    "demo@jiangnan-zhizao.com": ["/enterprises/mine", "/notifications/"],
}
EXTRA_PAGES: dict[str | None, list[str]] = {
    None: ["/events/", "/events/?view=list", "/events/?view=list&when=past", "/events/{event}", "/events/feed.ics"],
    "demo@jiangnan-zhizao.com": [
        "/bookings/",
        "/bookings/new",
        "/bookings/slots?service=consultation&date={day}",
        "/bookings/days?service=consultation&month={month}",
        "/events/",
        "/events/{event}",
        "/library/?q=劳动&topic=labor",
    ],
    "chenming@changxin-law.cn": ["/bookings/agenda", "/availability"],
    "wangli@fudu-park.gov.cn": [
        "/bookings/all",
        "/bookings/all?status=completed",
        "/events/{event}",
        "/events/{event}/checkin",
        "/events/{event}/checkin?q=常州",
        "/library/",
        "/library/2",
        "/library/stats",
        "/library/2/reach?have=no",
        "/coverage/",
        "/coverage/not-served",
        "/coverage/not-served?q=常州",
        "/coverage/export.csv",
        "/coverage/report",
    ],
}


def timed(client, url: str, rounds: int = ROUNDS) -> tuple[float, float, int]:
    """Median and 95th percentile in milliseconds, and the status code."""
    samples = []
    status = 0
    for _ in range(rounds):
        start = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - start) * 1000)
        status = response.status_code
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1], status


def main() -> None:
    """Seed, sign in, time, print."""
    with tempfile.TemporaryDirectory() as tmp:
        url = os.environ.get("DATABASE_URL") or f"sqlite:///{tmp}/bench.sqlite3"
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": url,
                "SECRET_KEY": "benchmark-secret-key-0123456789",
                "TESTING": True,
                "WTF_CSRF_ENABLED": False,
                "RATELIMIT_ENABLED": False,
                "LIBRARY_STORAGE_DIR": f"{tmp}/library",
            }
        )
        runner = app.test_cli_runner()
        for command in (["init-db"], ["seed-demo", "--force"]):
            result = runner.invoke(args=command)
            if result.exit_code:
                raise SystemExit(result.output)
        engine = app.config["SQLALCHEMY_DATABASE_URI"].split(":")[0]
        print(f"parkportal benchmark · {engine} · {ROUNDS} requests per page · Python {sys.version.split()[0]}")
        print(f"{'who':<28} {'page':<48} {'status':>6} {'p50 ms':>8} {'p95 ms':>8}")
        pages = {**PAGES}
        day = next_weekday().isoformat()
        event = busiest_event(app)
        for who, extra in EXTRA_PAGES.items():
            pages.setdefault(who, []).extend(url.format(day=day, month=day[:7], event=event) for url in extra)
        for who, urls in pages.items():
            client = app.test_client()
            if who:
                client.post("/auth/login", data={"email": who, "password": DEMO_PASSWORD})
            for page in urls:
                p50, p95, status = timed(client, page)
                print(f"{who or 'visitor':<28} {page:<48} {status:>6} {p50:>8.1f} {p95:>8.1f}")
        extra_benchmarks(app)


def busiest_event(app) -> int:
    """The published event with the most registrations (its event and check-in pages are the heaviest)."""
    from sqlalchemy import func, select

    from parkportal.extensions import db
    from parkportal.models import Event, Registration

    with app.app_context():
        return db.session.scalar(
            select(Event.id)
            .join(Registration, Registration.event_id == Event.id)
            .where(Event.status == "published")
            .group_by(Event.id)
            .order_by(func.count(Registration.id).desc())
            .limit(1)
        )


def next_weekday():
    """A Tuesday about a week ahead: inside the booking horizon, on a working day."""
    from datetime import timedelta

    from parkportal.timeutil import local_today

    day = local_today() + timedelta(days=7)
    return day + timedelta(days=(2 - day.isoweekday()) % 7)


def extra_benchmarks(app) -> None:
    """Domain-level figures: the free-slot search over the horizon, and bookings per second."""
    from datetime import timedelta

    from sqlalchemy import select

    from parkportal.availability.slots import free_slots
    from parkportal.bookings import service as booking_service
    from parkportal.extensions import db
    from parkportal.models import Enterprise, ServiceType

    with app.app_context():
        services = db.session.scalars(select(ServiceType)).all()
        start_day = next_weekday()
        days = [start_day + timedelta(days=n) for n in range(30)]
        started = time.perf_counter()
        found = sum(len(free_slots(svc, day)) for svc in services for day in days)
        elapsed = time.perf_counter() - started
        calls = len(services) * len(days)
        print(
            f"\nfree_slots: {calls} searches (6 services × 30 days, any lawyer) in {elapsed * 1000:.0f} ms "
            f"= {elapsed / calls * 1000:.2f} ms each; {found} free starts"
        )

        consultation = next(svc for svc in services if svc.code == "consultation")
        enterprises = db.session.scalars(select(Enterprise).where(Enterprise.status == "verified").limit(40)).all()
        booked = taken = 0
        started = time.perf_counter()
        for index, day in enumerate(days[:10]):
            for slot in free_slots(consultation, day)[:4]:
                try:
                    with db.session.begin_nested():
                        booking_service.book(
                            enterprise=enterprises[(index + booked) % len(enterprises)],
                            service=consultation,
                            start=slot.start,
                            mode="video",
                            topic="contracts",
                            lawyer=slot.lawyer,
                        )
                    booked += 1
                except booking_service.BookingError:
                    taken += 1
                db.session.commit()
        elapsed = time.perf_counter() - started
        print(
            f"book(): {booked} bookings committed one by one in {elapsed * 1000:.0f} ms "
            f"= {elapsed / max(booked, 1) * 1000:.1f} ms each ({taken} refused)"
        )


if __name__ == "__main__":
    main()
