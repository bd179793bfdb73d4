"""A district at scale for ``flask seed-district``: the demo park, then ten thousand enterprises, twenty lawyers and
three years of history (and two months ahead) written in bulk.

The demo park comes first (``demo.seed``), so the demo sign-ins, stories and library files are the same as
``seed-demo``'s; the district is added around them in bulk (``bulk``: plain dicts, executemany on SQLite, ``COPY``
on PostgreSQL) with ids assigned here, so that appointments, their booking units, audit entries and notifications
reference each other without a round trip per row. The CLI runs it inside ``bulk_writes()`` (SQLite settings for
one big transaction) and analyses afterwards. Deterministic (fixed random seeds). ``scale`` shrinks every count
(tests run it at 0.001).
"""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from itertools import islice
from time import perf_counter

from sqlalchemy import event, func, select, text

from . import demo
from .bookings.demo import CASES, COMMENTS, DECLINE_REASONS
from .checkups import questionnaire as qn
from .checkups import service as checkup_service
from .checkups.demo import POOL, SUMMARIES, _answers
from .checkups.service import stored_questionnaire
from .coverage import rollup
from .extensions import db
from .library import service as library
from .models import (
    Appointment,
    AuditLog,
    AvailabilityRule,
    BookingUnit,
    Checkup,
    Compilation,
    Enterprise,
    Event,
    EventTopic,
    Feedback,
    Finding,
    LawyerProfile,
    Notification,
    PrintedCopy,
    Registration,
    ReportRevision,
    ServiceType,
    User,
)
from .models.checkups import SEVERITY_RANKS
from .models.events import event_speaker
from .models.library import Download
from .timeutil import local_datetime, local_today, to_local, utcnow

#: The district at scale 1 (issue 13).
ENTERPRISES = 10_000
LAWYERS = 20
APPOINTMENTS = 200_000
EVENTS = 5_000
REGISTRATIONS = 100_000
DOWNLOADS = 200_000
PRINTED = 20_000
HISTORY_DAYS = 3 * 365
AHEAD_DAYS = 61
CHUNK = 5_000

PARKS = ["富都江南新经济产业园", "钟楼经济开发区", "五星街道科创园", "邹区灯具城产业园", "北港智造产业园", "西林商务区"]
#: Lawyers' titles, weighted as in a firm (codes of availability.vocab.LAWYER_TITLES).
LAWYER_TITLES = ["partner", "associate", "associate", "senior_associate", "assistant"]
TOPIC_SETS = [
    "company_law,contracts",
    "labor,safety",
    "ip,data_privacy",
    "tax,contracts",
    "disputes,contracts",
    "labor,other",
    "company_law,disputes",
]
EVENT_TITLES = [
    ("lecture", "company_law", "新《公司法》实缴出资与股东责任专题讲座"),
    ("training", "labor", "劳动合同签订与解除实务培训"),
    ("lecture", "data_privacy", "《个人信息保护法》合规要点解读"),
    ("checkup_day", "company_law,contracts,labor", "企业法律体检日"),
    ("consultation_day", "contracts", "合同风险防控免费咨询日"),
    ("campaign", "safety", "安全生产月法治宣传"),
    ("lecture", "ip", "商标与专利保护实务讲座"),
    ("training", "tax", "研发费用加计扣除政策培训"),
]
#: Appointment outcomes in the past and ahead (weights); cancelled and declined hold no time.
PAST = ["completed"] * 70 + ["cancelled"] * 12 + ["declined"] * 5 + ["no_show"] * 3
AHEAD = ["confirmed"] * 55 + ["requested"] * 30 + ["cancelled"] * 15
HOLDING = ("requested", "confirmed", "completed", "no_show")
SERVICE_WEIGHTS = {"consultation": 40, "labor": 20, "contract_review": 18, "dispute": 8, "legal_aid": 6, "checkup": 8}
OUTCOME_ACTION = {
    "confirmed": "booking.confirmed",
    "completed": "booking.completed",
    "cancelled": "booking.cancelled",
    "declined": "booking.declined",
    "no_show": "booking.no_show",
}
NOTICE = {
    "requested": "新的预约申请：{when}，请确认或婉拒。",
    "confirmed": "您的预约已确认：{when}。",
    "completed": "您的预约已完成，律师已填写服务小结：{when}。",
    "cancelled": "预约已取消：{when}。",
    "declined": "您的预约申请未被接受：{when}。",
    "no_show": "预约记录为未到场：{when}。",
}


