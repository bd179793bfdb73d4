"""Count-free paging: a page of rows and whether another follows, read with one look-ahead row and no ``count(*)``.

A list that grows with the district (checkups, findings, the roster searched) pages with ``look_ahead``: the page
asks for ``per_page + 1`` rows, shows ``per_page`` and offers "next" when the extra row came back. The template
``_pager.html`` shows it (previous · page N · next); nothing counts every matching row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select

from ..extensions import db


@dataclass
class Window:
    """One page of a list whose length is not counted."""

    items: list[Any] = field(default_factory=list)
    page: int = 1
    per_page: int = 20
    has_next: bool = False

    @property
    def has_prev(self) -> bool:
        """Whether a page comes before this one."""
        return self.page > 1

    @property
    def prev_num(self) -> int:
        """The previous page's number."""
        return max(self.page - 1, 1)

    @property
    def next_num(self) -> int:
        """The next page's number."""
        return self.page + 1

    @property
    def first(self) -> int:
        """The position of the page's first row in the whole list (1-based; 0 for an empty page)."""
        return (self.page - 1) * self.per_page + 1 if self.items else 0

    @property
    def last(self) -> int:
        """The position of the page's last row in the whole list."""
        return (self.page - 1) * self.per_page + len(self.items)


def look_ahead(query: Select, page: int, per_page: int, *, rows: bool = False) -> Window:
    """Page ``page`` (1-based) of ``query`` with ``per_page`` rows, reading one more to know if a next page exists.

    ``rows=True`` keeps whole result rows (a select of several entities); otherwise the first column's objects.
    """
    page = max(page, 1)
    limited = query.limit(per_page + 1).offset((page - 1) * per_page)
    found = list(db.session.execute(limited).all() if rows else db.session.scalars(limited).all())
    return Window(items=found[:per_page], page=page, per_page=per_page, has_next=len(found) > per_page)
