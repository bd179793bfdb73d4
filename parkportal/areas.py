"""The registry of areas: the one list a new area is added to (see "Adding an area" in docs/architecture.md).

Each area is a package ``parkportal.<name>`` holding its blueprint ``bp`` (with its URL prefix), ``views.py``, forms
and domain functions, and optionally ``vocab.py``: its codes and labels, including ``AUDIT_ACTIONS`` and
``AUDIT_OBJECTS`` for the audit log. Templates see every area's vocabulary merged as ``catalog``.
"""

from __future__ import annotations

import importlib
from functools import cache
from types import ModuleType, SimpleNamespace

from flask import Flask

#: In navigation order.
AREAS = (
    "main",
    "auth",
    "enterprises",
    "availability",
    "bookings",
    "checkups",
    "events",
    "library",
    "coverage",
    "api",
    "notify",
    "admin",
)


def _modules(suffix: str = "") -> list[ModuleType]:
    """Each area's package (or its ``suffix`` submodule where the area has one)."""
    found = []
    for name in AREAS:
        try:
            found.append(importlib.import_module(f"parkportal.{name}{suffix}"))
        except ModuleNotFoundError as error:
            if error.name != f"parkportal.{name}{suffix}":
                raise
    return found


def register_blueprints(app: Flask) -> None:
    """Register every area's blueprint (each carries its own URL prefix) once its views have added their routes.

    An area's ``__init__`` only creates ``bp``; importing the package (or its ``vocab``) has no side effects, so
    models may use their area's vocabulary.
    """
    _modules(".views")
    for module in _modules():
        blueprint = getattr(module, "bp", None)
        if blueprint is not None:
            app.register_blueprint(blueprint)


@cache
def vocabulary() -> SimpleNamespace:
    """The shared vocabulary and every area's, as one namespace; dictionaries of the same name are merged.

    Built once per process (the vocabularies are constants of their modules; the audit log asks on every page).
    """
    from .core import vocab as shared

    merged: dict[str, object] = {}
    for module in [shared, *_modules(".vocab")]:
        for key, value in vars(module).items():
            if not key.isupper():
                continue
            if isinstance(value, dict) and isinstance(merged.get(key), dict):
                merged[key] = {**merged[key], **value}  # type: ignore[dict-item]
            else:
                merged[key] = value
    return SimpleNamespace(**merged)
