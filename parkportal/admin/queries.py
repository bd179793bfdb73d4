"""The audit log as staff read it: filtered entries, and each entry told as a sentence with a link to its object."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from ..areas import vocabulary
from ..core import vocab
from ..core.errors import Invalid
from ..core.parsing import date_range, next_day, parse_datetime, parse_id
from ..core.search import contains
from ..extensions import db
from ..models import AuditLog, User
from ..timeutil import local_datetime, to_local


@dataclass
class AuditFilters:
    """What the audit log is narrowed to (all empty: everything)."""

    person: str = ""
    action: str = ""
    object_type: str = ""
    object_id: int | None = None
    start: Any = None
    end: Any = None
    problems: dict[str, str] = field(default_factory=dict)


def read_filters(args) -> AuditFilters:
    """Filters from the query string; unusable values are dropped with a message naming the field."""
    catalog = vocabulary()
    filters = AuditFilters(person=(args.get("person") or "").strip()[:100])
    if args.get("action") in catalog.AUDIT_ACTIONS:
        filters.action = args["action"]
    if args.get("object") in catalog.AUDIT_OBJECTS:
        filters.object_type = args["object"]
    if args.get("object_id"):
        filters.object_id = parse_id(args["object_id"])
        if filters.object_id is None:
            filters.problems["object_id"] = _("Enter the record's number, e.g. 12.")
    if args.get("from") or args.get("to"):
        try:
            filters.start, filters.end = date_range(args.get("from"), args.get("to"), (None, None))
        except Invalid as error:
            filters.problems[error.field or "from"] = error.message
    return filters


def entries(filters: AuditFilters) -> Select:
    """The matching entries, newest first, with their actors loaded."""
    query = select(AuditLog).options(selectinload(AuditLog.actor)).order_by(AuditLog.id.desc())
    if filters.person:
        people = select(User.id).where(contains(filters.person, User.name, User.email))
        query = query.where(AuditLog.actor_id.in_(people))
    if filters.action:
        query = query.where(AuditLog.action == filters.action)
    if filters.object_type:
        query = query.where(AuditLog.object_type == filters.object_type)
    if filters.object_id is not None:
        query = query.where(AuditLog.object_id == filters.object_id)
    if filters.start is not None:
        query = query.where(AuditLog.created_at >= local_datetime(filters.start, time()))
    if filters.end is not None:
        query = query.where(AuditLog.created_at < local_datetime(next_day(filters.end), time()))
    return query


@dataclass
class Line:
    """One entry told for people: what happened, to what (with a link when there is a page), and the particulars."""

    entry: AuditLog
    action: str
    target: str
    link: tuple[str, dict] | None
    particulars: list[tuple[str, str]]


def describe(page_items: list[AuditLog], names: dict[int, str]) -> list[Line]:
    """The entries as lines; ``names`` maps the user ids mentioned in details to names (loaded once per page)."""
    catalog = vocabulary()
    lines = []
    for entry in page_items:
        target = vocab.label(catalog.AUDIT_OBJECTS, entry.object_type)
        if entry.object_id:
            target = _("%(object)s #%(id)d", object=target, id=entry.object_id)
        endpoint = catalog.AUDIT_LINKS.get(entry.object_type)
        link = (endpoint[0], {endpoint[1]: entry.object_id}) if endpoint and entry.object_id else None
        particulars = [
            (vocab.label(catalog.AUDIT_DETAILS, key), _value(key, value, names, catalog))
            for key, value in (entry.details or {}).items()
            if key in catalog.AUDIT_DETAILS
        ]
        lines.append(Line(entry, vocab.label(catalog.AUDIT_ACTIONS, entry.action), target, link, particulars))
    return lines


def mentioned_users(page_items: list[AuditLog]) -> list[int]:
    """User ids that details name (``lawyer_id``), to load their names in one query."""
    return sorted(
        {v for e in page_items for k, v in (e.details or {}).items() if k == "lawyer_id" and isinstance(v, int)}
    )


def user_names(ids: list[int]) -> dict[int, str]:
    """The names of the users with ``ids``, in one query."""
    if not ids:
        return {}
    return {ident: name for ident, name in db.session.execute(select(User.id, User.name).where(User.id.in_(ids)))}


def _value(key: str, value: Any, names: dict[int, str], catalog) -> str:
    """A detail's value for people: names for ids, labels for codes, local time for moments, 是/否 for flags."""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if key == "lawyer_id" and isinstance(value, int):
        return names.get(value, f"#{value}")
    if isinstance(value, list):
        return "、".join(_value(key, item, names, catalog) for item in value)
    if isinstance(value, str):
        if value in catalog.AUDIT_VALUES:
            return vocab.label(catalog.AUDIT_VALUES, value)
        moment = parse_datetime(value) if "T" in value else None
        if moment is not None and moment.tzinfo is not None:
            return to_local(moment).strftime("%Y-%m-%d %H:%M")
    return str(value)
