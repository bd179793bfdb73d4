"""Language: Simplified Chinese by default, English on request; every user-facing string goes through Babel."""

from __future__ import annotations

from collections.abc import Iterable

from babel.lists import format_list as babel_format_list
from flask import Flask, current_app, has_request_context, request, session
from flask_babel import get_locale, get_translations
from flask_login import current_user
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from .extensions import babel


def select_locale() -> str:
    """``?lang=`` for this request, else the language chosen in this session, else the user's, else zh_CN."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # command-line tasks (send-reminders, seed-demo) speak the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    for candidate in (
        request.args.get("lang"),
        session.get("lang"),
        getattr(current_user, "locale", None) if current_user else None,
    ):
        if candidate in languages:
            return candidate
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def format_list(items: Iterable[object], style: str = "standard") -> str:
    """Join ``items`` the way the page's language does: "a, b, and c" in English, "甲、乙和丙" in Chinese.

    ``style="or"`` for alternatives ("a, b, or c" / "甲、乙或丙"). Never join translated words with a
    hard-coded separator: each language has its own.
    """
    return babel_format_list([str(item) for item in items], style=style, locale=get_locale())


def template_gettext() -> dict[str, object]:
    """``gettext``/``ngettext`` for one template render, bound to the catalogue of the language it renders in.

    Flask-Babel's own template callables look the language and catalogue up again for every string (~20 µs
    each, through several context-local proxies); a page shows a hundred or more strings. A render happens in one
    language (an e-mail in another language is its own render, inside ``force_locale``), so the catalogue is
    looked up once. They behave as Jinja's "newstyle" callables: the text is a format string, always (``%%`` is
    a percent sign, with or without variables).
    """
    translations = get_translations()

    @pass_context
    def gettext(context: Context, string: str, **variables: object) -> str:
        text = translations.ugettext(string)
        if context.eval_ctx.autoescape:
            text = Markup(text)
        return text % variables if variables or "%" in text else text

    @pass_context
    def ngettext(context: Context, singular: str, plural: str, num: int, **variables: object) -> str:
        variables.setdefault("num", num)
        text = translations.ungettext(singular, plural, num)
        if context.eval_ctx.autoescape:
            text = Markup(text)
        return text % variables

    return {"gettext": gettext, "ngettext": ngettext}


def init_app(app: Flask) -> None:
    """Bind Flask-Babel with the locale selector and a fixed display timezone."""
    babel.init_app(
        app,
        locale_selector=select_locale,
        timezone_selector=lambda: app.config["DISPLAY_TIMEZONE"],
    )
