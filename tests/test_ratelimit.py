"""Rate limits are counted in a store every worker shares: the portal's database by default (issue 19, point 4).

The storage is tested directly (hits, windows ending, clearing, concurrent hits), then as gunicorn serves it with
four workers: 20 wrong passwords from one address, then 30 for one account from as many addresses, are refused
beyond the limit exactly, on the database the suite runs on (SQLite, or PostgreSQL with
``PARKPORTAL_TEST_DATABASE_URL``). Every limit holds under a burst sent at once (threads against the app, and
gunicorn's workers): sign-in, registration and API tokens are all counted before the view runs, and what shouldn't
count gives its place back (``ratelimit.give_back``).
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace

import pytest
from limits.storage import MemoryStorage
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from parkportal import ratelimit
from parkportal.config import Defaults
from parkportal.extensions import db, limiter
from parkportal.models import RateLimitWindow
from parkportal.ratelimit import DatabaseStorage, window_key

from . import factories
from .live_server import Visitor, fetch, free_port
from .test_registration import registration


@pytest.fixture
def storage(ctx):
    """The database storage, inside an app context of the test database."""
    return DatabaseStorage("database://")


@pytest.fixture
def clock(monkeypatch):
    """The storage's clock, set by the test (``clock.now``)."""
    fake = SimpleNamespace(now=1_000_000.0)
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: fake.now))
    return fake


def windows() -> list[tuple[str, int]]:
    """The stored windows' (key, count), read in a transaction of its own (on SQLite, outside a request, the test's
    session would hold the write lock until it ends)."""
    db.session.rollback()
    found = db.session.execute(select(RateLimitWindow.key, RateLimitWindow.count)).all()
    db.session.rollback()
    return [tuple(row) for row in found]


def test_the_database_is_the_default_store(make_app):
    """Without configuration the limits live in the portal's database (``database://``), not in one process."""
    assert Defaults.RATELIMIT_STORAGE_URI == "database://"
    make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=Defaults.RATELIMIT_STORAGE_URI)
    assert isinstance(limiter.storage, DatabaseStorage)


def test_hits_add_up_and_are_read_back(storage, clock):
    """incr answers the new count; get and get_expiry read the running window; other keys are apart."""
    assert storage.get("a") == 0
    assert [storage.incr("a", 60) for _ in range(3)] == [1, 2, 3]
    assert storage.incr("a", 60, amount=2) == 5
    assert storage.incr("b", 60) == 1
    assert storage.get("a") == 5 and storage.get("b") == 1
    assert storage.get_expiry("a") == clock.now + 60  # the window started by the first hit, not moved by later ones


def test_a_window_that_ended_counts_as_empty_and_starts_again(storage, clock):
    """After its expiry a window reads 0 and the next hit starts a new window at 1."""
    storage.incr("a", 60)
    storage.incr("a", 60)
    clock.now += 59.9
    assert storage.get("a") == 2
    clock.now += 0.1
    assert storage.get("a") == 0
    assert storage.get_expiry("a") == clock.now
    assert storage.incr("a", 60) == 1
    assert storage.get_expiry("a") == clock.now + 60


def test_giving_back_lowers_a_running_window_only(storage, clock):
    """A negative hit lowers the running window; with no window running it starts none (nothing is banked)."""
    storage.incr("a", 60)
    storage.incr("a", 60)
    assert storage.incr("a", 60, amount=-1) == 1
    clock.now += 60
    assert storage.incr("a", 60, amount=-1) == 0
    assert storage.incr("never", 60, amount=-1) == 0
    assert storage.get("a") == 0 and storage.get("never") == 0
    assert storage.incr("a", 60) == 1


def test_giving_back_never_goes_below_zero(storage, clock):
    """Places given back after their window ended and a new one began lower the new one to 0 at most: a burst of
    good requests across a window's end banks no places beyond it for the guesses that follow."""
    for _ in range(3):
        storage.incr("a", 60)
    clock.now += 60
    assert storage.incr("a", 60) == 1
    assert [storage.incr("a", 60, amount=-1) for _ in range(3)] == [0, 0, 0]
    assert storage.incr("a", 60) == 1


def test_ended_windows_are_deleted(storage, clock):
    """A hit deletes the windows that ended (at most once a minute per process); running ones stay."""
    storage.incr("old", 10)
    storage.incr("running", 3600)
    clock.now += ratelimit.PURGE_EVERY_SECONDS
    storage.incr("new", 10)
    assert sorted(key for key, _count in windows()) == sorted([window_key("running"), window_key("new")])


