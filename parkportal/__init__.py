"""parkportal — 园区企业法律服务平台: the enterprise legal services portal of an industrial park."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any
from urllib.parse import SplitResult, quote, urlsplit

import click
from flask import Flask
from flask.globals import _cv_request
from werkzeug.routing import BuildError, MapAdapter

from . import config as config_module

ROOT = Path(__file__).resolve().parent.parent


class NoPublicAddress(click.ClickException, RuntimeError):
    """The portal has no public address to build links on, or ``PORTAL_URL`` is not a full http(s) address.

    A ``RuntimeError``, so the factory refuses to serve with it; a ``click.ClickException``, so a command that would
    send a link ends with the message and exit status 1 instead of a traceback.
    """


MISSING_ADDRESS = (
    "parkportal has no public address to build links on (e-mails, calendar files, QR codes, the API): set "
    "PORTAL_URL to the address people open the portal at, e.g. PORTAL_URL=https://portal.example.cn in the "
    'environment or PORTAL_URL = "https://portal.example.cn" in instance/config.py (`make run` sets it for you).'
)

#: What Flask leaves unquoted in a URL's ``#anchor``.
ANCHOR_SAFE = "%!#$&'()*+,/:;=?@"


def _is_full_address(parts: SplitResult) -> bool:
    """Whether ``parts`` is an absolute http(s) address with a host (and a numeric port if any), no user name,
    query or fragment: something a link can be built on."""
    try:
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        return False
    plain = parts.username is None and not parts.query and not parts.fragment
    return parts.scheme in ("http", "https") and bool(parts.hostname) and plain


class Portal(Flask):
    """Flask whose every external URL is built on the portal's configured public address, never on a request's
    ``Host`` header: in a request or outside one, in Python (``url_for``) and in Jinja (whose ``url_for`` is this
    app's)."""

    def public_address(self) -> SplitResult:
        """The address every link that leaves the portal is built on (scheme, host and port, path).

        ``PORTAL_URL`` when set; else Flask's ``SERVER_NAME`` with ``PREFERRED_URL_SCHEME`` and ``APPLICATION_ROOT``;
        else, in debug and testing only, ``DEV_PORTAL_URL``. Raises :class:`NoPublicAddress` otherwise (production
        never guesses), and for a ``PORTAL_URL`` that is not an absolute http(s) address without query or fragment.
        """
        config = self.config
        if config.get("PORTAL_URL"):
            address = str(config["PORTAL_URL"]).strip()
        elif config.get("SERVER_NAME"):
            root = (config.get("APPLICATION_ROOT") or "/").rstrip("/")
            address = f"{config['PREFERRED_URL_SCHEME']}://{config['SERVER_NAME']}{root}"
        elif self.debug or self.testing:
            address = config_module.DEV_PORTAL_URL
        else:
            raise NoPublicAddress(MISSING_ADDRESS)
        parts = urlsplit(address)
        if not _is_full_address(parts):
            raise NoPublicAddress(
                f"PORTAL_URL must be the portal's full public address, like https://portal.example.cn, not {address!r}"
            )
        return parts

    def public_url_adapter(self) -> MapAdapter:
        """The URL map bound to :meth:`public_address` (raises :class:`NoPublicAddress` without one)."""
        address = self.public_address()
        return self.url_map.bind(address.netloc, script_name=address.path or "/", url_scheme=address.scheme)

    def create_url_adapter(self, request):
        """Outside a request, bind to the public address (None without one: :meth:`url_for` then says what to set)."""
        if request is not None:
            return super().create_url_adapter(request)
        try:
            return self.public_url_adapter()
        except NoPublicAddress:
            return None

    def url_for(self, /, endpoint: str, *, _anchor=None, _method=None, _scheme=None, _external=None, **values) -> str:
        """Build a URL as Flask does, except that an external one (asked for, or the default outside a request) is
        built on :meth:`public_address` — so no call site, template or API view can put a request's Host header in a
        link that leaves the portal. Paths inside a request are Flask's own (on the public address too when Flask
        refused the request's Host, ``TRUSTED_HOSTS``: its 400 page has links)."""
        request_context = _cv_request.get(None)  # what flask.request reads (a proxy costs µs on every page link)
        if _external is None:
            _external = _scheme is not None or request_context is None
        if not _external and request_context is not None and request_context.url_adapter is not None:
            return super().url_for(
                endpoint, _anchor=_anchor, _method=_method, _scheme=_scheme, _external=False, **values
            )
        if request_context is not None and endpoint[:1] == ".":
            blueprint = request_context.request.blueprint
            endpoint = f"{blueprint}{endpoint}" if blueprint else endpoint[1:]
        self.inject_url_defaults(endpoint, values)
        try:
            adapter = self.public_url_adapter()
            url = adapter.build(endpoint, values, method=_method, url_scheme=_scheme, force_external=_external)
        except BuildError as error:
            values.update(_anchor=_anchor, _method=_method, _scheme=_scheme, _external=_external)
            return self.handle_url_build_error(error, endpoint, values)
        return url if _anchor is None else f"{url}#{quote(_anchor, safe=ANCHOR_SAFE)}"


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
    _refuse_without_public_address(app)

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


def _refuse_without_public_address(app: Portal) -> None:
    """Refuse to serve outside debug and testing without a public address (``PORTAL_URL`` or ``SERVER_NAME``), and
    with a malformed ``PORTAL_URL`` in debug and testing too: links must never be guessed from a request.

    Command-line tasks other than ``flask run`` may go on; one that sends (``send-outbox``, ``send-reminders``) or
    builds a link then ends with the same message and exit status 1.
    """
    ctx = click.get_current_context(silent=True)
    if ctx is not None and ctx.info_name not in (None, "run"):
        return
    app.public_address()
