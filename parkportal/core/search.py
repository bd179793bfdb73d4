"""Text search over columns: what people type is matched literally, never as a pattern.

``%`` and ``_`` are wildcards to SQL's LIKE; a search for "100%" or "a_b" must find those characters, not
everything. ``like_pattern`` escapes them (and the escape character itself) once, here, for every search.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, or_

#: The escape character of every LIKE pattern built here.
ESCAPE = "\\"


def like_pattern(text: str) -> str:
    """A LIKE pattern that finds ``text`` anywhere in a value, with ``%``, ``_`` and ``\\`` matching themselves."""
    escaped = text.replace(ESCAPE, ESCAPE * 2).replace("%", ESCAPE + "%").replace("_", ESCAPE + "_")
    return f"%{escaped}%"


def contains(text: str, *columns) -> ColumnElement[bool]:
    """Case-insensitively, whether any of ``columns`` holds ``text`` literally."""
    pattern = like_pattern(text)
    return or_(*(column.ilike(pattern, escape=ESCAPE) for column in columns))