def test_clear_and_reset(storage, clock):
    """clear forgets one key's window, reset every window."""
    storage.incr("a", 60)
    storage.incr("b", 60)
    storage.clear("a")
    assert storage.get("a") == 0 and storage.get("b") == 1
    assert storage.reset() == 1
    assert windows() == []
    assert storage.check()


def test_the_table_holds_no_address(storage):
    """Keys are stored as their SHA-256: the e-mail and client addresses a limit is keyed on are not in the table."""
    storage.incr("LIMITER/account:someone@example.com/auth.login/20/1/hour", 3600)
    ((key, count),) = windows()
    assert "someone" not in key and len(key) == 64 and count == 1


def test_concurrent_hits_lose_no_count(app):
    """Eight threads hitting one key 25 times each, each on its own connection: the count is 200 and every hit
    got its own number (an atomic increment: none lost, none counted twice)."""
    seen: list[int] = []
    start = threading.Barrier(8)

    def hit() -> None:
        with app.app_context():
            storage = DatabaseStorage("database://")
            start.wait()
            seen.extend(storage.incr("raced", 60) for _ in range(25))

    threads = [threading.Thread(target=hit) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(seen) == list(range(1, 201))
    with app.app_context():
        assert DatabaseStorage("database://").get("raced") == 200


def test_a_failed_sign_in_stays_counted_though_its_request_rolls_back(make_app):
    """The 422 of a wrong password rolls the request back, but its hit was committed on the storage's own
    connection: the window is in the database."""
    app = make_app(RATELIMIT_ENABLED=True)
    client = app.test_client()
    assert client.post("/auth/login", data={"email": "a@example.cn", "password": "Wrong-pass1"}).status_code == 422
    with app.app_context():
        assert db.session.scalar(select(func.sum(RateLimitWindow.count))) == 2  # the address and the account


def test_memory_storage_stays_possible_when_named(make_app):
    """``memory://`` configured explicitly counts in the process, and writes nothing to the database."""
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://")
    assert isinstance(limiter.storage, MemoryStorage)
    client = app.test_client()
    data = {"email": "nobody@example.cn", "password": "Wrong-pass1"}
    assert [client.post("/auth/login", data=data).status_code for _ in range(6)] == [422] * 5 + [429]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(RateLimitWindow)) == 0


# ------------------------------------------------------------------------------ gunicorn with several workers


def guesses(server, email: str, times: int, addresses: bool = False) -> list[int]:
    """``times`` wrong passwords for ``email``, each on a new connection (so over the workers); their statuses.
    With ``addresses`` each comes from another client address (``X-Forwarded-For``, read with ``PROXY_FIX``)."""
    visitor = Visitor(server.url)
    visitor.get("/auth/login")
    codes = []
    for n in range(times):
        headers = {"X-Forwarded-For": f"10.7.{n // 200}.{n % 200 + 1}"} if addresses else None
        codes.append(visitor.post("/auth/login", {"email": email, "password": "Wrong-pass1"}, headers).status)
    return codes


def test_the_address_limit_holds_across_four_workers(live_server):
    """gunicorn with 4 workers, the default storage and limits: of 20 wrong passwords from one address exactly 5
    are answered (422) and 15 refused (429), though the attempts reached several workers."""
    server = live_server(workers=4)
    assert guesses(server, "nobody@example.cn", 20) == [422] * 5 + [429] * 15
    assert len(server.worker_pids("/auth/login")) >= 2


def test_the_account_limit_holds_across_four_workers(app, live_server):
    """gunicorn with 4 workers: of 30 wrong passwords for one account, each from another address, exactly 20 are
    answered and 10 refused; the owner is warned by e-mail once."""
    with app.app_context():
        email = factories.staff().email
        db.session.commit()
    server = live_server(workers=4, PROXY_FIX=True)
    assert guesses(server, email, 30, addresses=True) == [422] * 20 + [429] * 10
    assert len(server.worker_pids("/auth/login")) >= 2
    with app.app_context():
        from parkportal.models import OutboxMessage

        warned = db.session.scalars(select(OutboxMessage.recipient)).all()
        assert warned == [email]


def test_parallel_guesses_dont_slip_past_the_limit(live_server):
    """40 wrong passwords from one address sent 16 at a time to 4 workers: exactly 5 are answered. Each attempt is
    counted before its password is checked, in one atomic step, so none passes a check made before the others
    were counted."""
    server = live_server(workers=4)

    def attempt(_n: int) -> int:
        return guesses(server, "nobody@example.cn", 1)[0]

    with ThreadPoolExecutor(16) as pool:
        codes = list(pool.map(attempt, range(40)))
    assert sorted(codes) == [422] * 5 + [429] * 35


