"""Paging without counting the district: a page of rows and whether another follows, read with one look-ahead row.

A list that grows with the district (bookings, checkups, findings, the roster, the audit log) pages with
``look_ahead``: the page asks for ``per_page + 1`` rows, shows ``per_page`` and offers "next" when the extra row came
back. A list that says how many it holds counts **up to** a limit (``count_up_to``: "more than 1,000") instead of
counting every matching row. ``templates/_pagination.html`` shows a ``Window`` (and a Flask-SQLAlchemy
``Pagination`` alike): previous · page x (of y when the total is known) · next.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from math import ceil
from typing import Any

from sqlalchemy import Select, func, select

from ..extensions import db


@dataclass
class Window:
    """One page of a long list: ``total`` is exact up to ``limit`` when it was counted, ``None`` beyond (or when
    not counted at all); ``pages`` is ``None`` then, and the page links say "page x" without "of y"."""

    items: list[Any] = field(default_factory=list)
    page: int = 1
    per_page: int = 20
    has_next: bool = False
    total: int | None = None
    limit: int | None = None

    @property
    def has_prev(self) -> bool:
        """Whether a page comes before this one."""
        return self.page > 1

    @property
    def prev_num(self) -> int | None:
        """The previous page's number."""
        return self.page - 1 if self.has_prev else None

    @property
    def next_num(self) -> int | None:
        """The next page's number."""
        return self.page + 1 if self.has_next else None

    @property
    def pages(self) -> int | None:
        """How many pages there are, when the total is known."""
        return None if self.total is None else max(1, ceil(self.total / self.per_page))

    @property
    def more_than_limit(self) -> bool:
        """Whether the count stopped at ``limit`` (there are more)."""
        return self.limit is not None and self.total is None


def look_ahead(
    query: Select, page: int, per_page: int, *, rows: bool = False, count_up_to: int | None = None
) -> Window:
    """Page ``page`` (1-based) of the ordered ``query`` with ``per_page`` rows, reading one more to know whether a
    next page exists; with ``count_up_to``, the matching rows are also counted, stopping after that many + 1 (over
    the query's first column only).

    ``rows=True`` keeps whole result rows (a select of several entities); otherwise the first column's objects.
    """
    page = max(page, 1)
    limited = query.limit(per_page + 1).offset((page - 1) * per_page)
    found = list(db.session.execute(limited).all() if rows else db.session.scalars(limited).all())
    window = Window(items=found[:per_page], page=page, per_page=per_page, has_next=len(found) > per_page)
    if count_up_to is not None:
        first_column = query.selected_columns[0]
        counted = query.with_only_columns(first_column).order_by(None).limit(count_up_to + 1).subquery()
        total = db.session.scalar(select(func.count()).select_from(counted))
        window.limit = count_up_to
        window.total = total if total <= count_up_to else None
    return window


def look_ahead_chain(queries: list[Select], page: int, per_page: int) -> Window:
    """Page ``page`` of several ordered queries shown one after the other (e.g. "pending first, then by name"),
    each served by its own index, instead of one query ordered by an expression no index serves.

    Like ``look_ahead`` it reads one row more than the page; a part is counted only when the page starts past
    its end (so put the short parts first).
    """
    page = max(page, 1)
    skip, wanted, found = (page - 1) * per_page, per_page + 1, []
    for number, query in enumerate(queries):
        rows = list(db.session.scalars(query.limit(wanted).offset(skip)).all())
        found += rows
        wanted -= len(rows)
        if not wanted or number == len(queries) - 1:
            break
        if rows:  # this part ended on the page: the next one starts at its beginning
            skip = 0
        else:  # the page starts past this part: skip what it holds
            skip -= db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    return Window(items=found[:per_page], page=page, per_page=per_page, has_next=len(found) > per_page)
