"""Configuration: built-in defaults, then ``instance/config.py``, then the environment, then the test mapping.

Everything an operator may want to change is a key here; the park's names, the partner firm and the
coverage target are configuration, not code.
"""

from __future__ import annotations

import os
from typing import Any

#: Keys that may be set from environment variables of the same name (``DATABASE_URL`` is special-cased).
ENV_KEYS: dict[str, type] = {
    "SECRET_KEY": str,
    "PARK_NAME": str,
    "PARK_NAME_EN": str,
    "PARK_LOCATION": str,
    "PARTNER_FIRM_NAME": str,
    "PARTNER_FIRM_NAME_EN": str,
    "SERVICE_STATION_ADDRESS": str,
    "SERVICE_STATION_ADDRESS_EN": str,
    "SERVICE_STATION_PHONE": str,
    "COVERAGE_TARGET": int,
    "MAIL_SERVER": str,
    "MAIL_PORT": int,
    "MAIL_USERNAME": str,
    "MAIL_PASSWORD": str,
    "MAIL_USE_TLS": bool,
    "MAIL_USE_SSL": bool,
    "MAIL_DEFAULT_SENDER": str,
    "RATELIMIT_STORAGE_URI": str,
    "RATELIMIT_ENABLED": bool,
    "API_TOKEN_RATE_LIMIT": str,
    "BOOKING_LEAD_TIME_HOURS": float,
    "BOOKING_HORIZON_DAYS": int,
    "CANCELLATION_CUTOFF_HOURS": float,
    "REMINDER_HOURS_BEFORE": float,
    "EVENT_REMINDER_HOURS_BEFORE": float,
    "EVENT_CHECKIN_LINK_HOURS": float,
    "SESSION_COOKIE_SECURE": bool,
    "PREFERRED_URL_SCHEME": str,
    "SERVER_NAME": str,
    "PORTAL_URL": str,
    "TRUSTED_HOSTS": list,
    "OUTBOX_MAX_ATTEMPTS": int,
    "OUTBOX_SEND_AFTER_REQUEST": bool,
    "PROXY_FIX": bool,
    "LIBRARY_MAX_UPLOAD_MB": float,
    "LIBRARY_STORAGE_DIR": str,
    "GC_FREEZE_AFTER_REQUESTS": int,
    "DATABASE_RETRY_AFTER": int,
    "HEALTHZ_WRITE_INTERVAL": float,
    "ROSTER_MAX_ROWS": int,
    "ROSTER_MAX_COLUMNS": int,
    "ROSTER_MAX_CELL_CHARS": int,
    "ROSTER_MAX_MB": float,
    "ROSTER_MAX_ZIP_RATIO": float,
    "ROSTER_READ_SECONDS": float,
}

#: Placeholder secret that is fine for ``make run`` on a laptop and refused in production.
DEV_SECRET_KEY = "dev-only-insecure-secret-key"

#: The public address of debug and test apps that configure none (``flask run``'s default address); production
#: has no such fallback and refuses to start without ``PORTAL_URL`` (or ``SERVER_NAME``).
DEV_PORTAL_URL = "http://127.0.0.1:5000"