def test_successful_sign_ins_give_their_places_back(app, make_app):
    """A right password counts nowhere: after 4 failures and any number of successes the fifth failure still
    answers 422 and the sixth 429."""
    limited = make_app(RATELIMIT_ENABLED=True)
    with app.app_context():
        email = factories.staff().email
        db.session.commit()
    client = limited.test_client()
    wrong = {"email": email, "password": "Wrong-pass1"}
    assert [client.post("/auth/login", data=wrong).status_code for _ in range(4)] == [422] * 4
    for _ in range(3):
        right = limited.test_client().post("/auth/login", data={"email": email, "password": factories.PASSWORD})
        assert right.status_code == 303
    assert [client.post("/auth/login", data=wrong).status_code for _ in range(2)] == [422, 429]
    with limited.app_context():
        assert db.session.scalar(select(func.max(RateLimitWindow.count))) == 6  # the refused one is counted too


@pytest.fixture
def redis_url(tmp_path):
    """A Redis server of this test's own on a free port (skipped where ``redis-server`` isn't installed)."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed")
    redis = pytest.importorskip("redis")
    port = free_port()
    command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    server = subprocess.Popen([*command, "--dir", str(tmp_path)], stdout=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    try:
        client = redis.Redis.from_url(url)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        client.close()
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_the_limits_hold_across_four_workers_on_redis(app, live_server, redis_url):
    """With ``RATELIMIT_STORAGE_URI=redis://…`` the counts live in Redis: 4 workers let exactly 5 wrong passwords
    from one address through and exactly 20 for one account, and write no window to the database."""
    with app.app_context():
        email = factories.staff().email
        db.session.commit()
    server = live_server(workers=4, PROXY_FIX=True, RATELIMIT_STORAGE_URI=redis_url)
    assert guesses(server, "nobody@example.cn", 20) == [422] * 5 + [429] * 15
    assert guesses(server, email, 30, addresses=True) == [422] * 20 + [429] * 10
    assert len(server.worker_pids("/auth/login")) >= 2
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(RateLimitWindow)) == 0


# ------------------------------------------------------------------------------ every limit holds under a burst

#: A registration the form refuses (422): the passwords differ.
REFUSED_REGISTRATION = {**registration(), "password_confirm": "Different2024"}


def burst(app, times: int, send) -> list[int]:
    """``times`` requests sent at once, each from its own thread and test client of ``app`` (started together at a
    barrier); their statuses, sorted."""
    start = threading.Barrier(times)

    def one(_n: int) -> int:
        client = app.test_client()
        start.wait()
        return send(client).status_code

    with ThreadPoolExecutor(times) as pool:
        return sorted(pool.map(one, range(times)))


def test_no_limit_checks_first_and_counts_after_the_answer():
    """No limit of the portal uses Flask-Limiter's ``deduct_when`` (test before the view, hit after the answer, which
    a burst passes before any of it is counted): outcomes that shouldn't count give their place back instead."""
    package = Path(ratelimit.__file__).parent
    users = [str(path.relative_to(package)) for path in package.rglob("*.py") if "deduct_when=" in path.read_text()]
    assert users == []


def test_a_burst_of_refused_registrations_gets_exactly_the_limit_through(make_app):
    """20 refused registrations from one address sent at once to the app on the database store, with a limit of 5:
    exactly 5 are answered (422), 15 refused (429)."""
    app = make_app(RATELIMIT_ENABLED=True, REGISTER_RATE_LIMIT="5 per hour")
    codes = burst(app, 20, lambda client: client.post("/auth/register", data=REFUSED_REGISTRATION))
    assert codes == [422] * 5 + [429] * 15


def test_accepted_registrations_give_their_places_back(make_app):
    """Accepted registrations count nowhere: after three of them from one address, a limit of 2 still lets two
    refused ones through (422) before the third is refused (429)."""
    app = make_app(RATELIMIT_ENABLED=True, REGISTER_RATE_LIMIT="2 per hour")
    for n in range(3):
        data = registration(email=f"first{n}@shili-tech.cn", uscc=factories.uscc())
        assert app.test_client().post("/auth/register", data=data).status_code == 303
    client = app.test_client()
    codes = [client.post("/auth/register", data=REFUSED_REGISTRATION).status_code for _ in range(3)]
    assert codes == [422, 422, 429]


