"""The Flask extensions, created once here and bound to an app in ``create_app``."""

from __future__ import annotations

from functools import cached_property

from flask import current_app, has_app_context
from flask_babel import Babel, Domain, get_locale
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    """Declarative base with named constraints, so migrations can alter them on every engine."""

    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()


class RememberingDomain(Domain):
    """Flask-Babel's message domain, remembering the catalogue of the last language asked for.

    Flask-Babel looks the catalogue up by the locale's name on every ``gettext`` (forms' lazy labels, flash
    messages, vocabulary): ~20 µs a string. The same locale object (one per request, or per ``force_locale``)
    gets the same catalogue, so it is kept with that object and looked up again only when the locale changes.
    """

    _last: tuple[object, object] | None = None

    def get_translations(self):
        """The catalogue of the current locale (Flask-Babel's, remembered per locale object)."""
        locale = get_locale()
        last = self._last  # one read: another thread may replace it, never half of it
        if last is not None and last[0] is locale:
            return last[1]
        translations = super().get_translations()
        self._last = (locale, translations)
        return translations


class PortalBabel(Babel):
    """Flask-Babel with the remembering domain."""

    @cached_property
    def domain_instance(self):
        """The message domain of the translations (``RememberingDomain``)."""
        return RememberingDomain(domain=self.domain)


babel = PortalBabel()


class AppLimiter(Limiter):
    """Flask-Limiter, with ``RATELIMIT_ENABLED`` read from the app that handles the request.

    Flask-Limiter keeps ``enabled`` on the extension object, which every app of the process shares, so the
    app created last would switch rate limiting on or off for all of them (and an app created disabled would
    never install its hooks). Here each app's own configuration decides, per request.
    """

    @property
    def enabled(self) -> bool:  # type: ignore[override]
        """The current app's ``RATELIMIT_ENABLED``; outside an app always set up fully."""
        if has_app_context():
            return bool(current_app.config.get("RATELIMIT_ENABLED", True))
        return True

    @enabled.setter
    def enabled(self, value: bool) -> None:
        """Ignored: the app's configuration decides (see ``enabled``)."""


limiter = AppLimiter(key_func=get_remote_address, default_limits=[])