class Defaults:
    """Built-in defaults. Every key is documented in README.md."""

    SECRET_KEY = DEV_SECRET_KEY
    SQLALCHEMY_DATABASE_URI: str | None = None  # filled in by create_app: instance/parkportal.sqlite3
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = {}

    # The park and its partner firm (the pilot: 富都江南新经济产业园, 五星街道, 钟楼区, 常州).
    PARK_NAME = "富都江南新经济产业园"
    PARK_NAME_EN = "Fudu Jiangnan New Economy Industrial Park"
    PARK_LOCATION = "常州市钟楼区五星街道"
    PARTNER_FIRM_NAME = "江苏常新律师事务所"
    PARTNER_FIRM_NAME_EN = "Jiangsu Changxin Law Firm"
    SERVICE_STATION_ADDRESS = "园区综合服务中心一楼 法治服务站"
    SERVICE_STATION_ADDRESS_EN = "Legal service station, ground floor of the park service centre"
    #: The station's phone, shown wherever the portal asks people to call the station.
    SERVICE_STATION_PHONE = "0519-8518 6110"
    #: The portal's public address (e.g. ``https://portal.example.cn``): every link that leaves the portal (e-mail,
    #: ``.ics``, QR code, API) is built on it, never on a request's Host header; required outside debug and testing
    #: (``Portal.public_address``; ``SERVER_NAME`` with ``PREFERRED_URL_SCHEME`` serves when it is unset).
    PORTAL_URL: str | None = None
    #: Host names requests may name (Werkzeug's check; others answer 400), e.g. ``["portal.example.cn"]``; None:
    #: any. Links never depend on it.
    TRUSTED_HOSTS: list[str] | None = None
    COVERAGE_TARGET = 70

    # Bookings.
    BOOKING_LEAD_TIME_HOURS = 2.0
    BOOKING_HORIZON_DAYS = 60
    CANCELLATION_CUTOFF_HOURS = 4.0
    REMINDER_HOURS_BEFORE = 24.0

    # Events.
    EVENT_REMINDER_HOURS_BEFORE = 24.0  # send-reminders reminds registered enterprises this long before an event
    EVENT_CHECKIN_LINK_HOURS = 12.0  # a registration's QR check-in link works until this long after the event ends
    DISPLAY_TIMEZONE = "Asia/Shanghai"

    # Library (legal practice compilations).
    LIBRARY_MAX_UPLOAD_MB = 20  # largest compilation file (PDF, DOCX, XLSX); the upload route allows this much
    LIBRARY_STORAGE_DIR: str | None = None  # where the files live; None = instance/library/

    # The park's roster (import-roster and the staff import page): what one file may hold, checked before and while
    # it is read, so that no file can exhaust a worker (core/spreadsheet.py).
    ROSTER_MAX_ROWS = 50_000  # data rows (a district is ~10,000 enterprises)
    ROSTER_MAX_COLUMNS = 30  # the seven roster columns and the notes people keep beside them
    ROSTER_MAX_CELL_CHARS = 2_000  # one cell's text (the longest roster field holds 200)
    ROSTER_MAX_MB = 32  # a CSV file; a workbook's content unzipped; the text of all its cells
    ROSTER_MAX_ZIP_RATIO = 100  # a workbook's unzipped size ÷ its file size (Excel's are ~5–15)
    ROSTER_READ_SECONDS = 30  # reading and checking one file

    # Language.
    BABEL_DEFAULT_LOCALE = "zh_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = {"zh_CN": "简体中文", "en": "English"}

    # Mail: without MAIL_SERVER, messages are written to the log instead of sent.
    MAIL_SERVER: str | None = None
    MAIL_PORT = 25
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_DEFAULT_SENDER = "法治服务站 <no-reply@parkportal.local>"
    OUTBOX_MAX_ATTEMPTS = 5
    #: Deliver queued e-mails right after each request (``make run`` turns it on, so e-mails reach the log without
    #: a separate ``send-outbox``); production leaves it off and runs ``send-outbox`` from a timer.
    OUTBOX_SEND_AFTER_REQUEST = False

    # Security.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE: bool | None = None  # None: Secure outside debug/testing
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PASSWORD_RESET_MAX_AGE = 3600
    INVITATION_MAX_AGE = 7 * 24 * 3600
    LOGIN_LINK_MAX_AGE = 15 * 60  # a one-time sign-in link (offered while sign-in is throttled) is valid this long
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    RATELIMIT_ENABLED = True
    #: Where the limits are counted: "database://" (the portal's database: every worker and host that shares it),
    #: "redis://host:6379/0" (Redis; the redis extra), or "memory://" (each process on its own: one worker only).
    RATELIMIT_STORAGE_URI = "database://"
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = "5 per minute"  # failed sign-ins per client address
    LOGIN_ACCOUNT_RATE_LIMIT = "20 per hour"  # failed sign-ins per account, from any number of addresses
    LOGIN_LINK_RATE_LIMIT = "5 per hour"  # one-time sign-in links asked for, per client address and per account
    PASSWORD_RESET_RATE_LIMIT = "10 per hour"  # password-reset links asked for, per client address and per account
    REGISTER_RATE_LIMIT = "20 per hour"  # refused registrations per client address (probing for known addresses)
    API_TOKEN_RATE_LIMIT = "10 per minute"  # refused API tokens (missing, wrong, revoked) per client address
    PROXY_FIX = False

    # Serving.
    DATABASE_RETRY_AFTER = 30  # seconds a 503 for a database that can't be reached or written asks clients to wait
    HEALTHZ_WRITE_INTERVAL = 10.0  # /healthz really writes at most this often per process (0: on every request)
    GC_FREEZE_AFTER_REQUESTS = 200  # freeze the warmed-up process out of the collector's scans (0: never; gc_freeze)


def _parse(kind: type, raw: str) -> Any:
    if kind is bool:
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if kind is list:
        return [item.strip() for item in raw.split(",") if item.strip()]
    return kind(raw)


def from_environment(environ: os._Environ[str] | dict[str, str] | None = None) -> dict[str, Any]:
    """Return the configuration keys set in the environment, parsed to their types."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for key, kind in ENV_KEYS.items():
        if key in environ and environ[key] != "":
            values[key] = _parse(kind, environ[key])
    if environ.get("DATABASE_URL"):
        values["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(environ["DATABASE_URL"])
    return values


def normalise_database_url(url: str) -> str:
    """Accept ``postgres://`` and ``postgresql://`` URLs and use the psycopg 3 driver for them."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url
