"""Who sees a checkup: only its enterprise, its assigned lawyer and staff — anyone else gets 404 for its page,
answers, report, PDF and findings; within the parties, each role may do only its own steps."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from parkportal.checkups import service as checkups
from parkportal.core import access
from parkportal.extensions import db
from parkportal.models import Appointment, Checkup, Finding, User

from . import factories
from .booking_support import at, future_weekday, working_lawyer
from .checkup_support import checkup_booking


@pytest.fixture
def case(app):
    """A confirmed checkup with answers, an issued finding and a draft one; plus users of every kind."""
    with app.app_context():
        owner = factories.enterprise_user()
        colleague = factories.enterprise_user(owner.enterprise)
        stranger = factories.enterprise_user()
        lawyer = working_lawyer()
        other_lawyer = working_lawyer()
        staff = factories.staff()
        appointment = checkup_booking(owner, lawyer)
        checkups.save_answers(appointment, owner, {"lb_written_contracts": "no"}, finish=False)
        issued = checkups.add_finding(appointment, lawyer, area="labor", finding="未签劳动合同", level="high")
        checkups.issue(appointment, lawyer, "结论")
        draft = checkups.add_finding(appointment, lawyer, area="tax", finding="草稿问题", level="low")
        db.session.commit()
        return {
            "booking": appointment.id,
            "issued": issued.id,
            "draft": draft.id,
            **{
                name: user.email
                for name, user in {
                    "owner": owner,
                    "colleague": colleague,
                    "stranger": stranger,
                    "lawyer": lawyer,
                    "other_lawyer": other_lawyer,
                    "staff": staff,
                }.items()
            },
        }


def signed_in(app, email):
    client = app.test_client()
    response = client.post("/auth/login", data={"email": email, "password": factories.PASSWORD})
    assert response.status_code == 303
    return client


@pytest.mark.parametrize(
    ("who", "expected"),
    [("owner", 200), ("colleague", 200), ("lawyer", 200), ("staff", 200), ("stranger", 404), ("other_lawyer", 404)],
)
def test_page_and_pdf_only_for_the_parties(app, case, who, expected):
    """The checkup page and its PDF answer the parties; another enterprise or lawyer gets 404."""
    client = signed_in(app, case[who])
    booking = case["booking"]
    assert client.get(f"/checkups/{booking}").status_code == expected
    assert client.get(f"/checkups/{booking}/report.pdf").status_code == expected


@pytest.mark.parametrize("who", ["stranger", "other_lawyer"])
def test_outsiders_get_404_for_every_action(app, case, who):
    """Answers, findings, issuing, corrections and confirmations by an outsider all answer 404."""
    client = signed_in(app, case[who])
    booking, finding = case["booking"], case["issued"]
    assert client.post(f"/checkups/{booking}/answers", data={"ip_trademark": "yes"}).status_code == 404
    assert (
        client.post(f"/checkups/{booking}/findings", data={"area": "ip", "finding": "x", "level": "low"}).status_code
        == 404
    )
    assert client.post(f"/checkups/{booking}/issue", data={"summary": "x"}).status_code == 404
    assert client.post(f"/checkups/findings/{finding}/correct", data={"note": "x"}).status_code == 404
    assert client.post(f"/checkups/findings/{finding}/confirm").status_code == 404
    assert client.post(f"/checkups/findings/{finding}/delete").status_code == 404


def test_outsiders_dont_see_the_answers_in_any_list(app, case):
    """The other lawyer's park list doesn't show the checkup's findings, and their checkup list doesn't hold it."""
    client = signed_in(app, case["other_lawyer"])
    page = client.get("/checkups/?status=all").get_data(as_text=True)
    assert f'data-finding-id="{case["issued"]}"' not in page and f'data-booking-id="{case["booking"]}"' not in page
    assert "未签劳动合同" not in client.get("/checkups/findings.csv?status=all").get_data().decode("utf-8")


def test_findings_follow_the_booking_to_another_lawyer(app, case):
    """Staff move the checkup to another lawyer: its findings leave the first lawyer's park list and export and
    join the new lawyer's (each finding keeps its booking's lawyer)."""
    from parkportal.bookings import service as booking

    with app.app_context():
        appointment = db.session.get(Appointment, case["booking"])
        other = db.session.scalar(select(User).where(User.email == case["other_lawyer"]))
        staff = db.session.scalar(select(User).where(User.email == case["staff"]))
        booking.reschedule(appointment, staff, appointment.start_at, lawyer=other, reason="原律师出差")
        db.session.commit()
        assert set(
            db.session.scalars(select(Finding.lawyer_id).where(Finding.id.in_((case["issued"], case["draft"]))))
        ) == {other.id}
    row = f'data-finding-id="{case["issued"]}"'
    assert row in signed_in(app, case["other_lawyer"]).get("/checkups/?status=all").get_data(as_text=True)
    first = signed_in(app, case["lawyer"])
    assert row not in first.get("/checkups/?status=all").get_data(as_text=True)
    assert "未签劳动合同" not in first.get("/checkups/findings.csv?status=all").get_data().decode("utf-8")


def test_enterprise_doesnt_see_draft_findings(app, case):
    """A finding not yet issued is the lawyer's: the enterprise neither sees it nor can act on it (404)."""
    client = signed_in(app, case["owner"])
    page = client.get(f"/checkups/{case['booking']}").get_data(as_text=True)
    assert "草稿问题" not in page and "未签劳动合同" in page
    assert client.post(f"/checkups/findings/{case['draft']}/correct", data={"note": "x"}).status_code == 404


