"""The coverage caches are invalidated exactly: a cached export or dashboard figure is never served once a change of
the touches or the roster is committed (the stamp changes in the same transaction), whoever writes it — the ORM, a
bulk insert through the session, a rebuild — and a rolled-back change keeps the stamp and the cached values."""

from __future__ import annotations

import csv
import io
import secrets
from datetime import date

import pytest
from sqlalchemy import create_engine, event, insert, select

from parkportal.coverage import cache, metrics, rollup
from parkportal.extensions import db
from parkportal.models import CoverageVersion, Enterprise

from . import coverage_support as park
from . import factories
from .conftest import sign_in

PERIOD = "from=2025-01-01&to=2025-12-31"


@pytest.fixture
def staff(app):
    """A staff client on the seeded park; ``.ids`` holds the enterprises by letter."""
    with app.app_context():
        if db.session.get(CoverageVersion, cache.ROW) is None:  # as migrated (the suite empties every table)
            db.session.add(CoverageVersion(id=cache.ROW, stamp=secrets.token_hex(16)))
            db.session.flush()
        seeded = park.seed()
        email = factories.staff().email
        db.session.commit()
    client = sign_in(app, email)
    client.ids = seeded.ids
    return client


def export(client) -> dict[str, dict[str, str]]:
    """The CSV export of 2025 by enterprise name."""
    response = client.get(f"/coverage/export.csv?{PERIOD}")
    assert response.status_code == 200
    return {row["企业名称"]: row for row in csv.DictReader(io.StringIO(response.data.decode("utf-8-sig")))}


def stamp(app) -> str | None:
    with app.app_context():
        return db.session.scalar(select(CoverageVersion.stamp))


def test_export_is_served_from_the_cache_until_the_counts_change(app, staff):
    """A new completed consultation shows in the next export at once (the first one was cached)."""
    first = export(staff)
    assert first["己 物流"]["服务次数"] == "0"
    with app.app_context():
        enterprise = db.session.get(Enterprise, staff.ids["F"])
        park._done(enterprise, park.local(date(2025, 8, 8)))
        db.session.commit()
    after = export(staff)
    assert (after["己 物流"]["服务次数"], after["己 物流"]["法律咨询"]) == ("1", "1")
    assert after["己 物流"]["最近服务日期"] == "2025-08-08"


def statements(app, client, url: str) -> int:
    """How many SQL statements one GET of ``url`` runs (asserting it answers 200)."""
    seen = []
    with app.app_context():
        engine = db.engine
    listener = lambda *_args: seen.append(1)  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return len(seen)


def test_a_cached_export_costs_one_query_for_the_stamp(app, staff):
    """Once cached, the export runs one statement more than signing in costs (the stamp), not the table's query."""
    export(staff)
    cached = statements(app, staff, f"/coverage/export.csv?{PERIOD}")
    cache.clear()
    computed = statements(app, staff, f"/coverage/export.csv?{PERIOD}")
    assert cached == computed - 1


def test_roster_changes_invalidate_the_export(app, staff):
    """Renaming, archiving and adding enterprises (the ORM) show in the next export."""
    export(staff)
    with app.app_context():
        db.session.get(Enterprise, staff.ids["F"]).name = "己 物流（改名）"
        db.session.get(Enterprise, staff.ids["H"]).status = "archived"
        factories.enterprise(name="癸 新来")
        db.session.commit()
    names = set(export(staff))
    assert "己 物流（改名）" in names and "己 物流" not in names
    assert "辛 软件" not in names and "癸 新来" in names


def test_a_bulk_insert_through_the_session_invalidates_the_export(app, staff):
    """The roster import's kind of write (one INSERT … executemany on the enterprise table) changes the stamp."""
    export(staff)
    before = stamp(app)
    with app.app_context():
        db.session.execute(
            insert(Enterprise),
            [
                {
                    "name": "子 批量",
                    "uscc": factories.uscc(),
                    "industry": "other",
                    "status": "verified",
                    "source": "imported",
                }
            ],
        )
        db.session.commit()
    assert stamp(app) != before
    assert "子 批量" in export(staff)


def test_a_rebuild_changes_the_stamp(app, staff):
    """``rollup.rebuild`` (after seeding's bulk inserts) invalidates every cached value."""
    before = stamp(app)
    with app.app_context():
        rollup.rebuild()
        db.session.commit()
    assert stamp(app) not in (None, before)


def test_a_rolled_back_change_keeps_the_stamp_and_the_figures(app, staff):
    """A change that is rolled back leaves the stamp as it was, so the cached figures stay right."""
    first = export(staff)
    before = stamp(app)
    with app.app_context():
        park._done(db.session.get(Enterprise, staff.ids["F"]), park.local(date(2025, 8, 8)))
        db.session.flush()
        assert db.session.scalar(select(CoverageVersion.stamp)) != before  # bumped inside the transaction
        db.session.rollback()
    assert stamp(app) == before
    assert export(staff) == first


def test_dashboard_figures_follow_a_new_touch(app, staff):
    """The dashboard's cached summary, trend and industries show a new touch on the next request."""
    html = staff.get(f"/coverage/?{PERIOD}").get_data(as_text=True)
    assert 'data-industry="logistics"><td>' in html
    with app.app_context():
        start, end = park.START, park.END
        before = (metrics.summary(start, end, 10).served, metrics.monthly(start, end)[7].served)
        park._done(db.session.get(Enterprise, staff.ids["F"]), park.local(date(2025, 8, 8)))
        db.session.commit()
        after = (metrics.summary(start, end, 10).served, metrics.monthly(start, end)[7].served)
        industries = {row.code: (row.roster, row.served, row.touches) for row in metrics.by_industry(start, end)}
    assert before == (5, 0) and after == (6, 1)
    assert industries["logistics"] == (1, 1, 1)
    html = staff.get(f"/coverage/?{PERIOD}").get_data(as_text=True)
    assert '<tr data-month="2025-08"><td>2025-08</td><td data-served>1</td>' in html


def test_each_database_starts_with_a_stamp_of_its_own():
    """A new database gets a random stamp, so values cached for another database are never found under it."""
    stamps = []
    for _ in range(2):
        engine = create_engine("sqlite://")
        CoverageVersion.__table__.create(engine)
        with engine.connect() as connection:
            stamps.append(connection.scalar(select(CoverageVersion.stamp)))
        engine.dispose()
    assert all(stamps) and stamps[0] != stamps[1]
