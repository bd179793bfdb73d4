"""The Flask extensions, created once here and bound to an app in ``create_app``."""

from __future__ import annotations

from flask import current_app, has_app_context
from flask_babel import Babel
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
babel = Babel()


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
