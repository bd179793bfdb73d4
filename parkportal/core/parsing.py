"""Bounded parsing of what people put in URLs and forms: ids, numbers, pages, dates, months and date ranges.

Each parser refuses what no record can hold (non-ASCII digits, thousands of digits, years outside a sane window,
page numbers beyond any row) instead of passing it to Python or the database, where it would be a 500.
The plain parsers return ``None`` for unusable input; ``date_range`` raises ``Invalid`` naming the field.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from flask_babel import gettext as _

from .errors import Invalid

#: The largest primary key there can be (PostgreSQL's INTEGER); larger numbers in a URL are no record.
MAX_ID = 2**31 - 1
#: Years a date in this portal can sensibly have (history since the park opened; plans a few years ahead).
MIN_YEAR, MAX_YEAR = 2000, 2100
#: No list has more pages than this (a page number beyond it is no page at all).
MAX_PAGE = 100_000

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_MONTH = re.compile(r"\d{4}-\d{2}", re.ASCII)


def _text(value: object) -> str:
    """``value`` as stripped text ('' for ``None``)."""
    return str(value if value is not None else "").strip()


def parse_int(value: object, minimum: int = 0, maximum: int = MAX_ID) -> int | None:
    """A whole number written with ASCII digits within [``minimum``, ``maximum``], else ``None``."""
    text = _text(value)
    if not text.isascii() or not text.isdigit() or len(text) > len(str(maximum)):
        return None
    number = int(text)
    return number if minimum <= number <= maximum else None


def parse_id(value: object) -> int | None:
    """A record id from a URL or form (1 … ``MAX_ID``), else ``None``."""
    return parse_int(value, 1, MAX_ID)


def parse_page(value: object) -> int:
    """A page number (1 when absent or unusable; at most ``MAX_PAGE``)."""
    return parse_int(value, 1, MAX_PAGE) or 1


def in_window(day: date) -> bool:
    """Whether ``day`` lies in the years this portal deals with."""
    return MIN_YEAR <= day.year <= MAX_YEAR


def parse_date(value: object) -> date | None:
    """A YYYY-MM-DD date within the sane years, else ``None``."""
    text = _text(value)
    if not _DATE.fullmatch(text):
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return None
    return day if in_window(day) else None


def parse_month(value: object) -> date | None:
    """A YYYY-MM month (as its first day) within the sane years, else ``None``."""
    text = _text(value)
    if not _MONTH.fullmatch(text):
        return None
    return parse_date(text + "-01")


def parse_datetime(value: object) -> datetime | None:
    """An ISO 8601 date and time within the sane years (naive or with an offset), else ``None``."""
    text = _text(value)
    if not text.isascii() or not 16 <= len(text) <= 32 or not _DATE.match(text):
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if in_window(moment.date()) else None


def date_range(
    start_text: object,
    end_text: object,
    default: tuple[date | None, date | None],
    fields: tuple[str, str] = ("from", "to"),
) -> tuple[date | None, date | None]:
    """A from/to pair of dates (both inclusive); a missing bound takes the default's (``None``: open).

    Raises ``Invalid`` on the first field that can't be read, or on ``to`` when it lies before ``from``.
    """
    bounds = []
    for text, fallback, field in zip((start_text, end_text), default, fields, strict=True):
        if not _text(text):
            bounds.append(fallback)
            continue
        day = parse_date(text)
        if day is None:
            raise Invalid(_("Enter dates as YYYY-MM-DD, e.g. 2026-12-01."), field)
        bounds.append(day)
    start, end = bounds
    if start is not None and end is not None and end < start:
        raise Invalid(_("The end date lies before the start date."), fields[1])
    return start, end


def next_day(day: date) -> date:
    """The day after ``day`` (for exclusive upper bounds of inclusive date ranges)."""
    return day + timedelta(days=1)


# ------------------------------------------------------------------------------------------------- text

#: Control characters (Unicode category Cc: C0, DEL and C1). None belongs in a stored text; NUL can't even be
#: stored by PostgreSQL, and a line break in a name would break every e-mail header it ends up in.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
#: The same, but keeping the tab and line feed a multi-line text may hold.
_CONTROL_BUT_LINES = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
#: Line breaks and tabs that single-line text folds into a space (Unicode's line and paragraph separators too).
_FOLDED = re.compile(r"[\t\n\x0b\x0c\r\x85\u2028\u2029]+")


def has_control(text: str) -> bool:
    """Whether ``text`` holds any control character (line breaks and tabs included)."""
    return bool(_CONTROL.search(text))


def clean_line(value: object) -> object:
    """Single-line text as it may be stored: line breaks and tabs folded into one space, other control characters
    dropped. Anything that isn't text is returned unchanged (lists are cleaned item by item)."""
    if isinstance(value, list | tuple):
        return [clean_line(item) for item in value]
    if not isinstance(value, str):
        return value
    return _CONTROL.sub("", _FOLDED.sub(" ", value))


def clean_text(value: object) -> object:
    """Multi-line text as it may be stored: line breaks normalised to ``\\n``, tabs kept, other control characters
    dropped. Anything that isn't text is returned unchanged."""
    if isinstance(value, list | tuple):
        return [clean_text(item) for item in value]
    if not isinstance(value, str):
        return value
    text = value.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n\n")
    return _CONTROL_BUT_LINES.sub("", text)


def fit(text: str, length: int, ellipsis: str = "…") -> str:
    """``text`` cut to at most ``length`` characters (ending in ``ellipsis`` when cut), for composed strings that
    must fit a column (an e-mail subject built from names, a notification, an audit detail)."""
    if len(text) <= length:
        return text
    return text[: max(length - len(ellipsis), 0)] + ellipsis[:length]
