"""Coverage: every figure of the dashboard equals the count worked out by hand from the seeded rows; served counts
an enterprise once; archived enterprises leave the denominator; the period is checked; staff only."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import event, select

from parkportal.coverage import metrics, touches
from parkportal.extensions import db
from parkportal.models import Need

from . import coverage_support as park
from . import factories
from .conftest import sign_in

PERIOD = "from=2025-01-01&to=2025-12-31"


@pytest.fixture
def seeded(app):
    """The seeded park, committed; returns its enterprise ids by letter."""
    with app.app_context():
        seeded = park.seed()
        db.session.commit()
        return seeded.ids


def test_touches_union_yields_each_touch_with_channel_and_local_day(ctx, seeded):
    """The union has one row per touch of 2025, on the local day (a booking at 01:00 on New Year's Day counts)."""
    touch = touches.touches(park.START, park.END)
    rows = db.session.execute(select(touch.c.enterprise_id, touch.c.channel, touch.c.day)).all()
    assert len(rows) == sum(park.EXPECTED["touches"].values())
    assert (seeded["H"], "consultation", "2025-01-01") in rows
    assert all(row.enterprise_id != seeded["I"] for row in rows)  # 2026-01-01 00:30 local
    assert {row.day for row in rows if row.channel == "printed"} == {"2025-07-01"}


def test_summary_matches_the_hand_computed_figures(ctx, seeded):
    """Roster, served, rate, touches per channel, events, people, copies and ratings equal the hand counts."""
    s = metrics.summary(park.START, park.END, 70)
    expected = park.EXPECTED
    assert (s.roster, s.served) == (expected["roster"], expected["served"])
    assert s.rate == pytest.approx(5 / 8)
    assert s.touches == expected["touches"]
    assert (s.events_held, s.people_reached, s.copies_distributed) == (2, 5, 21)
    assert (s.booking_rating.count, s.booking_rating.total) == expected["booking_rating"]
    assert (s.event_rating.count, s.event_rating.total) == expected["event_rating"]
    assert s.rating.average == pytest.approx(12 / 3)


def test_breakdowns_match_the_hand_computed_figures(ctx, seeded):
    """Months (served, touches), industries (roster, served, touches), topics (demand beside supply) and the
    not-yet-served list equal the hand counts."""
    months = {m.month: (m.served, m.total) for m in metrics.monthly(park.START, park.END)}
    for month, figures in park.EXPECTED["months"].items():
        assert months[month] == figures, month
    assert months["2025-12"] == (0, 0)
    industries = {i.code: (i.roster, i.served, i.touches) for i in metrics.by_industry(park.START, park.END)}
    assert industries == park.EXPECTED["industries"]
    topics = {t.code: t for t in metrics.by_topic(park.START, park.END)}
    for code, supply in park.EXPECTED["supply"].items():
        assert topics[code].supply == supply, code
    for code, demand in park.EXPECTED["demand"].items():
        assert topics[code].needs == demand, code
    missing = {e.id for e in db.session.scalars(metrics.not_served(park.START, park.END))}
    assert missing == {seeded[letter] for letter in park.EXPECTED["not_served"]}
    last = metrics.last_touch(sorted(missing))
    assert last == {seeded["F"]: "2024-11-11", seeded["I"]: "2026-01-01"}


def test_served_counts_an_enterprise_once_and_archiving_leaves_the_denominator(ctx, seeded):
    """More touches of a served enterprise don't change served; archiving one removes it from roster and served."""
    from parkportal.enterprises.service import set_status
    from parkportal.models import Enterprise

    a = db.session.get(Enterprise, seeded["A"])
    factories.appointment(enterprise=a, start=park.local(park.START.replace(month=8)), status="completed")
    assert metrics.served_count(park.START, park.END) == 5
    set_status(a, "archived", None)
    assert (metrics.roster_count(), metrics.served_count(park.START, park.END)) == (7, 4)


def _number(html: str, pattern: str) -> int:
    found = re.search(pattern, html, re.S)
    assert found, pattern
    return int(found.group(1))


def test_dashboard_shows_every_figure_of_the_seeded_park(app, seeded):
    """The page's numbers are the hand counts: headline, channels, months, industries, topics, not-served list."""
    with app.app_context():
        email = factories.staff().email
        db.session.commit()
    client = sign_in(app, email)
    html = client.get(f"/coverage/?{PERIOD}").get_data(as_text=True)
    assert _number(html, r'data-figure="served">.*?<span data-value>(\d+)</span> / 8') == 5
    assert _number(html, r'data-figure="events">.*?data-value>(\d+)<') == 2
    assert _number(html, r'data-figure="people" data-value>(\d+)<') == 5
    assert _number(html, r'data-figure="consultations">.*?data-value>(\d+)<') == 4
    assert _number(html, r'data-figure="checkups" data-value>(\d+)<') == 1
    assert _number(html, r'data-figure="copies">.*?data-value>(\d+)<') == 21
    assert 'data-figure="rating">' in html and ">4.00<" in html
    for code, count in park.EXPECTED["touches"].items():
        assert _number(html, rf'data-channel="{code}">.*?<td data-value>(\d+)<') == count
    for month, (served, total) in park.EXPECTED["months"].items():
        assert _number(html, rf'data-month="{month}">.*?data-served>(\d+)<') == served
        assert _number(html, rf'data-month="{month}">.*?data-total>(\d+)<') == total
    for code, (roster, served, count) in park.EXPECTED["industries"].items():
        assert _number(html, rf'data-industry="{code}">.*?data-roster>(\d+)<') == roster
        assert _number(html, rf'data-industry="{code}">.*?data-served>(\d+)<') == served
        assert _number(html, rf'data-industry="{code}">.*?data-touches>(\d+)<') == count
    for code, supply in park.EXPECTED["supply"].items():
        assert _number(html, rf'data-topic="{code}">.*?data-supply>(\d+)<') == supply
    for code, demand in park.EXPECTED["demand"].items():
        assert _number(html, rf'data-topic="{code}">.*?data-needs>(\d+)<') == demand
    listed = set(re.findall(r'<tr data-enterprise-id="(\d+)">', html))
    assert listed == {str(seeded[letter]) for letter in park.EXPECTED["not_served"]}
    # the count beside the list (active roster − served, from the summary) and the list's own page (counted) agree
    expected = len(park.EXPECTED["not_served"])
    assert _number(html, r'data-not-served-count="(\d+)"') == expected
    own = client.get(f"/coverage/not-served?{PERIOD}").get_data(as_text=True)
    assert _number(own, r'data-not-served-count="(\d+)"') == expected
    assert "13900001111" in html and "2024-11-11" in html  # F's phone and last touch ever
    assert "<svg" in html and "<script>" not in html and " style=" not in html  # the CSP allows neither


def test_dashboard_defaults_to_this_year_and_refuses_bad_periods(staff_client):
    """No period: this year. A malformed date or from > to: 422 with the message next to that field."""
    from parkportal.timeutil import local_today

    year = local_today().year
    page = staff_client.get("/coverage/").get_data(as_text=True)
    assert f'value="{year}-01-01"' in page and f'value="{year}-12-31"' in page
    bad = staff_client.get("/coverage/?from=2025-13-01&to=2025-12-31")
    assert bad.status_code == 422
    assert 'id="period-from-error"' in bad.get_data(as_text=True) and 'value="2025-13-01"' in bad.get_data(as_text=True)
    backwards = staff_client.get("/coverage/?from=2025-06-01&to=2025-01-01")
    assert backwards.status_code == 422 and 'id="period-to-error"' in backwards.get_data(as_text=True)
    assert staff_client.get("/coverage/export.csv?from=nope").status_code == 422


@pytest.mark.parametrize("path", ["/coverage/", "/coverage/export.csv", "/coverage/export.xlsx", "/coverage/report"])
def test_only_staff_see_coverage(enterprise_client, lawyer_client, path):
    """Enterprise users and lawyers get 403 on the dashboard, the exports and the report."""
    assert enterprise_client.get(path).status_code == 403
    assert lawyer_client.get(path).status_code == 403


def test_not_served_search_answers_a_fragment(app, seeded):
    """The not-yet-served search finds by name or phone and, for htmx, returns only the list."""
    with app.app_context():
        email = factories.staff().email
        db.session.commit()
    client = sign_in(app, email)
    found = client.get(f"/coverage/not-served?{PERIOD}&q=13900001111", headers={"HX-Request": "true"})
    body = found.get_data(as_text=True)
    assert found.status_code == 200 and "<html" not in body
    assert set(re.findall(r'data-enterprise-id="(\d+)"', body)) == {str(seeded["F"])}
    assert _number(body, r'data-not-served-count="(\d+)"') == 1


@pytest.fixture
def statements(app):
    """``statements(client, url)``: how many SQL statements one GET of ``url`` runs (asserting it answers 200)."""

    def count_for(client, url: str) -> int:
        count = 0

        def counter(*_args):
            nonlocal count
            count += 1

        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", counter)
        try:
            assert client.get(url).status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", counter)
        return count

    return count_for


@pytest.mark.parametrize("period", [PERIOD, "from=2025-03-15&to=2025-06-10"])
def test_dashboard_query_count_does_not_grow_with_data(app, seeded, statements, period):
    """The dashboard runs as many SQL statements for the seeded park as for a park with twice its rows, for a
    calendar year (read from the year's totals) and for a period with edge days (read partly from the union)."""
    with app.app_context():
        email = factories.staff().email
        db.session.commit()
    client = sign_in(app, email)
    small = statements(client, f"/coverage/?{period}")
    with app.app_context():
        park.seed()
        for _ in range(30):
            factories.enterprise()
        db.session.commit()
    assert statements(client, f"/coverage/?{period}") == small


def test_timeline_lists_every_touch_newest_first_with_needs_and_findings(app, seeded):
    """An enterprise's timeline shows each of its touches (newest first) and its needs; linked from detail."""
    with app.app_context():
        email = factories.staff().email
        db.session.commit()
    client = sign_in(app, email)
    html = client.get(f"/coverage/enterprises/{seeded['A']}").get_data(as_text=True)
    days = re.findall(r'<li data-channel="(\w+)" data-day="([\d-]+)"', html)
    assert days == [
        ("event", "2025-09-01"),
        ("download", "2025-05-05"),
        ("consultation", "2025-03-20"),
        ("consultation", "2025-03-10"),
    ]
    b = client.get(f"/coverage/enterprises/{seeded['B']}").get_data(as_text=True)
    assert 'data-need-status="open"' in b
    detail = client.get(f"/enterprises/{seeded['A']}").get_data(as_text=True)
    assert f"/coverage/enterprises/{seeded['A']}" in detail


def test_timeline_shows_open_checkup_findings(app):
    """Open, issued checkup findings of the enterprise appear on its timeline with their risk level."""
    from parkportal.checkups.service import add_finding, issue

    from .checkup_support import checkup_booking

    with app.app_context():
        appointment = checkup_booking()
        finding = add_finding(appointment, appointment.lawyer, area="labor", finding="未签书面劳动合同", level="high")
        issue(appointment, appointment.lawyer, "劳动用工风险较高")
        email = factories.staff().email
        db.session.commit()
        enterprise_id, finding_id = appointment.enterprise_id, finding.id
    html = sign_in(app, email).get(f"/coverage/enterprises/{enterprise_id}").get_data(as_text=True)
    assert f'data-finding-id="{finding_id}" data-risk-level="high"' in html


def test_needs_stated_by_enterprise_and_recorded_by_staff(app, enterprise_client, staff_client):
    """An enterprise states needs on its profile; staff record one by phone; a need without topic or note is refused."""
    page = enterprise_client.get("/enterprises/mine").get_data(as_text=True)
    assert "data-need-prompt" in page
    done = enterprise_client.post(
        "/coverage/needs", data={"topics": ["labor", "ip"], "note": "劳动合同模板", "source": "profile"}
    )
    assert done.status_code == 303
    empty = enterprise_client.post("/coverage/needs", data={"source": "profile"})
    assert empty.status_code == 422
    with app.app_context():
        needs = db.session.scalars(select(Need).order_by(Need.id)).all()
        assert [(n.topic, n.source, n.note) for n in needs] == [
            ("labor", "profile", "劳动合同模板"),
            ("ip", "profile", "劳动合同模板"),
        ]
        enterprise_id = needs[0].enterprise_id
    recorded = staff_client.post(
        "/coverage/needs", data={"enterprise_id": enterprise_id, "topics": ["tax"], "source": "visit"}
    )
    assert recorded.status_code == 303
    refused = enterprise_client.post("/coverage/needs", data={"topics": ["tax"], "source": "visit"})
    assert refused.status_code == 422
    with app.app_context():
        visit = db.session.scalar(select(Need).where(Need.source == "visit"))
        assert visit.recorded_by_id == staff_client.user_id and visit.enterprise_id == enterprise_id
        need_id = visit.id
    assert staff_client.post(f"/coverage/needs/{need_id}/addressed").status_code == 303
    with app.app_context():
        assert db.session.get(Need, need_id).status == "addressed"


def test_registration_takes_optional_needs(client, app):
    """Registering with needs records them (source registration); without them the contract's fields still work."""
    from parkportal.models import Enterprise

    base = {
        "enterprise_name": "常州需求测试有限公司",
        "industry": "software",
        "employees": "10-49",
        "contact_name": "李娜",
        "phone": "13812345678",
        "password": "Passw0rd-long",
        "password_confirm": "Passw0rd-long",
        "agree_privacy": "y",
    }
    first = client.post(
        "/auth/register",
        data={**base, "uscc": factories.uscc(), "email": "a@need.cn", "needs": ["contracts"], "needs_note": "合同审查"},
    )
    assert first.status_code == 303
    client.post("/auth/logout")
    second = app.test_client().post("/auth/register", data={**base, "uscc": factories.uscc(), "email": "b@need.cn"})
    assert second.status_code == 303
    with app.app_context():
        rows = db.session.execute(select(Need.topic, Need.source, Need.note, Enterprise.name).join(Enterprise)).all()
        assert rows == [("contracts", "registration", "合同审查", "常州需求测试有限公司")]


def test_completed_booking_prompts_for_needs_after_the_service(app, enterprise_client):
    """After a completed booking the enterprise sees the needs prompt; what it sends is an after-service need."""
    from parkportal.models import User

    with app.app_context():
        user = db.session.get(User, enterprise_client.user_id)
        booking = factories.appointment(enterprise=user.enterprise, status="completed")
        db.session.commit()
        booking_id = booking.id
    page = enterprise_client.get(f"/bookings/{booking_id}").get_data(as_text=True)
    assert 'name="source" value="after_service"' in page
    sent = enterprise_client.post(
        "/coverage/needs", data={"topics": ["contracts"], "source": "after_service", "next": f"/bookings/{booking_id}"}
    )
    assert sent.status_code == 303 and sent.headers["Location"].endswith(f"/bookings/{booking_id}")
    with app.app_context():
        assert db.session.scalar(select(Need.source)) == "after_service"


def test_risks_count_issued_findings_by_level_and_corrected(ctx):
    """The yearly report's risks: findings issued in the period per level, and of them those corrected."""
    from datetime import date

    from parkportal.checkups.service import add_finding, issue
    from parkportal.timeutil import local_today

    from .checkup_support import checkup_booking

    appointment = checkup_booking()
    lawyer = appointment.lawyer
    high = add_finding(appointment, lawyer, area="labor", finding="未签书面劳动合同", level="high")
    add_finding(appointment, lawyer, area="ip", finding="商标未注册", level="medium")
    add_finding(appointment, lawyer, area="contracts", finding="合同模板过旧", level="medium")
    issue(appointment, lawyer, "风险较高")
    high.status, high.corrected_at = "corrected", high.issued_at
    db.session.flush()
    year = local_today().year
    risks = metrics.risks(date(year, 1, 1), date(year, 12, 31))
    assert risks.found == {"high": 1, "medium": 2, "low": 0}
    assert risks.corrected == {"high": 1, "medium": 0, "low": 0}
    assert metrics.risks(date(2001, 1, 1), date(2001, 12, 31)).total_found == 0


def test_query_count_is_the_same_with_an_empty_not_served_list(app, staff_client, statements):
    """An empty roster (nothing to list) costs the dashboard as many statements as a full not-served page."""
    empty = statements(staff_client, f"/coverage/?{PERIOD}")
    with app.app_context():
        for _ in range(30):
            factories.enterprise()
        db.session.commit()
    assert statements(staff_client, f"/coverage/?{PERIOD}") == empty