class Ids:
    """The next free id of each table, so rows can be written in bulk with their references."""

    def __init__(self) -> None:
        self._next: dict[str, int] = {}

    def take(self, model) -> int:
        """The next id for a row of ``model``."""
        table = model.__tablename__
        if table not in self._next:
            self._next[table] = (db.session.scalar(select(func.max(model.id))) or 0) + 1
        ident = self._next[table]
        self._next[table] += 1
        return ident

    def tables(self) -> list[str]:
        """The tables ids were taken for."""
        return list(self._next)


def bulk(model, rows: Iterable[dict], chunk: int = CHUNK) -> int:
    """Insert ``rows`` (plain dicts, all with the same keys) in chunks; returns how many.

    Each value goes through its column type's bind processing and missing columns get their Python defaults, as
    ``insert()`` would do, so what is stored is the same; what is skipped is SQLAlchemy's per-row parameter
    handling. SQLite: the driver's executemany of one INSERT. PostgreSQL: ``COPY … FROM STDIN`` through psycopg
    (its executemany is a round trip per row and took four times as long). The ORM's bulk path was slower still:
    it groups rows by which values are None and ended up with a statement per few rows."""
    table = getattr(model, "__table__", model)
    connection = db.session.connection()
    rows = iter(rows)
    count = 0
    while batch := list(islice(rows, chunk)):
        names, values = _stored(connection.dialect, table, batch)
        quote = connection.dialect.identifier_preparer.quote
        columns = f"{quote(table.name)} ({', '.join(quote(name) for name in names)})"
        if connection.dialect.name == "postgresql":
            with connection.connection.driver_connection.cursor() as cursor:
                with cursor.copy(f"COPY {columns} FROM STDIN") as copy:
                    for row in values:
                        copy.write_row(row)
        else:
            connection.exec_driver_sql(f"INSERT INTO {columns} VALUES ({', '.join('?' * len(names))})", values)
        count += len(batch)
    return count


def _stored(dialect, table, batch: list[dict]) -> tuple[list[str], list[tuple]]:
    """The column names and each row's values as the driver takes them: the given keys plus the columns with a
    Python-side default (server defaults are the database's own), through each type's bind processor."""
    given = list(batch[0])
    defaults = [
        column.default
        for column in table.c
        if column.name not in given and column.default is not None
        and (column.default.is_scalar or column.default.is_callable)
    ]  # fmt: skip
    names = given + [default.column.name for default in defaults]
    processors = [table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names]
    values = []
    for row in batch:
        raw = [row[name] for name in given] + [d.arg if d.is_scalar else d.arg(None) for d in defaults]
        values.append(tuple(p(v) if p else v for v, p in zip(raw, processors, strict=True)))
    return names, values


def _n(full: int, scale: float, least: int = 1) -> int:
    return max(least, round(full * scale))


