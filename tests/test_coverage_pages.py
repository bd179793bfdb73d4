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


def test_dashboard_shows_a_first_page_of_the_not_served_list_and_links_the_whole(app):
    """12 enterprises not served: the dashboard lists 10 with a next page and a link to the whole list, which shows
    all 12; both say 12."""
    from parkportal.coverage.views import DASHBOARD_PER_PAGE

    with app.app_context():
        for index in range(12):
            factories.enterprise(name=f"未服务{index:02d}")
        email = factories.staff().email
        db.session.commit()
    client = sign_in(app, email)
    period = "from=2025-01-01&to=2025-12-31"
    dashboard = client.get(f"/coverage/?{period}").get_data(as_text=True)
    assert dashboard.count("<tr data-enterprise-id=") == DASHBOARD_PER_PAGE == 10
    assert 'data-not-served-count="12"' in dashboard and 'rel="next"' in dashboard
    assert f'href="/coverage/not-served?{period}" role="button" class="secondary outline small" data-whole-list' in (
        dashboard.replace("&amp;", "&")
    )
    second = client.get(f"/coverage/?{period}&page=2").get_data(as_text=True)
    assert second.count("<tr data-enterprise-id=") == 2
    whole = client.get(f"/coverage/not-served?{period}").get_data(as_text=True)
    assert whole.count("<tr data-enterprise-id=") == 12 and 'data-not-served-count="12"' in whole