def test_a_burst_of_wrong_api_tokens_gets_exactly_the_limit_through(make_app):
    """20 wrong bearer tokens from one address sent at once, with API_TOKEN_RATE_LIMIT 5: exactly 5 answer the JSON
    401 and 15 the JSON 429 with ``Retry-After``; good tokens from the address are then refused too (throttled)."""
    app = make_app(RATELIMIT_ENABLED=True, API_TOKEN_RATE_LIMIT="5 per minute")
    answers: list = []

    def guess(client):
        answers.append(client.get("/api/v1/events", headers={"Authorization": "Bearer pp_guess"}))
        return answers[-1]

    assert burst(app, 20, guess) == [401] * 5 + [429] * 15
    for answer in answers:
        expected = {401: "unauthorized", 429: "too_many_requests"}[answer.status_code]
        assert answer.is_json and answer.get_json()["error"] == expected
        assert answer.status_code == 401 or int(answer.headers["Retry-After"]) > 0


def test_a_burst_of_good_api_tokens_leaves_no_count(make_app, app):
    """Good tokens and the public description give their places back: after a burst of 12 good calls and 12 fetches of
    the OpenAPI description (limit 20), the address's window is back at 0."""
    limited = make_app(RATELIMIT_ENABLED=True, API_TOKEN_RATE_LIMIT="20 per minute")
    with app.app_context():
        from parkportal.coverage.service import issue_token

        _row, token = issue_token("burst", None)
        db.session.commit()
    paths = ["/api/v1/events"] * 12 + ["/api/v1/openapi.json"] * 12
    calls = iter(paths)
    lock = threading.Lock()

    def call(client):
        with lock:
            path = next(calls)
        return client.get(path, headers={"Authorization": f"Bearer {token}"})

    assert burst(limited, len(paths), call) == [200] * len(paths)
    with limited.app_context():
        assert (db.session.scalar(select(func.sum(RateLimitWindow.count))) or 0) == 0


def test_bursts_at_four_gunicorn_workers_get_exactly_the_limits_through(live_server):
    """gunicorn with 4 workers and the default limits: 30 wrong API tokens sent 16 at a time get exactly 10 JSON 401s
    (API_TOKEN_RATE_LIMIT), and 40 refused registrations exactly 20 422s (REGISTER_RATE_LIMIT); the rest are 429."""
    server = live_server(workers=4)

    def guess(_n: int):
        return fetch(server.url + "/api/v1/events", headers={"Authorization": "Bearer pp_guess"})

    def register(_n: int):
        visitor = Visitor(server.url)
        visitor.get("/auth/register")
        return visitor.post("/auth/register", REFUSED_REGISTRATION)

    with ThreadPoolExecutor(16) as pool:
        tokens = list(pool.map(guess, range(30)))
        registrations = [answer.status for answer in pool.map(register, range(40))]
    assert sorted(answer.status for answer in tokens) == [401] * 10 + [429] * 20
    assert all(answer.headers["content-type"].startswith("application/json") for answer in tokens)
    assert all("retry-after" in answer.headers for answer in tokens if answer.status == 429)
    assert sorted(registrations) == [422] * 20 + [429] * 20
    assert len(server.worker_pids("/auth/register")) >= 2 and len(server.worker_pids("/api/")) >= 2


def test_a_give_back_the_database_refuses_keeps_the_place_and_the_answer(app, make_app, monkeypatch, caplog):
    """When the store can't be written just as a successful sign-in gives its places back, the sign-in still answers
    its 303 (not an error) and the places stay counted; the log says why."""
    limited = make_app(RATELIMIT_ENABLED=True)
    with app.app_context():
        email = factories.staff().email
        db.session.commit()
    counted = DatabaseStorage.incr

    def refuse_give_backs(self, key, expiry, amount=1):
        if amount < 0:
            raise OperationalError("UPDATE rate_limit_window", {}, sqlite3.OperationalError("disk I/O error"))
        return counted(self, key, expiry, amount)

    monkeypatch.setattr(DatabaseStorage, "incr", refuse_give_backs)
    answer = limited.test_client().post("/auth/login", data={"email": email, "password": factories.PASSWORD})
    assert answer.status_code == 303
    assert "could not be given back: OperationalError: disk I/O error" in caplog.text
    with limited.app_context():
        assert db.session.scalar(select(func.sum(RateLimitWindow.count))) == 2