def seed(scale: float = 1.0, rng: random.Random | None = None, echo: Callable[[str], None] = print) -> str:
    """The demo park, then the district around it; flushes, the caller commits. Returns a one-line summary (and
    echoes the demo's summary and the seconds each part took)."""
    rng = rng or random.Random(2025)
    clock = Phases()
    with clock("demo park"):
        echo(demo.seed(random.Random(2024)))
        db.session.flush()
    ids = Ids()
    now = utcnow()
    staff = list(db.session.scalars(select(User).where(User.role == "staff").order_by(User.id)))
    password_hash = staff[0].password_hash  # every district account signs in with the demo password (hashed once)

    with clock("enterprises, accounts, lawyers"):
        enterprises = _enterprises(rng, ids, _n(ENTERPRISES, scale, 100), now)
        users = _enterprise_users(rng, ids, enterprises, password_hash, now)
        lawyers = _lawyers(rng, ids, _n(LAWYERS, scale, 5), password_hash, now)
    verified = [e for e in enterprises if e["status"] == "verified"]
    with clock("appointments"):
        appointments = _appointments(rng, ids, verified, users, lawyers, staff, _n(APPOINTMENTS, scale, 300), now)
    with clock("events"):
        events, registrations = _events(
            rng, ids, verified, lawyers, staff[0].id, _n(EVENTS, scale, 10), _n(REGISTRATIONS, scale, 100), now
        )
    with clock("library"):
        downloads, printed = _library(
            rng, ids, verified, users, staff, _n(DOWNLOADS, scale, 100), _n(PRINTED, scale, 20)
        )
    with clock("checkups"):
        checkups, findings = _checkups(rng, ids, now)
    with clock("derived tables"):
        _derived_tables()
    _reset_sequences(ids.tables())
    db.session.flush()
    echo(clock.report())
    return (
        f"District: {len(enterprises)} enterprises, {len(lawyers)} lawyers, {appointments} appointments, "
        f"{events} events with {registrations} registrations, {downloads} downloads, {printed} printed copies, "
        f"{checkups} checkups with {findings} findings."
    )


def _derived_tables() -> None:
    """Tables kept from other tables' rows, filled here in one statement each once the rows above are written
    (never row by row in the loops above).

    Coverage's touch counts: the bulk inserts above bypass the flush hook that keeps them in step, so they are
    rebuilt from the touches union, set-based, as the migration's backfill does.
    """
    rollup.rebuild()


class Phases:
    """Wall-clock seconds per part of the seed, for the closing line (``with clock("events"): …``)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.started = perf_counter()

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        """Time the block as ``name``."""
        started = perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = perf_counter() - started

    def report(self) -> str:
        """One line: each part's seconds and the total so far."""
        parts = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in self.seconds.items())
        return f"Seed times: {parts}; {perf_counter() - self.started:.1f} s in all."


@contextmanager
def bulk_writes() -> Iterator[None]:
    """SQLite settings for one big seeding transaction, on the seed's own connections only: the rollback journal
    in memory instead of the write-ahead log (each page is written once, not to the log and then back), no
    fsync, and a 256 MB page cache for the indexes being filled. The pool is emptied before and after, so the
    portal's connections never see these settings; WAL comes back with the next connection. For an empty
    database being seeded: a crash half-way leaves a file to delete, not one to repair. When another connection
    has the file open (a portal serving it), the journal stays WAL and only the other settings apply. Other engines:
    no-op."""
    engine = db.engine
    if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
        yield
        return

    def fast(dbapi_connection, _record) -> None:
        try:
            dbapi_connection.execute("PRAGMA journal_mode=MEMORY")
        except sqlite3.OperationalError:
            pass  # another process or engine has the file open (a running portal): leaving WAL needs it alone
        for pragma in ("synchronous=OFF", "cache_size=-262144", "temp_store=MEMORY"):
            dbapi_connection.execute(f"PRAGMA {pragma}")

    db.session.close()
    engine.dispose()
    event.listen(engine, "connect", fast)
    try:
        yield
    finally:
        db.session.close()
        event.remove(engine, "connect", fast)
        engine.dispose()


# ------------------------------------------------------------------------------------------------ people


