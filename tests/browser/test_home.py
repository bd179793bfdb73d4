"""The home page renders in Chromium, in Chinese, with htmx loaded under the CSP."""

import pytest

pytestmark = pytest.mark.browser


def test_home_page_renders_in_chinese_with_htmx(page, live_server, screenshot):
    """The home page loads htmx (no CSP violation) and shows the park's name."""
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(live_server + "/")
    assert page.evaluate("typeof window.htmx") == "object"
    assert "富都江南新经济产业园" in page.content()
    assert screenshot("home").exists()
    assert not [e for e in errors if "Content Security Policy" in e], errors
