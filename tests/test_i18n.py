"""The language switch: Simplified Chinese by default, English on request (catalog completeness is tested elsewhere)."""

from __future__ import annotations

from parkportal.config import Defaults
from parkportal.extensions import db
from parkportal.models import User

from . import factories
from .conftest import AuthActions

ZH_NAME, EN_NAME = Defaults.PARK_NAME, Defaults.PARK_NAME_EN


def language_of(response) -> str:
    """The lang attribute of a page."""
    page = response.get_data(as_text=True)
    return "en" if '<html lang="en">' in page else "zh-CN" if '<html lang="zh-CN">' in page else "?"


def test_pages_are_chinese_by_default(client):
    """Without a choice the page declares zh-CN and uses the park's Chinese name."""
    response = client.get("/auth/login")
    page = response.get_data(as_text=True)
    assert language_of(response) == "zh-CN"
    assert ZH_NAME in page and EN_NAME not in page


def test_language_switch_by_post_lasts_for_the_session(client):
    """POST /language lang=en makes the following pages English, until switched back."""
    response = client.post("/language", data={"lang": "en", "next": "/auth/register"})
    assert response.status_code == 303 and response.headers["Location"] == "/auth/register"
    page = client.get("/auth/register")
    assert language_of(page) == "en"
    text = page.get_data(as_text=True)
    assert EN_NAME in text and "Register your enterprise" in text
    assert language_of(client.get("/")) == "en"
    client.post("/language", data={"lang": "zh_CN"})
    assert language_of(client.get("/")) == "zh-CN"


def test_lang_parameter_switches_one_request(client):
    """?lang=en shows that one page in English; the next page is back to the session's language."""
    assert language_of(client.get("/?lang=en")) == "en"
    assert EN_NAME in client.get("/?lang=en").get_data(as_text=True)
    assert language_of(client.get("/")) == "zh-CN"


def test_unknown_language_is_ignored(client):
    """A language the portal doesn't have changes nothing."""
    client.post("/language", data={"lang": "fr"})
    assert language_of(client.get("/?lang=de")) == "zh-CN"


def test_language_switch_does_not_redirect_off_site(client):
    """The switch returns to a page of this site only."""
    response = client.post("/language", data={"lang": "en", "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"


def test_signed_in_users_choice_is_remembered(app, client):
    """A signed-in user's choice is stored with the account and applies in their next session."""
    with app.app_context():
        user = factories.enterprise_user()
        db.session.commit()
        user_id, email = user.id, user.email
    AuthActions(client).login(email)
    client.post("/language", data={"lang": "en"})
    with app.app_context():
        assert db.session.get(User, user_id).locale == "en"
    other = app.test_client()
    AuthActions(other).login(email)
    assert language_of(other.get("/enterprises/mine")) == "en"


def test_the_switch_shows_the_current_language(client):
    """The footer switch marks the language in use and offers the other."""
    page = client.get("/?lang=en").get_data(as_text=True)
    assert 'value="en" class="outline secondary" aria-current="true" disabled' in page
    assert 'value="zh_CN" class="outline secondary">简体中文' in page


def test_switch_returns_to_the_page_without_a_lang_parameter(client):
    """Switching from a page opened with ?lang=en returns to it without the parameter, so the choice holds."""
    page = client.get("/auth/login?next=/notifications/&lang=en").get_data(as_text=True)
    assert 'name="next" value="/auth/login?next=%2Fnotifications%2F"' in page
    assert 'name="next" value="/"' in client.get("/?lang=en").get_data(as_text=True)


def test_template_strings_translate_format_and_escape_like_jinja_newstyle(app):
    """A template's ``_()``/``ngettext`` (bound once per render) translate in the render's language, escape the
    values, read ``%%`` as a percent sign, and an e-mail rendered inside ``force_locale`` speaks its own language."""
    from flask import render_template_string
    from flask_babel import force_locale

    source = (
        '{{ _("Sign in") }}|{{ _("%(name)s", name=value) }}|{{ _("100%%") }}|'
        '{{ ngettext("%(num)d download", "%(num)d downloads", 3) }}'
    )
    with app.test_request_context("/"):
        chinese = render_template_string(source, value="<b>")
        with force_locale("en"):
            english = render_template_string(source, value="<b>")
        again = render_template_string(source, value="<b>")
    assert chinese.split("|") == ["登录", "&lt;b&gt;", "100%", "3 次下载"]
    assert english.split("|") == ["Sign in", "&lt;b&gt;", "100%", "3 downloads"]
    assert again == chinese


def test_python_strings_follow_the_locale_as_it_changes(app):
    """``gettext`` in Python remembers the last catalogue, yet follows ``force_locale`` in and out, and each
    request's own language."""
    from flask_babel import force_locale, gettext

    with app.test_request_context("/"):
        assert gettext("Sign in") == "登录"
        with force_locale("en"):
            assert gettext("Sign in") == "Sign in"
        assert gettext("Sign in") == "登录"
    with app.test_request_context("/?lang=en"):
        assert gettext("Sign in") == "Sign in"
    with app.test_request_context("/"):
        assert gettext("Sign in") == "登录"