def _enterprises(rng, ids: Ids, wanted: int, now: datetime) -> list[dict]:
    """Every enterprise of the district as dicts (id, status, user ids), the demo park's included."""
    existing = [
        {"id": ident, "status": status, "users": []}
        for ident, status in db.session.execute(select(Enterprise.id, Enterprise.status).order_by(Enterprise.id))
    ]
    for enterprise_id, user_id in db.session.execute(
        select(User.enterprise_id, User.id).where(User.enterprise_id.is_not(None)).order_by(User.id)
    ):
        next(e for e in existing if e["id"] == enterprise_id)["users"].append(user_id)
    used = set(db.session.scalars(select(Enterprise.uscc)))
    rows = []
    made = []
    for index in range(max(0, wanted - len(existing))):
        brand, industry, pattern = demo.FIRMS[index % len(demo.FIRMS)]
        name = pattern.format(rng.choice(demo.EXTRA_WORDS) + rng.choice(demo.EXTRA_WORDS) + brand)
        uscc = demo.make_uscc(rng)
        while uscc in used:
            uscc = demo.make_uscc(rng)
        used.add(uscc)
        status = rng.choices(["verified", "pending", "rejected", "archived"], [90, 5, 2, 3])[0]
        created = now - timedelta(days=rng.randint(30, HISTORY_DAYS + 200))
        ident = ids.take(Enterprise)
        rows.append(
            {
                "id": ident,
                "name": f"{name}（{index + 1:05d}）",
                "uscc": uscc,
                "industry": industry,
                "employees": rng.choice(["1-9", "10-49", "10-49", "50-99", "100-299", "300+"]),
                "address": f"{rng.choice(PARKS)} {rng.choice(demo.BUILDINGS)}栋 {rng.randint(101, 1209)}室",
                "contact_name": demo.person(rng),
                "phone": demo.mobile(rng),
                "status": status,
                "source": "imported" if index % 3 else "self_registered",
                "created_at": created,
                "updated_at": created,
                "verified_at": created + timedelta(days=2) if status == "verified" else None,
                "review_note": None,
            }
        )
        made.append({"id": ident, "status": status, "users": [], "source": rows[-1]["source"]})
    bulk(Enterprise, rows)
    return existing + made


def _enterprise_users(rng, ids: Ids, enterprises: list[dict], password_hash: str, now: datetime) -> dict[int, dict]:
    """An account for every self-registered district enterprise; returns user id → {enterprise_id, locale}."""
    rows = []
    for enterprise in enterprises:
        if enterprise.get("source") != "self_registered":
            continue
        ident = ids.take(User)
        enterprise["users"].append(ident)
        rows.append(
            {
                "id": ident,
                "email": f"user{ident}@district-demo.cn",
                "password_hash": password_hash,
                "role": "enterprise",
                "name": demo.person(rng),
                "phone": demo.mobile(rng),
                "enterprise_id": enterprise["id"],
                "active": True,
                "locale": None,
                "session_token": f"district{ident:08d}",
                "last_login_at": None,
                "created_at": now - timedelta(days=rng.randint(30, HISTORY_DAYS)),
            }
        )
    bulk(User, rows)
    return {e["id"]: e for e in enterprises}


def _lawyers(rng, ids: Ids, wanted: int, password_hash: str, now: datetime) -> list[int]:
    """The partner firms' lawyers (the demo's three first), each with a weekly plan; returns their ids."""
    lawyers = list(db.session.scalars(select(User.id).where(User.role == "lawyer").order_by(User.id)))
    users, profiles, rules = [], [], []
    for index in range(max(0, wanted - len(lawyers))):
        ident = ids.take(User)
        users.append(
            {
                "id": ident,
                "email": f"lawyer{index + 1:02d}@district-law.cn",
                "password_hash": password_hash,
                "role": "lawyer",
                "name": demo.person(rng),
                "phone": demo.mobile(rng),
                "enterprise_id": None,
                "active": True,
                "locale": None,
                "session_token": f"districtlawyer{ident:06d}",
                "last_login_at": None,
                "created_at": now - timedelta(days=HISTORY_DAYS + 30),
            }
        )
        profiles.append(
            {
                "user_id": ident,
                "title": rng.choice(LAWYER_TITLES),
                "bio": None,
                "specialties": rng.choice(TOPIC_SETS),
                "feed_token": f"district-feed-{ident}-{rng.getrandbits(64):016x}",
            }
        )
        days = range(1, 6) if index % 3 else (1, 2, 3, 4, 5, 6)
        for weekday in days:
            for start, end in ((time(8, 30), time(12)), (time(13, 30), time(18))):
                rules.append(
                    {"id": ids.take(AvailabilityRule), "lawyer_id": ident, "weekday": weekday,
                     "start_time": start, "end_time": end}
                )  # fmt: skip
        lawyers.append(ident)
    bulk(User, users)
    bulk(LawyerProfile, profiles)
    bulk(AvailabilityRule, rules)
    return lawyers


