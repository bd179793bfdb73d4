"""Who may see and do what to a booking: another party's booking is a 404 everywhere; the role × action matrix."""

from __future__ import annotations

import pytest

from parkportal.extensions import db
from parkportal.models import Appointment, Enterprise, User

from . import factories
from .booking_support import at, future_weekday, working_lawyer
from .conftest import sign_in


@pytest.fixture
def world(app):
    """An enterprise with a user, another enterprise, the assigned lawyer, another lawyer and staff — signed in."""
    with app.app_context():
        owner = factories.enterprise_user()
        stranger = factories.enterprise_user()
        lawyer = working_lawyer()
        other_lawyer = working_lawyer()
        staff = factories.staff()
        db.session.commit()
        ids = {
            "owner": (owner.email, owner.enterprise_id),
            "other_enterprise": (stranger.email, stranger.enterprise_id),
            "lawyer": (lawyer.email, lawyer.id),
            "other_lawyer": (other_lawyer.email, other_lawyer.id),
            "staff": (staff.email, staff.id),
        }
    return {"clients": {name: sign_in(app, email) for name, (email, _) in ids.items()}, "ids": ids}


def make_booking(app, world, state: str) -> int:
    """A booking of the owner with the lawyer, in ``state`` (``started`` = confirmed and begun)."""
    with app.app_context():
        enterprise_id, lawyer_id = world["ids"]["owner"][1], world["ids"]["lawyer"][1]
        enterprise, lawyer = db.session.get(Enterprise, enterprise_id), db.session.get(User, lawyer_id)
        if state in ("started", "completed"):  # began an hour ago
            status = "confirmed" if state == "started" else state
            appointment = factories.appointment(enterprise=enterprise, lawyer=lawyer, status=status)
        else:
            code = "checkup" if state == "requested" else "labor"  # labour advice is confirmed at once
            start = at(future_weekday(2), "10:00")
            appointment = factories.appointment(enterprise=enterprise, lawyer=lawyer, service=code, start=start)
        db.session.commit()
        return appointment.id


def status_of(app, booking_id):
    """The booking's status as stored."""
    with app.app_context():
        return db.session.get(Appointment, booking_id).status


PAGES = ["/bookings/{id}", "/bookings/{id}.ics", "/bookings/{id}/reschedule"]
ACTIONS = ["cancel", "confirm", "decline", "complete", "no-show", "rate"]


@pytest.mark.parametrize("stranger", ["other_enterprise", "other_lawyer"])
def test_another_partys_booking_is_404_on_pages_ics_and_actions(app, world, stranger):
    """Pages, the .ics file and every action answer 404 to an enterprise or lawyer the booking isn't theirs."""
    booking_id = make_booking(app, world, "requested")
    client = world["clients"][stranger]
    for page in PAGES:
        assert client.get(page.format(id=booking_id)).status_code == 404, page
    for action in ACTIONS:
        response = client.post(f"/bookings/{booking_id}/{action}", data={"reason": "x", "summary": "x", "rating": "5"})
        assert response.status_code == 404, action
    assert client.get("/bookings/").status_code == 200
    assert f'data-booking-id="{booking_id}"' not in client.get("/bookings/").get_data(as_text=True)
    assert status_of(app, booking_id) == "requested"


def test_owner_lawyer_and_staff_see_the_booking(app, world):
    """The enterprise, the assigned lawyer and staff all open the booking and its .ics."""
    booking_id = make_booking(app, world, "confirmed")
    for party in ("owner", "lawyer", "staff"):
        client = world["clients"][party]
        assert client.get(f"/bookings/{booking_id}").status_code == 200, party
        assert client.get(f"/bookings/{booking_id}.ics").status_code == 200, party


