"""Text search, done one way: what people type matches itself (``%`` and ``_`` are not wildcards)."""

from __future__ import annotations

#: The escape character used in every LIKE pattern built here (pass it as ``escape=`` to ``like``/``ilike``).
ESCAPE = "\\"


def like_pattern(text: str) -> str:
    """A ``%…%`` LIKE pattern that finds ``text`` literally anywhere (use with ``escape=ESCAPE``)."""
    escaped = text.replace(ESCAPE, ESCAPE * 2).replace("%", ESCAPE + "%").replace("_", ESCAPE + "_")
    return f"%{escaped}%"


def contains(column, text: str):
    """``column`` contains ``text`` literally, ignoring case."""
    return column.ilike(like_pattern(text), escape=ESCAPE)
