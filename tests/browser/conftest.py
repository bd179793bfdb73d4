"""Browser tests: the real pages in Debian's headless Chromium through pytest-playwright.

The portal runs in a thread on a free loopback port, on the same test database, with CSRF on.
Screenshots go to ``test-artifacts/`` (kept by CI as artifacts).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from parkportal import create_app
from parkportal.extensions import db

from .. import factories
from ..conftest import TEST_SECRET

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def pytest_collection_modifyitems(config, items):
    """Mark every test here as a browser test; without Chromium skip them, unless CI requires them."""
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("PARKPORTAL_REQUIRE_BROWSER"):
        raise pytest.UsageError(f"{CHROMIUM} is missing but PARKPORTAL_REQUIRE_BROWSER is set")
    skip = pytest.mark.skip(reason=f"{CHROMIUM} not installed (apt-get install chromium fonts-noto-cjk)")
    for item in items:
        if "browser" in str(item.fspath):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Use Debian's Chromium (never `playwright install`), headless, with no background networking."""
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """Chinese pages in Shanghai time, like the portal's users."""
    return {**browser_context_args, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}


@pytest.fixture(scope="session")
def live_server(app):
    """The portal served on 127.0.0.1 in a background thread, sharing the test database; yields its URL."""
    live_app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "TESTING": True,
            "WTF_CSRF_ENABLED": True,
            "SECRET_KEY": TEST_SECRET,
            "RATELIMIT_ENABLED": False,
            "LIBRARY_STORAGE_DIR": app.config["LIBRARY_STORAGE_DIR"],
        }
    )
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)
    with live_app.app_context():
        db.engine.dispose()


@pytest.fixture
def screenshot(page):
    """Save a full-page screenshot under test-artifacts/; returns the path."""
    ARTIFACTS.mkdir(exist_ok=True)

    def take(name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def sign_in(page, base: str, email: str, password: str = factories.PASSWORD) -> None:
    """Sign in through the login form and wait until the portal has answered (the form is htmx-boosted)."""
    page.context.clear_cookies()
    page.goto(base + "/auth/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(lambda url: "/auth/login" not in url)
