"""A form that fails validation is shown again at the page's own URL, never at its POST-only action."""

from __future__ import annotations

import re

NEXT = re.compile(r'name="next" value="([^"]*)"')
BOOSTED = {"HX-Request": "true", "HX-Boosted": "true"}


def test_failed_boosted_post_keeps_the_address_bar_and_the_language_switch_on_the_page(lawyer_client):
    """After a 422 from a boosted form htmx doesn't push the action URL, and the switch returns to the page."""
    page = "http://portal.test/availability"
    response = lawyer_client.post("/availability/rules", data={}, headers={**BOOSTED, "HX-Current-URL": page})
    assert response.status_code == 422
    assert response.headers["HX-Push-Url"] == "false"
    assert NEXT.search(response.get_data(as_text=True)).group(1) == "/availability"


def test_failed_plain_post_sends_the_language_switch_back_to_the_referring_page(lawyer_client):
    """Without htmx the referrer names the page; a foreign referrer falls back to the home page."""
    response = lawyer_client.post(
        "/availability/rules", data={}, headers={"Referer": "http://portal.test/availability?x=1"}
    )
    assert response.status_code == 422
    assert NEXT.search(response.get_data(as_text=True)).group(1) == "/availability?x=1"
    response = lawyer_client.post("/availability/rules", data={}, headers={"Referer": "https://evil.example/"})
    assert NEXT.search(response.get_data(as_text=True)).group(1) == "/"


def test_pages_fetched_with_get_still_push_their_url(lawyer_client):
    """A GET page answers without HX-Push-Url, so boosted navigation updates the address bar as usual."""
    response = lawyer_client.get("/availability", headers=BOOSTED)
    assert response.status_code == 200
    assert "HX-Push-Url" not in response.headers
    assert NEXT.search(response.get_data(as_text=True)).group(1) == "/availability"