# ---------------------------------------------------------------------------------------------- bookings


def _appointments(rng, ids, verified, enterprises, lawyers, staff, wanted: int, now: datetime) -> int:
    """``wanted`` appointments on working days from three years back to two months ahead, laid one after another
    in each lawyer's day, with their booking units (when they hold time), audit entries and notifications."""
    services = {s.code: s for s in db.session.scalars(select(ServiceType))}
    codes = list(SERVICE_WEIGHTS)
    weights = list(SERVICE_WEIGHTS.values())
    taken = set(db.session.execute(select(BookingUnit.lawyer_id, BookingUnit.unit_start)))
    taken = {(lawyer, _utc(start)) for lawyer, start in taken}
    today = local_today(now)
    days = [today + timedelta(days=offset) for offset in range(-HISTORY_DAYS, AHEAD_DAYS)]
    days = [d for d in days if d.isoweekday() <= 6]
    saturdays = sum(1 for d in days if d.isoweekday() == 6)
    per_day = wanted / ((len(days) - saturdays + saturdays / 3) * len(lawyers))  # Saturdays a third as busy
    appointments, units, audits, notes, feedback = [], [], [], [], []
    staff_ids = [s.id for s in staff]
    made = 0
    for day in days:
        for lawyer in lawyers:
            rate = per_day / 3 if day.isoweekday() == 6 else per_day
            count = int(rate) + (1 if rng.random() < rate % 1 else 0)
            cursor = local_datetime(day, time(8, 30))
            for _ in range(count):
                if made >= wanted:
                    break
                svc = services[rng.choices(codes, weights)[0]]
                start = cursor
                end = start + timedelta(minutes=svc.duration_minutes)
                status = rng.choice(PAST if end <= now else AHEAD)
                if start <= now < end or (start > now and status == "completed"):
                    status = "confirmed"
                if status in ("declined", "requested") and not svc.requires_confirmation:
                    status = "cancelled" if status == "declined" else "confirmed"
                if end <= now and start > now - timedelta(days=10) and status == "completed" and rng.random() < 0.1:
                    status = "confirmed"  # awaiting an outcome
                slots = [start + timedelta(minutes=30 * i) for i in range(svc.duration_minutes // 30)]
                holds = status in HOLDING
                if holds and any((lawyer, s) in taken for s in slots):
                    status, holds = "cancelled", False
                assigned = lawyer
                if status == "requested" and rng.random() < 0.01:
                    assigned, holds = None, False  # an unassigned request: any lawyer may take it
                if holds:
                    cursor = end + timedelta(minutes=rng.choice((0, 0, 30)))
                    taken.update((lawyer, s) for s in slots)
                enterprise = verified[0] if rng.random() < 0.002 else rng.choice(verified)  # the demo login's
                creator = enterprise["users"][0] if enterprise["users"] else rng.choice(staff_ids)
                created = start - timedelta(days=rng.randint(2, 14), hours=rng.randint(0, 8))
                code, topic, description, summary = rng.choice([c for c in CASES if c[0] == svc.code] or CASES)
                ident = ids.take(Appointment)
                outcome_at = None
                if status in ("confirmed", "completed", "no_show"):
                    outcome_at = created + timedelta(hours=rng.randint(1, 30))
                row = {
                    "id": ident,
                    "enterprise_id": enterprise["id"],
                    "lawyer_id": assigned,
                    "service_type_id": svc.id,
                    "start_at": start,
                    "end_at": end,
                    "mode": rng.choice(svc.mode_list),
                    "topic": topic if code == svc.code else rng.choice(["contracts", "labor", "company_law"]),
                    "description": description,
                    "status": status,
                    "decline_reason": rng.choice(DECLINE_REASONS) if status == "declined" else None,
                    "summary": summary if status == "completed" else None,
                    "private_notes": "已归档至律所案卷。" if status == "completed" else None,
                    "created_by_id": creator,
                    "rescheduled_from_id": None,
                    "reminder_queued_at": start - timedelta(days=1) if holds and start < now else None,
                    "confirmed_at": outcome_at,
                    "completed_at": end + timedelta(minutes=10) if status == "completed" else None,
                    "cancelled_at": created + timedelta(days=1) if status in ("cancelled", "declined") else None,
                    "created_at": created,
                    "updated_at": created,
                }
                appointments.append(row)
                if holds:
                    units.extend({"lawyer_id": lawyer, "unit_start": s, "appointment_id": ident} for s in slots)
                audits.append(_audit(ids, creator, "booking.created", ident, created))
                if status != "requested":
                    when = row["completed_at"] or row["cancelled_at"] or outcome_at or created
                    audits.append(_audit(ids, assigned or creator, OUTCOME_ACTION[status], ident, when))
                recipient = (assigned if status == "requested" else creator) or staff_ids[0]
                notes.append(_note(ids, recipient, status, ident, start, created, now))
                if status == "completed" and enterprise["users"] and rng.random() < 0.5:
                    feedback.append(
                        {
                            "id": ids.take(Feedback),
                            "appointment_id": ident,
                            "user_id": enterprise["users"][0],
                            "rating": rng.choice([5, 5, 5, 4, 4, 3]),
                            "comment": rng.choice(COMMENTS) or None,
                            "created_at": end + timedelta(hours=rng.randint(1, 48)),
                        }
                    )
                made += 1
        if len(appointments) >= CHUNK:
            _flush_bookings(appointments, units, audits, notes, feedback)
    _flush_bookings(appointments, units, audits, notes, feedback)
    return made


def _flush_bookings(*lists: list[dict]) -> None:
    for model, rows in zip((Appointment, BookingUnit, AuditLog, Notification, Feedback), lists, strict=True):
        bulk(model, rows)
        rows.clear()


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=utcnow().tzinfo)


def _audit(ids: Ids, actor: int | None, action: str, object_id: int, at: datetime, kind: str = "appointment") -> dict:
    return {
        "id": ids.take(AuditLog),
        "actor_id": actor,
        "action": action,
        "object_type": kind,
        "object_id": object_id,
        "details": {},
        "created_at": at,
    }


def _note(ids: Ids, user_id: int, status: str, appointment_id: int, start, created, now) -> dict:
    when = to_local(start).strftime("%Y-%m-%d %H:%M")
    return {
        "id": ids.take(Notification),
        "user_id": user_id,
        "text": NOTICE[status].format(when=when),
        "link": f"/bookings/{appointment_id}",
        "read_at": None if created > now - timedelta(days=7) else created + timedelta(hours=6),
        "created_at": min(created, now),
    }


# ------------------------------------------------------------------------------------ events and library


def _events(rng, ids, verified, lawyers, staff_id: int, wanted: int, registrations: int, now) -> tuple[int, int]:
    """``wanted`` events over the three years and the two months ahead, about ``registrations`` sign-ups."""
    today = local_today(now)
    per_event = max(1, registrations // wanted)
    events, topics, speakers, regs = [], [], [], []
    made_regs = 0
    for index in range(wanted):
        category, topic_codes, title = EVENT_TITLES[index % len(EVENT_TITLES)]
        day = today + timedelta(days=rng.randint(-HISTORY_DAYS, AHEAD_DAYS))
        start = local_datetime(day, time(9, 30) if index % 2 else time(14))
        end = start + timedelta(hours=2)
        status = "published"
        if start > now and rng.random() < 0.1:
            status = rng.choice(["draft", "cancelled"])
        ident = ids.take(Event)
        past = end <= now
        chosen = rng.sample(verified, min(len(verified), rng.randint(per_event // 2, per_event * 3 // 2 + 1)))
        seats_taken = 0
        for position, enterprise in enumerate(chosen if status != "draft" else [], start=1):
            attendees = rng.randint(1, 2)
            attended = past and rng.random() < 0.85
            cancelled = not attended and rng.random() < 0.1
            reg_status = "attended" if attended else "cancelled" if cancelled else "registered"
            held = 0 if cancelled else attendees
            seats_taken += held
            regs.append(
                {
                    "id": ids.take(Registration),
                    "event_id": ident,
                    "enterprise_id": enterprise["id"],
                    "user_id": enterprise["users"][0] if enterprise["users"] else staff_id,
                    "status": reg_status,
                    "attendees": attendees,
                    "names": "\n".join(demo.person(rng) for _ in range(attendees)),
                    "seats_held": held,
                    "position": position,
                    "walk_in": False,
                    "attended_count": attendees if attended else None,
                    "checked_in_at": start - timedelta(minutes=10) if attended else None,
                    "checked_in_by_id": staff_id if attended else None,
                    "promoted_at": None,
                    "cancelled_at": start - timedelta(days=2) if cancelled else None,
                    "reminder_queued_at": None,
                    "rating": rng.choice([3, 4, 5, 5]) if attended and rng.random() < 0.5 else None,
                    "rated_at": end + timedelta(hours=3) if attended else None,
                    "created_at": start - timedelta(days=rng.randint(1, 20)),
                    "updated_at": start - timedelta(days=1),
                }
            )
        made_regs += len(chosen) if status != "draft" else 0
        created = start - timedelta(days=21)
        events.append(
            {
                "id": ident,
                "title": f"{title}（第 {index + 1} 期）",
                "description": "由园区法治服务站主办，合作律所律师主讲，欢迎园区企业报名参加。",
                "category": category,
                "start_at": start,
                "end_at": end,
                "location": f"{rng.choice(PARKS)} 服务中心 {rng.randint(1, 5)} 楼会议室",
                "online_url": None,
                "capacity": None,
                "seats_per_enterprise": 2,
                "registration_deadline": start - timedelta(days=1),
                "status": status,
                "seats_taken": seats_taken,
                "arrivals": len(chosen) if status != "draft" else 0,
                "sequence": 0,
                "cancel_reason": "因场地调整，本场活动取消。" if status == "cancelled" else None,
                "created_by_id": staff_id,
                "created_at": created,
                "updated_at": created,
                "cancelled_at": created + timedelta(days=3) if status == "cancelled" else None,
            }
        )
        topics.extend({"event_id": ident, "topic": t} for t in topic_codes.split(","))
        speakers.append({"event_id": ident, "lawyer_id": rng.choice(lawyers)})
        if len(regs) >= CHUNK:
            bulk(Event, events), bulk(EventTopic, topics), bulk(event_speaker, speakers), bulk(Registration, regs)
            events, topics, speakers, regs = [], [], [], []
    bulk(Event, events), bulk(EventTopic, topics), bulk(event_speaker, speakers), bulk(Registration, regs)
    return wanted, made_regs


def _library(rng, ids, verified, enterprises, staff, wanted: int, printed: int) -> tuple[int, int]:
    """Downloads of the demo's published compilations by the enterprises' users, and printed copies handed out."""
    compilations = list(db.session.scalars(select(Compilation.id).where(Compilation.published.is_(True))))
    with_users = [e for e in verified if e["users"]]
    if not compilations or not with_users:
        return 0, 0
    now = utcnow()

    def downloads():
        for _ in range(wanted):
            enterprise = rng.choice(with_users)
            yield {
                "id": ids.take(Download),
                "compilation_id": rng.choice(compilations),
                "user_id": enterprise["users"][0],
                "enterprise_id": enterprise["id"],
                "created_at": now - timedelta(minutes=rng.randint(60, HISTORY_DAYS * 24 * 60)),
            }

    def copies():
        today = local_today(now)
        for _ in range(printed):
            yield {
                "id": ids.take(PrintedCopy),
                "compilation_id": rng.choice(compilations),
                "enterprise_id": rng.choice(verified)["id"],
                "copies": rng.randint(1, 3),
                "handed_on": today - timedelta(days=rng.randint(1, HISTORY_DAYS)),
                "place": rng.choice(["event", "station"]),
                "place_note": None,
                "recorded_by_id": rng.choice(staff).id,
                "created_at": now - timedelta(days=rng.randint(1, HISTORY_DAYS)),
            }

    counts = bulk(Download, downloads()), bulk(PrintedCopy, copies())
    library.recount()  # the compilations' kept figures, from the rows written around the service
    return counts


# ---------------------------------------------------------------------------------------------- checkups


def _checkups(rng, ids: Ids, now: datetime) -> tuple[int, int]:
    """A checkup with an issued report (three findings, some corrected) for every completed district checkup."""
    definition = qn.package_definition()
    questionnaire_id = stored_questionnaire(definition).id
    answers = [_answers(rng, definition, risky=0.35) for _ in range(8)]
    have = select(Checkup.appointment_id)
    done = db.session.execute(
        select(Appointment.id, Appointment.lawyer_id, Appointment.start_at, Appointment.enterprise_id)
        .join(ServiceType)
        .where(ServiceType.code == "checkup", Appointment.status == "completed", Appointment.id.not_in(have))
        .order_by(Appointment.id)
    ).all()
    checkups, findings, revisions = [], [], []
    for index, (appointment_id, lawyer_id, start, enterprise_id) in enumerate(done):
        start = _utc(start)
        ident = ids.take(Checkup)
        finished = start - timedelta(days=2)
        issued_at = start + timedelta(days=2)
        rows = []
        for level in ("high", "medium", "low"):
            area, (_level, finding, basis, advice, days) = POOL[level][(index + len(rows)) % len(POOL[level])]
            corrected = level == "low" and index % 2 == 0
            rows.append(
                {
                    "id": ids.take(Finding),
                    "checkup_id": ident,
                    "enterprise_id": enterprise_id,
                    "lawyer_id": lawyer_id,
                    "area": area,
                    "finding": finding,
                    "basis": basis,
                    "level": level,
                    "severity": SEVERITY_RANKS[level],
                    "recommendation": advice,
                    "deadline": (issued_at + timedelta(days=days)).date(),
                    "status": "confirmed" if corrected else "open",
                    "issued_in": 1,
                    "issued_at": issued_at,
                    "created_by_id": lawyer_id,
                    "created_at": issued_at - timedelta(hours=3),
                    "correction_note": "已按律师建议完成整改。" if corrected else None,
                    "corrected_at": issued_at + timedelta(days=5) if corrected else None,
                    "corrected_by_id": None,
                    "confirmed_at": issued_at + timedelta(days=6) if corrected else None,
                    "confirmed_by_id": lawyer_id if corrected else None,
                }
            )
        follow_up = min(r["deadline"] for r in rows)
        summary = SUMMARIES[index % len(SUMMARIES)]
        snapshot = [
            {k: (v.isoformat() if isinstance(v, date) else v) for k, v in r.items()
             if k in ("id", "area", "finding", "basis", "level", "recommendation", "deadline", "issued_in")}
            for r in rows
        ]  # fmt: skip
        checkups.append(
            {
                "id": ident,
                "appointment_id": appointment_id,
                "questionnaire_id": questionnaire_id,
                "answers": answers[index % len(answers)],
                "answers_saved_at": finished,
                "answers_finished_at": finished,
                "report_status": "issued",
                "summary": summary,
                "revision": 1,
                "issued_at": issued_at,
                "follow_up_on": follow_up,
                "follow_up_reminded_at": None,
                "created_at": finished - timedelta(days=1),
                "updated_at": issued_at,
            }
        )
        revisions.append(
            {
                "id": ids.take(ReportRevision),
                "checkup_id": ident,
                "number": 1,
                "summary": summary,
                "findings": snapshot,
                "follow_up_on": follow_up,
                "issued_at": issued_at,
                "issued_by_id": lawyer_id,
            }
        )
        findings.extend(rows)
    bulk(Checkup, checkups)
    bulk(Finding, findings)
    bulk(ReportRevision, revisions)
    checkup_service.recount()  # the enterprises affected per area, from the findings written around the service
    return len(checkups), len(findings)


def _reset_sequences(tables: list[str]) -> None:
    """PostgreSQL: move each table's id sequence past the ids written here (SQLite needs nothing)."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for table in tables:
        db.session.execute(
            text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        )
