"""What every template can use: time filters, vocabulary labels, the navigation's counters."""

from __future__ import annotations

from datetime import date, datetime
from functools import partial
from urllib.parse import urlencode, urlsplit

from babel import Locale
from flask import Flask, current_app, g, request, url_for
from flask_babel import format_date, format_datetime, get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from jinja2 import pass_context
from jinja2.runtime import Context
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from . import areas
from .core import vocab
from .database import unavailable
from .extensions import db
from .i18n import format_list, template_gettext
from .timeutil import local_iso, local_zone, to_local


def _language(context: Context) -> object:
    """The Babel locale of the page being rendered: bound once per render by ``portal_context``; a macro imported
    without the context asks Flask-Babel."""
    language = context.get("babel_language", vocab.REQUEST_LANGUAGE)
    return get_locale() if language is vocab.REQUEST_LANGUAGE else language


@pass_context
def localtime(context: Context, value: datetime | None, fmt: str = "medium") -> str:
    """A stored (UTC) moment as Asia/Shanghai wall-clock date and time in the page's language."""
    if value is None:
        return ""
    if fmt == "time":  # digits only, the same in every language: no need for Babel (lists show hundreds)
        return to_local(value, context.get("display_zone")).strftime("%H:%M")
    if fmt == "date":
        return _formatted_date(to_local(value, context.get("display_zone")).date(), _language(context))
    if fmt == "short":
        return to_local(value, context.get("display_zone")).strftime("%Y-%m-%d %H:%M")
    return format_datetime(value, "medium")


#: Dates already written in a language and format: a list or a month shows the same few days many times, and
#: Babel formats slowly (~0.1 ms a date).
_dates: dict[tuple[date, object, str], str] = {}


def _formatted_date(day: date, language: object, fmt: str = "medium") -> str:
    """``day`` in the page's language (``language``, its Babel locale) and ``fmt`` (remembered per day, language and
    format)."""
    key = (day, language, fmt)
    text = _dates.get(key)
    if text is None:
        if len(_dates) >= 4096:
            _dates.clear()
        text = _dates[key] = format_date(day, fmt)
    return text


@pass_context
def localdate(context: Context, value: date | None, fmt: str = "medium") -> str:
    """A calendar date in the page's language, in a Babel format (``medium``, ``full``, a pattern), remembered."""
    if value is None:
        return ""
    return _formatted_date(value, _language(context), str(fmt))


def page_url(number: int, name: str = "page") -> str:
    """This page's URL with another page number (the query argument ``name``), keeping the filters.

    The query is appended as it came, never passed to ``url_for`` as keywords: names like ``_external``,
    ``_scheme``, ``_anchor`` or ``_method`` mean something to the URL builder, and a name equal to a URL variable
    would replace it.
    """
    args = [(key, value) for key, value in request.args.items(multi=True) if key != name]
    args.append((name, str(number)))
    return url_for(request.endpoint, **(request.view_args or {})) + "?" + urlencode(args)


def init_app(app: Flask) -> None:
    """Register filters, globals and the context processor."""
    app.jinja_env.filters["localtime"] = localtime
    app.jinja_env.filters["localdate"] = localdate
    app.jinja_env.filters["local_iso"] = local_iso
    app.jinja_env.filters["format_list"] = format_list
    app.jinja_env.globals["catalog"] = areas.vocabulary()
    app.jinja_env.globals["label"] = vocab.label
    app.jinja_env.globals["labels"] = vocab.labels
    app.jinja_env.globals["csrf_token"] = generate_csrf
    app.jinja_env.globals["page_url"] = page_url
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def portal_context():
        """The park's names in the page's language and the signed-in user's unread count."""
        config = current_app.config
        current = get_locale()
        # The configured code of the current language (Babel itself says zh_Hans_CN for zh_CN).
        locale = next(
            (code for code in config["LANGUAGES"] if current is not None and Locale.parse(code) == current),
            config["BABEL_DEFAULT_LOCALE"],
        )
        english = locale.startswith("en")
        return {
            "locale": locale,
            "park_name": config["PARK_NAME_EN"] if english else config["PARK_NAME"],
            "firm_name": config["PARTNER_FIRM_NAME_EN"] if english else config["PARTNER_FIRM_NAME"],
            "station_address": config["SERVICE_STATION_ADDRESS_EN"] if english else config["SERVICE_STATION_ADDRESS"],
            **_nav_counts(),
            "station_phone": config["SERVICE_STATION_PHONE"],
            "current_path": _current_path() if request else "/",
            **template_gettext(),
            # The page's language and time zone bound once for the labels and the date filters (each would ask
            # Flask-Babel and the configuration).
            "babel_language": current,
            "display_zone": local_zone(),
            "label": partial(vocab.label, language=current),
            "labels": partial(vocab.labels, language=current),
        }


def _current_path() -> str:
    """This page's path and query, without ``lang`` (the language switch returns here in the chosen language).

    A page shown again after a failed POST belongs to the URL the browser shows (htmx's ``HX-Current-URL``,
    else the referrer), not to the POST-only action, which would answer 405 to the switch's redirect.
    """
    if request.method != "GET":
        for source in (request.headers.get("HX-Current-URL"), request.referrer):
            path = _same_site_path(source)
            if path:
                return path
        return "/"
    args = [(key, value) for key, value in request.args.items(multi=True) if key != "lang"]
    return request.path + ("?" + urlencode(args) if args else "")


def _same_site_path(url: str | None) -> str | None:
    """The path and query of ``url`` when it points at this site, else None."""
    if not url:
        return None
    parts = urlsplit(url)
    if parts.netloc and parts.netloc != request.host:
        return None
    path = parts.path + ("?" + parts.query if parts.query else "")
    return path if path.startswith("/") and not path.startswith("//") else None


def _nav_counts() -> dict[str, int]:
    """The navigation's counters in one statement: the signed-in user's unread notifications and, for staff, the
    enterprises waiting for verification (0 for visitors, and when the query fails: the page, an error page
    included, still renders). A database that can't be reached or written is not hidden behind zeros, though: it
    makes the page a 503, whose own counters then give up quietly."""
    from .models import Enterprise, Notification

    counts = {"unread_count": 0, "pending_count": 0}
    try:
        if not getattr(current_user, "is_authenticated", False):
            return counts
        columns = [
            select(func.count())
            .select_from(Notification)
            .where(Notification.user_id == current_user.id, Notification.read_at.is_(None))
            .scalar_subquery()
        ]
        if current_user.is_staff:
            columns.append(
                select(func.count()).select_from(Enterprise).where(Enterprise.status == "pending").scalar_subquery()
            )
        found = db.session.execute(select(*columns)).one()
    except SQLAlchemyError as error:
        db.session.rollback()
        if unavailable(error) and not g.get("database_unavailable"):
            raise
        return counts
    counts["unread_count"] = found[0] or 0
    if len(found) > 1:
        counts["pending_count"] = found[1] or 0
    return counts
