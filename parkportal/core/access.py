"""Who may see which row, said once per model.

A model that people load by id defines ``visible_to(user)``: a classmethod returning the SQL condition that
matches the rows ``user`` may see. Lists filter with it, ``load`` loads-and-checks with it in one query, and
``can_see`` asks it about one loaded object, so the list, the page and the htmx endpoint can't disagree.
Another party's record is ``NotFound``, exactly like a missing one.
"""

from __future__ import annotations

from typing import Any, Protocol, TypeVar

from sqlalchemy import ColumnElement, false, inspect, select, true

from ..extensions import db
from .errors import NotFound
from .parsing import parse_id


class Guarded(Protocol):
    """A model with a visibility rule."""

    @classmethod
    def visible_to(cls, user: Any) -> ColumnElement[bool]: ...  # noqa: D102


M = TypeVar("M")


def clause(model: type, user: Any) -> ColumnElement[bool]:
    """The condition for the rows of ``model`` that ``user`` may see (nothing for visitors)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return false()
    return model.visible_to(user)  # type: ignore[attr-defined]


def own_enterprise(column: Any, user: Any, otherwise: ColumnElement[bool] | None = None) -> ColumnElement[bool]:
    """The common rule: staff see every row; an enterprise user the rows whose ``column`` is its enterprise's id;
    anyone else ``otherwise`` (nothing by default). Models build their ``visible_to`` from it."""
    if user.is_staff:
        return true()
    if user.is_enterprise:
        return column == (user.enterprise_id or -1)
    return otherwise if otherwise is not None else false()


def _key(model: type):
    """The single primary-key column of ``model``."""
    (column,) = inspect(model).primary_key
    return column


def load(model: type[M], ident: Any, user: Any, *options: Any, lock: bool = False) -> M:
    """The row of ``model`` with id ``ident`` if ``user`` may see it, else ``NotFound``.

    ``ident`` may be text from a URL or form (it is parsed with the bounds of ``parsing.parse_id``);
    ``lock`` takes the row lock for a state change (PostgreSQL ``FOR UPDATE``; SQLite writers are serialised).
    """
    key = parse_id(ident) if not isinstance(ident, int) else ident
    if key is None:
        raise NotFound("not found")
    query = select(model).where(_key(model) == key, clause(model, user)).options(*options)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    obj = db.session.scalar(query)
    if obj is None:
        raise NotFound("not found")
    return obj


def can_see(obj: Any, user: Any) -> bool:
    """Whether ``user`` may see ``obj``: the same rule as lists, asked of the database for this one row."""
    model = type(obj)
    ident = inspect(obj).identity
    if ident is None:
        return False
    found = db.session.scalar(select(_key(model)).where(_key(model) == ident[0], clause(model, user)))
    return found is not None
