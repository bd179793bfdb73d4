"""parkportal — 园区企业法律服务平台: the enterprise legal services portal of an industrial park."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click
from flask import Flask

from . import config as config_module

ROOT = Path(__file__).resolve().parent.parent


class Portal(Flask):
    """Flask, plus a base address for URLs built outside a request (cron jobs, the command line)."""

    def create_url_adapter(self, request):
        """Without a request and without ``SERVER_NAME``, build external URLs on ``PORTAL_URL``."""
        adapter = super().create_url_adapter(request)
        if adapter is None and request is None:
            base = urlsplit(self.config["PORTAL_URL"])
            adapter = self.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "https")
        return adapter


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the application: defaults → ``instance/config.py`` → environment → ``config``."""
    app = Portal(
        __name__,
        instance_path=str(ROOT / "instance"),
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    from .web import IdConverter

    app.url_map.converters["int"] = IdConverter
    app.config.from_object(config_module.Defaults)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_mapping(config_module.from_environment())
    if config:
        app.config.from_mapping(config)

    Path(app.instance_path).mkdir(exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + str(Path(app.instance_path) / "parkportal.sqlite3")
    if app.config["SESSION_COOKIE_SECURE"] is None:
        app.config["SESSION_COOKIE_SECURE"] = not (app.debug or app.testing)
    app.config["REMEMBER_COOKIE_SECURE"] = app.config["SESSION_COOKIE_SECURE"]
    _refuse_insecure_secret(app)

    if app.config.get("PROXY_FIX"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]

    from . import database, errors, i18n, ratelimit, security
    from .extensions import csrf, db, login_manager, migrate

    database.configure_engine_options(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    ratelimit.init_app(app)  # rate limits in the store RATELIMIT_STORAGE_URI names (the database by default)
    i18n.init_app(app)
    security.init_app(app)
    database.init_app(app)
    login_manager.init_app(app)
    errors.init_app(app)

    from .checkups import service as checkups
    from .coverage import rollup
    from .notify import outbox

    outbox.init_app(app)
    rollup.init_app(app)  # touch counts kept in step with every flush that writes a touch
    checkups.init_app(app)  # a finding's lawyer kept that of its booking

    from . import areas

    areas.register_blueprints(app)

    from . import cli, templating

    templating.init_app(app)
    cli.init_app(app)

    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO)

    from . import gc_freeze

    gc_freeze.init_app(app)  # last: what start-up built is frozen out of the garbage collector's scans
    return app


def _refuse_insecure_secret(app: Flask) -> None:
    """Refuse to serve with the built-in development secret outside debug and testing.

    Command-line tasks other than ``flask run`` sign nothing and may go on.
    """
    secret = app.config.get("SECRET_KEY")
    if app.debug or app.testing:
        return
    if secret and secret != config_module.DEV_SECRET_KEY and len(str(secret)) >= 16:
        return
    ctx = click.get_current_context(silent=True)
    if ctx is not None and ctx.info_name not in (None, "run"):
        return
    raise RuntimeError(
        "parkportal refuses to start without a real SECRET_KEY: set the SECRET_KEY environment variable "
        "or put SECRET_KEY = '…' (at least 16 random characters) in instance/config.py. "
        "`make run` writes one for you; in production use e.g. "
        "`python -c 'import secrets; print(secrets.token_hex(32))'`."
    )
