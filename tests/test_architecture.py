"""The layers stay apart: the kernel and every area's domain modules know nothing of requests or views.

Read with ``ast`` from the source, so an import inside a function counts too. The domain layer is
``parkportal/core/`` and each area's ``service.py``, ``queries.py``, ``slots.py`` and ``vocab.py``; it may not
import Flask-Login, Flask's request globals (``request``, ``session``, ``g``), ``parkportal.web`` or any views
module. The kernel (``core/``) imports no area at all.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import parkportal
from parkportal.areas import AREAS

PACKAGE = Path(parkportal.__file__).parent
DOMAIN_NAMES = ("service.py", "queries.py", "slots.py", "vocab.py")
FLASK_GLOBALS = {"request", "session", "g"}


def kernel_modules() -> list[Path]:
    """Every module of ``parkportal/core/``."""
    return sorted((PACKAGE / "core").rglob("*.py"))


def domain_modules() -> list[Path]:
    """The kernel and every area's domain modules."""
    areas = [path for name in AREAS for path in sorted((PACKAGE / name).glob("*.py")) if path.name in DOMAIN_NAMES]
    return kernel_modules() + areas


def imports(path: Path) -> list[tuple[str, str | None]]:
    """(module, imported name or None) for each import in ``path``, relative imports made absolute."""
    package = ".".join(("parkportal", *path.parent.relative_to(PACKAGE).parts))
    return imports_in(path.read_text(encoding="utf-8"), package)


def imports_in(source: str, package: str) -> list[tuple[str, str | None]]:
    """(module, imported name or None) for each import in ``source``, a module of ``package``."""
    found: list[tuple[str, str | None]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(alias.name, None) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            module = ".".join(part for part in (base, node.module) if part)
            found += [(module, alias.name) for alias in node.names]
    return found


def forbidden(module: str, name: str | None) -> str | None:
    """Why importing ``name`` from ``module`` is not allowed in the domain layer, else ``None``."""
    full = f"{module}.{name}" if name else module
    if module.split(".")[0] == "flask_login":
        return "Flask-Login (pass the acting user in)"
    if module == "flask" and name in FLASK_GLOBALS:
        return f"flask.{name} (a request global)"
    if full == "parkportal.web" or module.startswith("parkportal.web"):
        return "parkportal.web (the view layer)"
    if full.endswith(".views") or ".views." in full:
        return "an area's views"
    return None


def rel(path: Path) -> str:
    """``path`` relative to the repository."""
    return str(path.relative_to(PACKAGE.parent))


@pytest.mark.parametrize("path", domain_modules(), ids=rel)
def test_the_domain_layer_imports_nothing_of_the_web_layer(path):
    """No kernel or domain module imports Flask-Login, request/session/g, parkportal.web or views."""
    problems = [f"{module} {name or ''}: {why}" for module, name in imports(path) if (why := forbidden(module, name))]
    assert not problems, f"{rel(path)} imports {problems}"


@pytest.mark.parametrize("path", kernel_modules(), ids=rel)
def test_the_kernel_imports_no_area(path):
    """core/ is shared by every area, so it depends on none of them."""
    areas = {f"parkportal.{name}" for name in AREAS}
    used = [module for module, name in imports(path) for full in (module, f"{module}.{name}") if full in areas]
    used += [module for module, _name in imports(path) if any(module.startswith(area + ".") for area in areas)]
    assert not used, f"{rel(path)} imports the area(s) {sorted(set(used))}"


def test_the_checks_see_the_kinds_of_import_they_forbid():
    """(self-check) current_user, request, web and views are caught, relative or absolute, inside a function too."""
    source = (
        "from flask import current_app, request\n"
        "from flask_login import current_user\n"
        "from ..web import actor\n"
        "def f():\n"
        "    from . import views\n"
        "    import parkportal.admin.views\n"
    )
    reasons = [forbidden(module, name) for module, name in imports_in(source, "parkportal.bookings")]
    assert reasons[0] is None and all(reasons[1:]) and len(reasons) == 6, reasons
