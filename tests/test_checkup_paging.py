"""The checkups page at district scale: both lists page without counting, the park's findings come most serious and
oldest first from the stored severity rank, and "enterprises affected" counts each enterprise once per area."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from parkportal.checkups import service as checkups
from parkportal.checkups import views
from parkportal.extensions import db
from parkportal.models import Checkup, Finding, User

from . import factories
from .booking_support import working_lawyer
from .checkup_support import checkup_booking

LEVELS = ["low", "high", "medium", "high", "low", "medium", "high"]


def _issued_checkups(app, lawyer_id: int, count: int, levels: list[str]) -> list[int]:
    """``count`` checkups with ``lawyer_id``, each issued with one finding per level in ``levels``."""
    with app.app_context():
        lawyer = db.session.get(User, lawyer_id)
        ids = []
        for index in range(count):
            booking = checkup_booking(lawyer=lawyer, weekday=1 + index % 5, hhmm=f"{9 + index // 5:02d}:00")
            for number, level in enumerate(levels):
                area = "labor" if number % 2 else "tax"
                checkups.add_finding(booking, lawyer, area=area, finding=f"问题{index}-{number}", level=level)
            checkups.issue(booking, lawyer, "体检结论")
            ids.append(booking.id)
        db.session.commit()
        return ids


def test_findings_page_most_serious_first_and_go_on(app, staff_client, monkeypatch):
    """Page 1 holds the high findings, the next page goes on where it stopped; nothing is shown twice or left out."""
    monkeypatch.setattr(views, "FINDINGS_PER_PAGE", 4)
    with app.app_context():
        lawyer_id = working_lawyer().id
        db.session.commit()
    _issued_checkups(app, lawyer_id, 1, LEVELS)
    seen: list[str] = []
    for page in (1, 2):
        html = staff_client.get(f"/checkups/?findings_page={page}").get_data(as_text=True)
        seen += re.findall(r'data-risk-level="(\w+)"', html)
        assert ('rel="next"' in html) == (page == 1)
    assert seen == ["high"] * 3 + ["medium"] * 2 + ["low"] * 2
    assert "7 findings" in english_page(staff_client, "/checkups/")


def english_page(client, url: str) -> str:
    """The page in English."""
    client.post("/language", data={"lang": "en"})
    return client.get(url).get_data(as_text=True)


def test_checkups_list_pages_newest_first(app, staff_client, monkeypatch):
    """The checkups list shows a page of bookings and a link to the next; the second page holds the rest."""
    monkeypatch.setattr(views, "CHECKUPS_PER_PAGE", 2)
    with app.app_context():
        lawyer_id = working_lawyer().id
        db.session.commit()
    ids = _issued_checkups(app, lawyer_id, 3, ["low"])
    first = staff_client.get("/checkups/").get_data(as_text=True)
    second = staff_client.get("/checkups/?page=2").get_data(as_text=True)
    on_first = re.findall(r'data-booking-id="(\d+)"', first)
    on_second = re.findall(r'data-booking-id="(\d+)"', second)
    assert len(on_first) == 2 and len(on_second) == 1
    assert sorted(int(i) for i in on_first + on_second) == sorted(ids)
    assert 'rel="next"' in first and 'rel="prev"' in second and 'rel="next"' not in second


def test_stored_severity_follows_the_level_however_the_finding_is_written(app):
    """The rank is set from the level for ORM and bulk inserts alike; a rank that contradicts the level is refused."""
    with app.app_context():
        booking = checkup_booking()
        lawyer = db.session.get(User, booking.lawyer_id)
        added = checkups.add_finding(booking, lawyer, area="labor", finding="未签劳动合同", level="high")
        checkup_id = added.checkup_id
        db.session.execute(
            insert(Finding),
            [{"checkup_id": checkup_id, "enterprise_id": booking.enterprise_id, "area": "tax", "finding": "x",
              "level": level, "status": "open"} for level in ("medium", "low")],
        )  # fmt: skip
        ranks = dict(db.session.execute(select(Finding.level, Finding.severity)).all())
        assert ranks == {"high": 0, "medium": 1, "low": 2}
        assert db.session.get(Finding, added.id).enterprise_id == booking.enterprise_id
        db.session.commit()
        with pytest.raises(IntegrityError):
            db.session.execute(
                insert(Finding),
                [{"checkup_id": checkup_id, "enterprise_id": booking.enterprise_id, "area": "tax", "finding": "y",
                  "level": "low", "severity": 0, "status": "open"}],
            )  # fmt: skip
        db.session.rollback()


def test_enterprises_affected_count_each_enterprise_once_per_area(app, staff_client):
    """Two checkups of one enterprise with labour findings count one enterprise; another enterprise makes two."""
    with app.app_context():
        lawyer = working_lawyer()
        user = factories.enterprise_user()
        for weekday, owner in ((1, user), (2, user), (3, factories.enterprise_user())):
            booking = checkup_booking(owner, lawyer, weekday=weekday)
            checkups.add_finding(booking, lawyer, area="labor", finding="未签劳动合同", level="high")
            checkups.add_finding(booking, lawyer, area="labor", finding="加班费", level="low")
            checkups.issue(booking, lawyer, "体检结论")
        db.session.commit()
        assert db.session.scalar(select(Checkup.id).limit(1)) is not None
    html = staff_client.get("/checkups/?status=all").get_data(as_text=True)
    row = re.search(r'<tr data-area="labor">(.*?)</tr>', html, re.S).group(1)
    assert re.findall(r"<td[^>]*>(\d+)</td>", row) == ["3", "0", "3", "2"]


def _counted() -> dict[str, int]:
    """Enterprises with an issued finding per area, counted from the findings themselves."""
    from sqlalchemy import func

    rows = db.session.execute(
        select(Finding.area, func.count(func.distinct(Finding.enterprise_id)))
        .where(Finding.issued_in.is_not(None))
        .group_by(Finding.area)
    ).all()
    return dict(rows)


def _kept() -> dict[str, int]:
    """The kept enterprises affected per area."""
    from parkportal.models import AreaCount

    return dict(db.session.execute(select(AreaCount.area, AreaCount.enterprises)).all())


def test_kept_enterprises_affected_follow_issuing_and_undo_with_its_transaction(app):
    """Issuing counts a new enterprise per area in the same transaction (a draft finding doesn't count, a rolled-back
    issue leaves no count behind), and ``recount`` rebuilds the same figures from the findings."""
    with app.app_context():
        lawyer = working_lawyer()
        first = checkup_booking(factories.enterprise_user(), lawyer, weekday=1)
        checkups.add_finding(first, lawyer, area="tax", finding="发票不规范", level="medium")
        assert _kept() == {}  # a draft is not issued yet
        checkups.issue(first, lawyer, "体检结论")
        assert _kept() == _counted() == {"tax": 1}
        db.session.commit()
        second = checkup_booking(factories.enterprise_user(), lawyer, weekday=2)
        checkups.add_finding(second, lawyer, area="tax", finding="账簿缺失", level="high")
        checkups.add_finding(second, lawyer, area="ip", finding="商标未注册", level="low")
        checkups.issue(second, lawyer, "体检结论")
        assert _kept() == {"tax": 2, "ip": 1}
        db.session.rollback()
        assert _kept() == _counted() == {"tax": 1}
        db.session.execute(insert(Finding), [
            {"checkup_id": db.session.scalar(select(Checkup.id)), "enterprise_id": first.enterprise_id,
             "area": "labor", "finding": "z", "level": "low", "status": "open", "issued_in": 1},
        ])  # fmt: skip
        checkups.recount()
        assert _kept() == _counted() == {"tax": 1, "labor": 1}


def _counted_by_status() -> dict[tuple[str, str, str], int]:
    """Issued findings per area, level and status, counted from the findings themselves."""
    from sqlalchemy import func

    rows = db.session.execute(
        select(Finding.area, Finding.level, Finding.status, func.count())
        .where(Finding.issued_in.is_not(None))
        .group_by(Finding.area, Finding.level, Finding.status)
    ).all()
    return {(area, level, status): count for area, level, status, count in rows}


def _kept_by_status() -> dict[tuple[str, str, str], int]:
    """The kept counts per area, level and status (rows at zero left out)."""
    from parkportal.models import FindingCount

    rows = db.session.execute(select(FindingCount.area, FindingCount.level, FindingCount.status, FindingCount.findings))
    return {(area, level, status): count for area, level, status, count in rows if count}


def test_kept_counts_by_area_level_and_status_follow_issue_and_every_correction_step(app, staff_client):
    """Issuing, reporting a correction, sending it back, reporting again and confirming each move the finding between
    the kept counts in their own transaction, so the park's matrix always equals a count of the findings."""
    with app.app_context():
        lawyer = working_lawyer()
        user = factories.enterprise_user()
        booking = checkup_booking(user, lawyer)
        high = checkups.add_finding(booking, lawyer, area="labor", finding="未签劳动合同", level="high")
        checkups.add_finding(booking, lawyer, area="labor", finding="加班费", level="low")
        assert _kept_by_status() == {}
        checkups.issue(booking, lawyer, "体检结论")
        assert _kept_by_status() == _counted_by_status() == {("labor", "high", "open"): 1, ("labor", "low", "open"): 1}
        checkups.mark_corrected(high, user, "已补签")
        assert _kept_by_status() == _counted_by_status()
        checkups.return_correction(high, lawyer, "缺少签收记录")
        assert _kept_by_status() == _counted_by_status()
        checkups.mark_corrected(high, user, "已补签并签收")
        checkups.confirm_correction(high, lawyer)
        assert (
            _kept_by_status()
            == _counted_by_status()
            == {("labor", "high", "confirmed"): 1, ("labor", "low", "open"): 1}
        )
        db.session.commit()
    html = staff_client.get("/checkups/?status=confirmed").get_data(as_text=True)
    row = re.search(r'<tr data-area="labor">(.*?)</tr>', html, re.S).group(1)
    assert re.findall(r"<td[^>]*>(\d+)</td>", row) == ["1", "0", "0", "1"]
    html = staff_client.get("/checkups/?status=all").get_data(as_text=True)
    row = re.search(r'<tr data-area="labor">(.*?)</tr>', html, re.S).group(1)
    assert re.findall(r"<td[^>]*>(\d+)</td>", row) == ["1", "0", "1", "1"]
