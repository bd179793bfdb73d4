"""The audit trail: who did what to which record, written with the request's one commit.

The actor is always passed in (``None`` for the system: cron jobs, the command line), so domain functions record
what they do without knowing about requests. What staff read is the action's label from the acting area's
vocabulary (``AUDIT_ACTIONS``), never the stored code.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import inspect

from ..extensions import db
from ..models import AuditLog, User


def record(action: str, obj: Any = None, *, actor: User | None, **details: Any) -> AuditLog:
    """Add an entry for ``action`` on ``obj`` by ``actor`` (flushed with the request's commit)."""
    entry = AuditLog(
        actor=actor,
        action=action,
        object_type=type(obj).__tablename__ if obj is not None else "system",
        object_id=_object_id(obj),
        details={key: _jsonable(value) for key, value in details.items()},
    )
    db.session.add(entry)
    return entry


def _object_id(obj: Any) -> int | None:
    """The record's primary key when it is one number (a lawyer profile's is its user's id), else ``None``."""
    if obj is None:
        return None
    key = inspect(obj).mapper.primary_key_from_instance(obj)
    return key[0] if len(key) == 1 and isinstance(key[0], int) else None


def _jsonable(value: Any) -> Any:
    """``value`` in a form the audit log's JSON column can hold."""
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, Iterable) and not isinstance(value, bytes | dict):
        return [_jsonable(item) for item in value]
    return str(value)