#: (action, state it needs, party, expected status, state afterwards)
MATRIX = [
    ("cancel", "confirmed", "owner", 303, "cancelled"),
    ("cancel", "confirmed", "lawyer", 403, "confirmed"),
    ("cancel", "confirmed", "staff", 303, "cancelled"),
    ("confirm", "requested", "owner", 403, "requested"),
    ("confirm", "requested", "lawyer", 303, "confirmed"),
    ("confirm", "requested", "staff", 303, "confirmed"),
    ("decline", "requested", "owner", 403, "requested"),
    ("decline", "requested", "lawyer", 303, "declined"),
    ("decline", "requested", "staff", 303, "declined"),
    ("complete", "started", "owner", 403, "confirmed"),
    ("complete", "started", "lawyer", 303, "completed"),
    ("complete", "started", "staff", 303, "completed"),
    ("no-show", "started", "owner", 403, "confirmed"),
    ("no-show", "started", "lawyer", 303, "no_show"),
    ("no-show", "started", "staff", 303, "no_show"),
    ("rate", "completed", "owner", 303, "completed"),
    ("rate", "completed", "lawyer", 403, "completed"),
    ("rate", "completed", "staff", 403, "completed"),
]


@pytest.mark.parametrize(("action", "state", "party", "expected", "after"), MATRIX)
def test_role_action_matrix(app, world, action, state, party, expected, after):
    """Each role may do exactly its actions on a visible booking; a refused one is 403 and changes nothing."""
    booking_id = make_booking(app, world, state)
    data = {"reason": "已有其他安排", "summary": "建议续签并约定竞业限制", "private_notes": "", "rating": "5"}
    response = world["clients"][party].post(f"/bookings/{booking_id}/{action}", data=data)
    assert response.status_code == expected, response.get_data(as_text=True)[:300]
    assert status_of(app, booking_id) == after


#: (action, state where it doesn't apply, party)
WRONG_STATE = [
    ("confirm", "confirmed", "lawyer"),
    ("decline", "confirmed", "lawyer"),
    ("cancel", "completed", "owner"),
    ("cancel", "completed", "staff"),
    ("complete", "requested", "lawyer"),
    ("no-show", "completed", "lawyer"),
    ("rate", "started", "owner"),
]


@pytest.mark.parametrize(("action", "state", "party"), WRONG_STATE)
def test_an_action_in_the_wrong_state_gives_a_message_and_changes_nothing(app, world, action, state, party):
    """Acting on a booking in the wrong state answers 409 (or 422) with a message; the state stays."""
    booking_id = make_booking(app, world, state)
    before = status_of(app, booking_id)
    data = {"reason": "x", "summary": "x", "rating": "5"}
    response = world["clients"][party].post(f"/bookings/{booking_id}/{action}", data=data)
    assert response.status_code in (409, 422)
    assert 'class="flash flash-error"' in response.get_data(as_text=True)
    assert status_of(app, booking_id) == before


def test_lawyers_see_unassigned_requests_and_can_take_them(app, world):
    """An unassigned request is visible to every lawyer; the first to confirm takes it, then it's 404 to others."""
    with app.app_context():
        day = future_weekday(3)
        appointment = factories.appointment(  # no lawyer: an unassigned request
            enterprise=db.session.get(Enterprise, world["ids"]["owner"][1]),
            start=at(day, "11:00"),
            mode="phone",
            topic="tax",
            status="requested",
        )
        db.session.commit()
        booking_id = appointment.id
    lawyer, other = world["clients"]["lawyer"], world["clients"]["other_lawyer"]
    assert f'data-booking-id="{booking_id}"' in other.get("/bookings/agenda").get_data(as_text=True)
    assert other.post(f"/bookings/{booking_id}/confirm").status_code == 303
    assert lawyer.get(f"/bookings/{booking_id}").status_code == 404
    assert status_of(app, booking_id) == "confirmed"


@pytest.mark.parametrize(
    ("party", "url", "expected"),
    [
        ("owner", "/bookings/agenda", 403),
        ("owner", "/availability", 403),
        ("owner", "/bookings/all", 403),
        ("lawyer", "/bookings/new", 403),
        ("lawyer", "/bookings/all", 403),
        ("staff", "/bookings/agenda", 403),
        ("staff", "/bookings/all", 200),
        ("staff", "/availability", 200),
    ],
)
def test_pages_by_role(app, world, party, url, expected):
    """Each role reaches its own pages; others are 403."""
    assert world["clients"][party].get(url).status_code == expected


def test_anonymous_users_are_sent_to_sign_in(client):
    """Booking pages need a sign-in."""
    for url in ("/bookings/", "/bookings/new", "/bookings/1", "/bookings/1.ics", "/bookings/slots?service=x"):
        response = client.get(url)
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"], url
