"""Staff's roster and the audit log page without counting: a page of rows, "next" while more follow, and the
roster's order (pending registrations first; one status by name)."""

from __future__ import annotations

import re

from parkportal.admin import views as admin_views
from parkportal.core import audit
from parkportal.enterprises import views as enterprise_views
from parkportal.extensions import db

from . import factories


def _ids(html: str, attribute: str) -> list[int]:
    return [int(i) for i in re.findall(rf'{attribute}="(\d+)"', html)]


def test_the_roster_pages_pending_first_then_by_name(app, staff_client, monkeypatch):
    """Three per page: the pending registration leads, the rest follow by name, the next page holds the last."""
    monkeypatch.setattr(enterprise_views, "PER_PAGE", 3)
    with app.app_context():
        names = ["常州丁", "常州甲", "常州丙", "常州乙"]
        made = {name: factories.enterprise(name=name, status="verified") for name in names}
        pending = factories.enterprise(name="常州戊", status="pending")
        db.session.commit()
        ids = {name: e.id for name, e in made.items()}
        pending_id = pending.id
    first = staff_client.get("/enterprises/?q=常州").get_data(as_text=True)
    second = staff_client.get("/enterprises/?q=常州&page=2").get_data(as_text=True)
    by_name = [ids[name] for name in sorted(names)]
    assert _ids(first, "data-enterprise-id") == [pending_id, *by_name[:2]]
    assert _ids(second, "data-enterprise-id") == by_name[2:]
    assert 'rel="next"' in first and 'rel="prev"' in second and 'rel="next"' not in second
    verified = staff_client.get("/enterprises/?q=常州&status=verified").get_data(as_text=True)
    assert _ids(verified, "data-enterprise-id") == by_name[:3]


def test_the_audit_log_pages_newest_first_and_refuses_a_page_past_the_end(app, staff_client, monkeypatch):
    """Two per page, newest first; the next page goes on; a page past the end is 404."""
    monkeypatch.setattr(admin_views, "AUDIT_PER_PAGE", 2)
    with app.app_context():
        enterprise = factories.enterprise()
        for _ in range(3):
            audit.record("enterprise.verified", enterprise, actor=None)
        db.session.commit()
    first = staff_client.get("/admin/audit?action=enterprise.verified").get_data(as_text=True)
    second = staff_client.get("/admin/audit?action=enterprise.verified&page=2").get_data(as_text=True)
    assert len(_ids(first, "data-audit-id")) == 2 and len(_ids(second, "data-audit-id")) == 1
    assert _ids(first, "data-audit-id") + _ids(second, "data-audit-id") == sorted(
        _ids(first, "data-audit-id") + _ids(second, "data-audit-id"), reverse=True
    )
    assert 'rel="next"' in first and 'rel="next"' not in second
    assert staff_client.get("/admin/audit?action=enterprise.verified&page=3").status_code == 404


def test_a_chain_of_ordered_queries_pages_as_one_list(app):
    """``look_ahead_chain``: two pending then five verified, three a page — pages cross the parts' boundary,
    a page past the first part skips it by count, a page past the end is empty."""
    from sqlalchemy import select

    from parkportal.core.paging import look_ahead_chain
    from parkportal.models import Enterprise

    with app.app_context():
        pending = [factories.enterprise(name=f"甲{n}", status="pending") for n in range(2)]
        verified = [factories.enterprise(name=f"乙{n}", status="verified") for n in range(5)]
        db.session.commit()
        expected = [e.id for e in pending + verified]
        query = select(Enterprise).order_by(Enterprise.name, Enterprise.id)
        parts = [query.where(Enterprise.status == "pending"), query.where(Enterprise.status != "pending")]
        pages = [look_ahead_chain(parts, number, 3) for number in (1, 2, 3, 4)]
        assert [[e.id for e in page.items] for page in pages] == [expected[0:3], expected[3:6], expected[6:], []]
        assert [page.has_next for page in pages] == [True, True, False, False]
