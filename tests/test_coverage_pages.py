"""The coverage pages at scale: an enterprise's timeline pages its touches (newest first, none lost or repeated)
with its touches per year and channel above; the not-yet-served list's total comes from the cached figures."""

from __future__ import annotations

import re
from datetime import date, timedelta

from parkportal.coverage.views import TIMELINE_PER_PAGE
from parkportal.extensions import db

from . import coverage_support as park
from . import factories
from .conftest import sign_in


def test_timeline_pages_every_touch_newest_first_with_the_years_above(app):
    """55 consultations over two years: page 1 shows the newest 50, page 2 the other 5; the years table adds up."""
    with app.app_context():
        enterprise = factories.enterprise(name="甲 软件")
        first = date(2024, 12, 1)
        for index in range(TIMELINE_PER_PAGE + 5):
            park._done(enterprise, park.local(first + timedelta(days=index)))
        email = factories.staff().email
        db.session.commit()
        enterprise_id = enterprise.id
    client = sign_in(app, email)
    one = client.get(f"/coverage/enterprises/{enterprise_id}").get_data(as_text=True)
    two = client.get(f"/coverage/enterprises/{enterprise_id}?page=2").get_data(as_text=True)
    days = [re.findall(r'<li data-channel="consultation" data-day="([\d-]+)"', html) for html in (one, two)]
    assert len(days[0]) == TIMELINE_PER_PAGE and len(days[1]) == 5
    every = days[0] + days[1]
    assert every == sorted(every, reverse=True) and len(set(every)) == TIMELINE_PER_PAGE + 5
    assert every[-1] == "2024-12-01"
    assert 'rel="next"' in one and 'rel="prev"' in two and 'rel="next"' not in two
    totals = dict(re.findall(r'<tr data-year="(\d{4})">.*?<td data-total>(\d+)</td>', one))
    assert totals == {"2025": "24", "2024": "31"}


def test_not_served_page_counts_roster_less_served(app):
    """The list's own page says how many active enterprises weren't served (roster − served), without a search."""
    with app.app_context():
        park.seed()
        email = factories.staff().email
        db.session.commit()
    html = sign_in(app, email).get("/coverage/not-served?from=2025-01-01&to=2025-12-31").get_data(as_text=True)
    assert 'data-not-served-count="3"' in html
