"""The app starts and its public pages answer."""

import os
import re
from datetime import timedelta

import pytest

from parkportal.timeutil import local_zone, parse_local_iso, utcnow


def test_home_page_in_chinese_by_default(client):
    """The home page speaks Simplified Chinese unless English is chosen."""
    response = client.get("/")
    assert response.status_code == 200
    assert 'lang="zh-CN"' in response.get_data(as_text=True)


def test_healthz(client):
    """/healthz reports the database."""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "db": "ok"}


def test_pages_declare_an_icon_that_exists(client):
    """Every page links a site icon that is served, so browsers don't log a 404 for /favicon.ico."""
    page = client.get("/").get_data(as_text=True)
    match = re.search(r'<link rel="icon" href="([^"]+)"', page)
    assert match, "no <link rel=icon>"
    icon = client.get(match.group(1))
    assert icon.status_code == 200
    assert icon.mimetype == "image/svg+xml"
    icon.close()


def test_shifted_clock_when_asked():
    """With PARKPORTAL_TEST_NOW the portal's clock runs from that moment (make test uses it for a second run)."""
    target = os.environ.get("PARKPORTAL_TEST_NOW")
    if not target:
        pytest.skip("PARKPORTAL_TEST_NOW not set")
    start = parse_local_iso(target)
    assert start <= utcnow() < start + timedelta(hours=1)
    assert utcnow().astimezone(local_zone()).utcoffset() == timedelta(hours=8)