def test_each_party_only_takes_its_own_steps(app, case):
    """The lawyer doesn't answer or correct, staff don't write the report, the enterprise doesn't confirm (403)."""
    booking, finding = case["booking"], case["issued"]
    lawyer, staff, owner = (signed_in(app, case[k]) for k in ("lawyer", "staff", "owner"))
    assert lawyer.post(f"/checkups/{booking}/answers", data={"ip_trademark": "yes"}).status_code == 403
    assert lawyer.post(f"/checkups/findings/{finding}/correct", data={"note": "x"}).status_code == 403
    assert (
        staff.post(f"/checkups/{booking}/findings", data={"area": "ip", "finding": "x", "level": "low"}).status_code
        == 403
    )
    assert staff.post(f"/checkups/{booking}/issue", data={"summary": "x"}).status_code == 403
    assert (
        owner.post(f"/checkups/{booking}/findings", data={"area": "ip", "finding": "x", "level": "low"}).status_code
        == 403
    )
    assert owner.post(f"/checkups/findings/{finding}/confirm").status_code == 403
    assert owner.get("/checkups/findings.csv").status_code == 403


def test_an_unassigned_request_stays_hidden_from_lawyers(app, case):
    """A lawyer who may see an unassigned checkup request (to take it) still doesn't see its answers (404)."""
    with app.app_context():
        appointment = db.session.get(Appointment, case["booking"])
        appointment.lawyer_id = None
        appointment.status = "requested"
        db.session.commit()
        other = db.session.scalar(select(User).where(User.email == case["other_lawyer"]))
        assert access.can_see(appointment, other)  # the booking itself: yes, to take it
        assert db.session.scalar(select(Checkup.id).where(Checkup.visible_to(other))) is None
        assert db.session.scalar(select(Finding.id).where(Finding.visible_to(other))) is None
    client = signed_in(app, case["other_lawyer"])
    assert client.get(f"/checkups/{case['booking']}").status_code == 404


def test_a_booking_of_another_service_has_no_checkup(app, staff_client):
    """/checkups/<id> of a consultation is 404, also for staff who see every booking."""
    with app.app_context():
        user = factories.enterprise_user()
        consultation = factories.appointment(
            enterprise=user.enterprise,
            service="labor",
            start=at(future_weekday(2), "10:00"),
            mode="video",
            topic="labor",
            lawyer=working_lawyer(),
            actor=user,
        )
        db.session.commit()
        booking_id = consultation.id
    assert staff_client.get(f"/checkups/{booking_id}").status_code == 404
    assert staff_client.get(f"/checkups/{booking_id}/report.pdf").status_code == 404
