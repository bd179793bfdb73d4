"""Race-safe writes, one way each, on SQLite and PostgreSQL.

- ``lock(obj)``: take the row's lock for the rest of the transaction and reload it, so two changes to one record
  run one after the other and the second sees the first (PostgreSQL ``SELECT … FOR UPDATE``; SQLite's writers
  hold the database lock from ``BEGIN IMMEDIATE`` on).
- ``insert_or_lose(lost)``: write inside a savepoint; when a unique key says someone else already holds it, undo
  just that and raise ``lost``. The database decides who wins, not a check-then-insert in Python.
- ``claim(model, ident, column, value)``: set a column only if still empty (``UPDATE … WHERE column IS NULL``),
  true for exactly one of any number of concurrent callers: "do this once" (reminders, promotions).
- ``write_transaction()``: let a GET request record something (a download) in its own short write transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from sqlalchemy import inspect, select, update
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from .errors import DomainError

_writing: ContextVar[bool] = ContextVar("parkportal_writing", default=False)


def lock(obj: Any) -> Any:
    """Lock ``obj``'s row until the transaction ends and refresh the loaded object from it."""
    model = type(obj)
    (key,) = inspect(model).primary_key
    return db.session.execute(
        select(model).where(key == inspect(obj).identity[0]).with_for_update().execution_options(populate_existing=True)
    ).scalar_one()


@contextmanager
def insert_or_lose(lost: DomainError) -> Iterator[None]:
    """Run the block's writes in a savepoint and flush; a unique-key violation undoes them and raises ``lost``."""
    try:
        with db.session.begin_nested():
            yield
            db.session.flush()
    except IntegrityError:
        raise lost from None


def claim(model: type, ident: Any, column: Any, value: Any) -> bool:
    """Set ``column`` to ``value`` on one row if it is still NULL; ``True`` for the one caller that did."""
    (key,) = inspect(model).primary_key
    result = db.session.execute(
        update(model)
        .where(key == ident, column.is_(None))
        .values({column.key: value})
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def writing() -> bool:
    """Whether the code running now asked for a write transaction (the SQLite ``BEGIN`` listener reads it)."""
    return _writing.get()


@contextmanager
def write_transaction() -> Iterator[None]:
    """Commit what the block writes in its own short transaction, also in the middle of a GET request.

    A GET reads in a deferred transaction; on SQLite a reader that then writes fails at once with "database is
    locked" when another connection has written meanwhile. So the read transaction is ended first and the block
    runs in a fresh write transaction (``BEGIN IMMEDIATE`` on SQLite, which waits its turn), committed at once:
    each recorded event is stored exactly once, and a failure rolls back only the block.
    """
    db.session.commit()
    token = _writing.set(True)
    try:
        yield
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    finally:
        _writing.reset(token)
