"""Cached coverage figures, exactly invalidated: every transaction that changes the touch counts or the roster
writes a new random ``CoverageVersion.stamp`` in the same transaction, and a cached value is kept under the stamp
it was computed with. A request reads the stamp first and then its figures, so a value found under a stamp was
computed from data at least as new as that stamp: once a change commits, its new stamp misses every cached value.

What bumps the stamp:
- ``rollup.refresh``/``rollup.rebuild`` (every write of the counts: the touches' own after-flush hook, bulk seeding);
- a flush that inserts, changes or deletes an ``Enterprise`` (``before_flush``: the roster, its names, industries,
  contacts and statuses), and ``INSERT``/``UPDATE``/``DELETE`` statements on the enterprise table run through the
  session (the roster import's bulk insert).

Only figures made of the counts and the roster are cached (the export's table, the dashboard's breakdowns); figures
that depend on the clock, needs, events or findings are read live.

On PostgreSQL a bump first takes the counts' advisory lock (``rollup.LOCK_KEY``) until commit, then updates the row,
so writers queue in one order (the lock, then the row). The cache is per process, bounded in entries and bytes.
"""

from __future__ import annotations

import secrets
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask
from sqlalchemy import event, func, insert, select, update
from sqlalchemy.orm import ORMExecuteState, Session

from ..extensions import db
from ..models import CoverageVersion, Enterprise

#: The PostgreSQL advisory lock of the counts (``rollup.LOCK_KEY``; repeated here to keep the import one-way).
LOCK_KEY = 0x746F756368
ROW = 1
#: At most this many values and about this many bytes (the exports are ~1 MB each) per process.
MAX_ENTRIES = 64
MAX_BYTES = 32 * 1024 * 1024

T = TypeVar("T")
#: ``version`` when the caller hasn't read the stamp.
UNREAD = object()
_values: OrderedDict[tuple, tuple[Any, int]] = OrderedDict()
_size = 0
_lock = threading.Lock()


def bump(connection=None) -> None:
    """A new stamp in the current transaction (every cached value is stale once it commits)."""
    connection = connection or db.session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(select(func.pg_advisory_xact_lock(LOCK_KEY)))
    stamp = secrets.token_hex(16)
    done = connection.execute(update(CoverageVersion).where(CoverageVersion.id == ROW).values(stamp=stamp))
    if done.rowcount == 0:
        connection.execute(insert(CoverageVersion).values(id=ROW, stamp=stamp))


def stamp() -> str | None:
    """The current stamp (``None`` before the first change: nothing is cached then)."""
    return db.session.scalar(select(CoverageVersion.stamp).where(CoverageVersion.id == ROW))


def _weight(value: Any) -> int:
    return len(value) if isinstance(value, bytes | str) else sys.getsizeof(value)


def cached(key: tuple, compute: Callable[[], T], version: str | None | object = UNREAD) -> T:
    """``compute()``, or its value cached under the current stamp and ``key`` (``version``: a stamp read already)."""
    global _size
    version = stamp() if version is UNREAD else version
    if version is None:
        return compute()
    full = (version, *key)
    with _lock:
        found = _values.get(full)
        if found is not None:
            _values.move_to_end(full)
            return found[0]
    value = compute()
    weight = _weight(value)
    if weight > MAX_BYTES:
        return value
    with _lock:
        if full not in _values:
            _values[full] = (value, weight)
            _size += weight
        while len(_values) > MAX_ENTRIES or _size > MAX_BYTES:
            _old, (_value, old_weight) = _values.popitem(last=False)
            _size -= old_weight
    return value


def clear() -> None:
    """Forget every cached value (tests)."""
    global _size
    with _lock:
        _values.clear()
        _size = 0


def _before_flush(session: Session, _context, _instances) -> None:
    """Bump when this flush changes the roster."""
    for obj in (*session.new, *session.deleted, *session.dirty):
        if isinstance(obj, Enterprise) and (
            obj not in session.dirty or session.is_modified(obj, include_collections=False)
        ):
            bump(session.connection())
            return


def _do_orm_execute(state: ORMExecuteState) -> None:
    """Bump before a DML statement on the enterprise table runs through the session."""
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(state.statement, "table", None)
        if table is not None and table.name == Enterprise.__tablename__:
            bump(state.session.connection())


def init_app(app: Flask) -> None:
    """Install the hooks that bump the stamp (once per session class)."""
    del app
    if not event.contains(db.session, "before_flush", _before_flush):
        event.listen(db.session, "before_flush", _before_flush)
    if not event.contains(db.session, "do_orm_execute", _do_orm_execute):
        event.listen(db.session, "do_orm_execute", _do_orm_execute)


@event.listens_for(CoverageVersion.__table__, "after_create")
def _first_stamp(target, connection, **_kw) -> None:
    """A new database starts with a stamp of its own (random: never one another database's values are kept under)."""
    connection.execute(target.insert().values(id=ROW, stamp=secrets.token_hex(16)))
