"""The audit log as staff read it: sentences with links, filters by person, action, object and dates."""

from __future__ import annotations

from datetime import timedelta

from parkportal.core import audit
from parkportal.extensions import db
from parkportal.timeutil import local_today

from . import factories
from .booking_support import at, future_weekday, working_lawyer
from .conftest import english


def record_history(app) -> dict:
    """A verification by staff and a booking by an enterprise, audited as the portal does."""
    with app.app_context():
        person = factories.staff(name="王丽")
        enterprise = factories.enterprise(status="pending", name="常州审计测试科技有限公司")
        audit.record("enterprise.verified", enterprise, actor=person, previous="pending")
        user = factories.enterprise_user(name="李娜")
        lawyer = working_lawyer(name="陈明")
        appointment = factories.appointment(
            enterprise=user.enterprise,
            service="labor",
            start=at(future_weekday(2), "10:00"),
            mode="video",
            topic="labor",
            lawyer=lawyer,
            actor=user,
        )
        db.session.commit()
        return {"enterprise_id": enterprise.id, "booking_id": appointment.id}


def test_entries_read_as_sentences_with_links(app, staff_client):
    """Each entry names who did what to which record, links to it, and labels its particulars (no key=value)."""
    ids = record_history(app)
    page = english(staff_client).get("/admin/audit").get_data(as_text=True)
    assert "Enterprise verified" in page and f'href="/enterprises/{ids["enterprise_id"]}"' in page
    assert "Booking made" in page and f'href="/bookings/{ids["booking_id"]}"' in page
    assert "Before: Verification pending" in page  # the previous status, labelled
    assert "Lawyer: 陈明" in page  # an id in the details becomes a name
    assert "previous=" not in page and "lawyer_id=" not in page


def test_filters_by_person_action_object_and_date(app, staff_client):
    """Person (name or e-mail, literally), action, object type and a date range narrow the log."""
    record_history(app)
    client = english(staff_client)

    def results(query: str) -> str:
        """The results block only (the filter form lists every action's label)."""
        return client.get("/admin/audit?" + query, headers={"HX-Request": "true"}).get_data(as_text=True)

    by_person = results("person=王丽")
    assert "Enterprise verified" in by_person and "Booking made" not in by_person
    by_action = results("action=booking.created")
    assert "Booking made" in by_action and "Enterprise verified" not in by_action
    by_object = results("object=enterprise")
    assert "Enterprise verified" in by_object and "Booking made" not in by_object
    wildcard = results("person=%25")  # "%" matches itself, not everyone
    assert "Enterprise verified" not in wildcard
    tomorrow = (local_today() + timedelta(days=1)).isoformat()
    future = results(f"from={tomorrow}")
    assert "Nothing recorded matches these filters." in future
    today = local_today().isoformat()
    assert "Enterprise verified" in results(f"from={today}&to={today}")


def test_filter_fragment_for_htmx(app, staff_client):
    """The filter form's htmx request gets only the results block."""
    record_history(app)
    response = staff_client.get("/admin/audit?action=booking.created", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html and 'data-audit-id="' in html


def test_bad_dates_are_explained(app, staff_client):
    """An unreadable or reversed date range answers 422 with a message, not a 500."""
    client = english(staff_client)
    response = client.get("/admin/audit?from=2026-13-45")
    assert response.status_code == 422 and "YYYY-MM-DD" in response.get_data(as_text=True)
    reversed_range = client.get("/admin/audit?from=2026-12-10&to=2026-12-01")
    assert reversed_range.status_code == 422 and "before the start date" in reversed_range.get_data(as_text=True)
    assert client.get("/admin/audit?page=99999999999999999999999").status_code == 404  # no such page
