"""Every route, every role: who gets the page, who is sent to sign in, who is refused (403) or told 404.

The table below must name every (endpoint, method) of ``app.url_map``; a new route without an entry fails
``test_every_route_has_an_expectation``. To add a route: add a row to ``EXPECTED`` (and, when its URL has a
new variable, a value in ``URL_VALUES``; when its POST needs fields, an entry in ``FORM_DATA``), or — for a
blueprint whose guard tests live elsewhere — its endpoint to ``OWNED_ELSEWHERE``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from flask import url_for
from sqlalchemy import select

from parkportal.availability.service import add_exception
from parkportal.bookings.service import confirm
from parkportal.checkups.service import add_finding, issue
from parkportal.coverage.service import issue_token, state_needs
from parkportal.events.service import register
from parkportal.extensions import db
from parkportal.models import AvailabilityRule, Notification

from . import factories, library_support
from .booking_support import at, future_weekday, working_lawyer
from .event_support import make_event

LOGIN = "login"  # redirected to the sign-in page (302 to /auth/login?next=…)
ROLES = ("anonymous", "enterprise", "lawyer", "staff")

#: (endpoint, method) → expected answer for (anonymous, enterprise, lawyer, staff).
#: Numbers are status codes; 302 is "sent to one's own start page", 303 "done, see the next page",
#: 422 "the (empty) form was refused", 404 "not yours, or doesn't exist".
EXPECTED: dict[tuple[str, str], tuple[int | str, int | str, int | str, int | str]] = {
    ("static", "GET"): (200, 200, 200, 200),
    ("main.index", "GET"): (200, 200, 200, 200),
    ("main.set_language", "POST"): (303, 303, 303, 303),
    ("main.privacy", "GET"): (200, 200, 200, 200),
    ("main.healthz", "GET"): (200, 200, 200, 200),
    ("auth.register", "GET"): (200, 302, 302, 302),
    ("auth.register", "POST"): (422, 302, 302, 302),
    ("auth.login", "GET"): (200, 302, 302, 302),
    ("auth.login", "POST"): (422, 422, 422, 422),
    ("auth.logout", "POST"): (303, 303, 303, 303),
    ("auth.logout_everywhere", "POST"): (LOGIN, 303, 303, 303),
    ("auth.request_login_link", "GET"): (200, 200, 200, 200),
    ("auth.request_login_link", "POST"): (422, 422, 422, 422),
    ("auth.login_link", "GET"): (303, 303, 303, 303),  # a forged link
    ("auth.login_link", "POST"): (303, 303, 303, 303),
    ("auth.change_password", "GET"): (LOGIN, 200, 200, 200),
    ("auth.change_password", "POST"): (LOGIN, 422, 422, 422),
    ("auth.forgot_password", "GET"): (200, 200, 200, 200),
    ("auth.forgot_password", "POST"): (422, 422, 422, 422),
    ("auth.reset_password", "GET"): (303, 303, 303, 303),
    ("auth.reset_password", "POST"): (303, 303, 303, 303),
    ("auth.setup_account", "GET"): (303, 303, 303, 303),  # a forged token
    ("auth.setup_account", "POST"): (303, 303, 303, 303),
    ("auth.invite", "GET"): (LOGIN, 200, 403, 403),
    ("auth.invite", "POST"): (LOGIN, 422, 403, 403),
    ("auth.accept_invitation", "GET"): (303, 303, 303, 303),
    ("auth.accept_invitation", "POST"): (303, 303, 303, 303),
    ("enterprises.mine", "GET"): (LOGIN, 200, 403, 403),
    ("enterprises.index", "GET"): (LOGIN, 403, 403, 200),
    ("enterprises.detail", "GET"): (LOGIN, 403, 403, 200),
    ("enterprises.set_status", "POST"): (LOGIN, 403, 403, 303),
    ("enterprises.reject", "POST"): (LOGIN, 403, 403, 422),  # the bystander is verified: no note, refused
    ("enterprises.edit_mine", "GET"): (LOGIN, 200, 403, 403),
    ("enterprises.edit_mine", "POST"): (LOGIN, 422, 403, 403),
    ("enterprises.resubmit", "POST"): (LOGIN, 409, 403, 403),  # verified: nothing to resubmit
    ("enterprises.roster_upload", "GET"): (LOGIN, 403, 403, 200),
    ("enterprises.roster_upload", "POST"): (LOGIN, 403, 403, 422),
    ("enterprises.roster_apply", "POST"): (LOGIN, 403, 403, 404),  # a forged token
    ("enterprises.roster_problems", "GET"): (LOGIN, 403, 403, 404),
    ("notify.index", "GET"): (LOGIN, 200, 200, 200),
    ("notify.badge", "GET"): (LOGIN, 200, 200, 200),
    ("notify.mark_read", "POST"): (LOGIN, 404, 404, 404),  # the bystander's notification
    ("notify.mark_all_read", "POST"): (LOGIN, 303, 303, 303),
    ("admin.users", "GET"): (LOGIN, 403, 403, 200),
    ("admin.create_user", "GET"): (LOGIN, 403, 403, 200),
    ("admin.create_user", "POST"): (LOGIN, 403, 403, 422),
    ("admin.set_active", "POST"): (LOGIN, 403, 403, 303),
    ("admin.audit_log", "GET"): (LOGIN, 403, 403, 200),
    # Bookings: the bystander's booking belongs to another enterprise and another lawyer.
    ("bookings.index", "GET"): (LOGIN, 200, 200, 302),  # staff go to the full list
    ("bookings.new", "GET"): (LOGIN, 200, 403, 200),
    ("bookings.new", "POST"): (LOGIN, 422, 403, 422),
    ("bookings.slots", "GET"): (LOGIN, 200, 200, 200),
    ("bookings.detail", "GET"): (LOGIN, 404, 404, 200),
    ("bookings.ics", "GET"): (LOGIN, 404, 404, 200),
    ("bookings.cancel", "POST"): (LOGIN, 404, 404, 303),
    ("bookings.confirm", "POST"): (LOGIN, 404, 404, 409),  # confirmed already
    ("bookings.decline", "POST"): (LOGIN, 404, 404, 409),  # confirmed already: only requests are declined
    ("bookings.complete", "POST"): (LOGIN, 404, 404, 422),  # a bare POST: the summary is required (next to it)
    ("bookings.accept", "POST"): (LOGIN, 404, 404, 403),  # only the enterprise agrees to a lawyer's new time
    ("bookings.add_summary", "POST"): (LOGIN, 404, 404, 422),  # a bare POST: nothing to add
    ("bookings.days", "GET"): (LOGIN, 200, 200, 200),
    ("bookings.no_show", "POST"): (LOGIN, 404, 404, 409),
    ("bookings.rate", "POST"): (LOGIN, 404, 404, 403),  # only the enterprise rates
    ("bookings.reschedule", "GET"): (LOGIN, 404, 404, 200),
    ("bookings.reschedule", "POST"): (LOGIN, 404, 404, 422),
    ("bookings.agenda", "GET"): (LOGIN, 403, 200, 403),
    ("availability.index", "GET"): (LOGIN, 403, 200, 200),
    ("availability.add_rule", "POST"): (LOGIN, 403, 422, 422),
    ("availability.delete_rule", "POST"): (LOGIN, 403, 404, 303),  # the bystander lawyer's rule
    ("availability.add_exception", "POST"): (LOGIN, 403, 422, 422),
    ("availability.delete_exception", "POST"): (LOGIN, 403, 404, 303),
    ("availability.specialties", "POST"): (LOGIN, 403, 303, 303),
    ("availability.regenerate_feed", "POST"): (LOGIN, 403, 303, 303),
    ("availability.video_room", "POST"): (LOGIN, 403, 303, 303),
    ("availability.feed", "GET"): (404, 404, 404, 404),  # a forged feed token
    ("bookings.staff_list", "GET"): (LOGIN, 403, 403, 200),
    # Events: the bystander's enterprise is registered for a published event; the client's isn't.
    ("events.index", "GET"): (200, 200, 200, 200),
    ("events.feed", "GET"): (200, 200, 200, 200),
    ("events.detail", "GET"): (200, 200, 200, 200),
    ("events.ics", "GET"): (200, 200, 200, 200),
    ("events.new", "GET"): (LOGIN, 403, 403, 200),
    ("events.new", "POST"): (LOGIN, 403, 403, 422),
    ("events.edit", "GET"): (LOGIN, 403, 403, 200),
    ("events.edit", "POST"): (LOGIN, 403, 403, 422),
    ("events.cancel_event", "POST"): (LOGIN, 403, 403, 303),
    ("events.register", "POST"): (LOGIN, 422, 403, 422),  # the empty form
    ("events.cancel", "POST"): (LOGIN, 404, 403, 404),  # no registration of one's own / none named
    ("events.enterprise_search", "GET"): (LOGIN, 403, 403, 200),
    ("events.checkin_list", "GET"): (LOGIN, 403, 403, 200),
    ("events.check_in", "POST"): (LOGIN, 403, 403, 422),  # no head count
    ("events.walk_in", "POST"): (LOGIN, 403, 403, 422),
    ("events.qr", "GET"): (LOGIN, 404, 403, 200),  # another enterprise's QR code
    ("events.scan", "GET"): (LOGIN, 403, 403, 404),  # a forged check-in link
    ("events.scan", "POST"): (LOGIN, 403, 403, 404),
    ("events.attendance_csv", "GET"): (LOGIN, 403, 403, 200),
    ("events.rate", "POST"): (LOGIN, 404, 403, 403),  # only an attending enterprise rates
    # Library: the bystander's compilation is published, uploaded by another lawyer (unpublished ones: test_library).
    ("library.index", "GET"): (200, 200, 200, 200),
    ("library.detail", "GET"): (200, 200, 200, 200),
    ("library.cover", "GET"): (200, 200, 200, 200),
    ("library.download", "GET"): (LOGIN, 200, 200, 200),
    ("library.new", "GET"): (LOGIN, 403, 200, 200),
    ("library.new", "POST"): (LOGIN, 403, 422, 422),
    ("library.publish", "POST"): (LOGIN, 403, 403, 303),  # a lawyer manages only their own uploads
    ("library.unpublish", "POST"): (LOGIN, 403, 403, 303),
    ("library.printed", "POST"): (LOGIN, 403, 403, 422),
    ("library.reach", "GET"): (LOGIN, 403, 403, 200),
    ("library.stats", "GET"): (LOGIN, 403, 403, 200),
    # Checkups: the bystander's checkup belongs to another enterprise and another lawyer; only staff see it.
    ("checkups.index", "GET"): (LOGIN, 200, 200, 200),
    ("checkups.export", "GET"): (LOGIN, 403, 200, 200),
    ("checkups.detail", "GET"): (LOGIN, 404, 404, 200),
    ("checkups.answers", "POST"): (LOGIN, 404, 404, 403),  # only the enterprise answers
    ("checkups.add_finding", "POST"): (LOGIN, 404, 404, 403),  # only the assigned lawyer
    ("checkups.issue", "POST"): (LOGIN, 404, 404, 403),
    ("checkups.report_pdf", "GET"): (LOGIN, 404, 404, 200),
    ("checkups.correct", "POST"): (LOGIN, 404, 404, 403),  # only the enterprise
    ("checkups.confirm", "POST"): (LOGIN, 404, 404, 409),  # not reported corrected yet
    ("checkups.send_back", "POST"): (LOGIN, 404, 404, 422),  # no note: the form answers first
    ("checkups.remove", "POST"): (LOGIN, 404, 404, 403),  # only the assigned lawyer
    # Coverage: staff only, except stating one's own needs; the bystander has a need and an API token.
    ("coverage.dashboard", "GET"): (LOGIN, 403, 403, 200),
    ("coverage.not_served", "GET"): (LOGIN, 403, 403, 200),
    ("coverage.not_served_csv", "GET"): (LOGIN, 403, 403, 200),
    ("coverage.export_csv", "GET"): (LOGIN, 403, 403, 200),
    ("coverage.export_xlsx", "GET"): (LOGIN, 403, 403, 200),
    ("coverage.timeline", "GET"): (LOGIN, 403, 403, 200),
    ("coverage.state_needs", "POST"): (LOGIN, 422, 403, 404),  # no topic / staff: no enterprise named
    ("coverage.address_need", "POST"): (LOGIN, 403, 403, 303),
    ("coverage.report", "GET"): (LOGIN, 403, 403, 200),
    ("coverage.report_pdf", "GET"): (LOGIN, 403, 403, 200),
    ("coverage.tokens", "GET"): (LOGIN, 403, 403, 200),
    ("coverage.tokens", "POST"): (LOGIN, 403, 403, 422),
    ("coverage.revoke_token", "POST"): (LOGIN, 403, 403, 303),
    # The API answers nothing without a bearer token, whoever is signed in; its description is public.
    ("api.coverage", "GET"): (401, 401, 401, 401),
    ("api.events", "GET"): (401, 401, 401, 401),
    ("api.openapi", "GET"): (200, 200, 200, 200),
}

#: Endpoints whose access rules are tested in another module (each maps to where).
OWNED_ELSEWHERE: dict[str, str] = {}


@dataclass
class Bystander:
    """Records that belong to someone else than the client under test.

    An enterprise with its user and a notification, and a lawyer with a weekly plan, a day off, a
    confirmed booking of that enterprise and a published compilation (with a cover); a published event the
    enterprise is registered for.
    """

    enterprise_id: int
    user_id: int
    note_id: int
    booking_id: int
    rule_id: int
    exception_id: int
    event_id: int
    registration_id: int
    compilation_id: int
    checkup_booking_id: int
    finding_id: int
    need_id: int
    token_id: int


#: URL variable → its value, given the bystander's records.
URL_VALUES: dict[str, Callable[[Bystander], object]] = {
    "filename": lambda b: "css/app.css",
    "token": lambda b: "forged-token",
    "enterprise_id": lambda b: b.enterprise_id,
    "user_id": lambda b: b.user_id,
    "note_id": lambda b: b.note_id,
    "booking_id": lambda b: b.booking_id,
    "rule_id": lambda b: b.rule_id,
    "exception_id": lambda b: b.exception_id,
    "event_id": lambda b: b.event_id,
    "registration_id": lambda b: b.registration_id,
    "compilation_id": lambda b: b.compilation_id,
    "finding_id": lambda b: b.finding_id,
    "need_id": lambda b: b.need_id,
    "token_id": lambda b: b.token_id,
}

#: Values that differ for one area's routes: area → URL variable → its value (a checkup is a checkup booking).
AREA_VALUES: dict[str, dict[str, Callable[[Bystander], object]]] = {
    "checkups": {"booking_id": lambda b: b.checkup_booking_id},
}

#: Form fields a POST needs to get past its own validation (so the answer shows the access rule).
FORM_DATA: dict[tuple[str, str], dict[str, str]] = {
    ("main.set_language", "POST"): {"lang": "en"},
    ("enterprises.set_status", "POST"): {"status": "verified"},
    ("admin.set_active", "POST"): {"active": "0"},
    ("checkups.answers", "POST"): {"ip_trademark": "yes"},
    ("checkups.add_finding", "POST"): {"area": "labor", "finding": "x", "level": "high"},
    ("checkups.issue", "POST"): {"summary": "x"},
    ("checkups.correct", "POST"): {"note": "x"},
}


def routes(app) -> set[tuple[str, str]]:
    """Every (endpoint, method) the app answers, HEAD and OPTIONS aside."""
    return {
        (rule.endpoint, method) for rule in app.url_map.iter_rules() for method in rule.methods - {"HEAD", "OPTIONS"}
    }


def url_for_rule(app, endpoint: str, bystander: Bystander) -> str:
    """The URL of ``endpoint`` with the bystander's ids filled in."""
    rule = next(rule for rule in app.url_map.iter_rules() if rule.endpoint == endpoint)
    values = {**URL_VALUES, **AREA_VALUES.get(endpoint.split(".")[0], {})}
    missing = set(rule.arguments) - set(values)
    assert not missing, f"{endpoint}: add a value for {missing} to URL_VALUES in tests/test_guard.py"
    with app.test_request_context():
        return url_for(endpoint, **{name: values[name](bystander) for name in rule.arguments})


def test_every_route_has_an_expectation(app):
    """Each route of the app is in the guard table or explicitly owned by another test module."""
    unlisted = sorted(
        (endpoint, method)
        for endpoint, method in routes(app)
        if (endpoint, method) not in EXPECTED and endpoint not in OWNED_ELSEWHERE
    )
    assert not unlisted, f"add these routes to EXPECTED (or OWNED_ELSEWHERE) in tests/test_guard.py: {unlisted}"


def test_guard_table_has_no_stale_rows(app):
    """Every row of the table still names a route of the app."""
    existing = routes(app)
    assert not set(EXPECTED) - existing
    assert not set(OWNED_ELSEWHERE) - {endpoint for endpoint, _ in existing}


@pytest.fixture
def bystander(app) -> Bystander:
    """Another enterprise and lawyer, with their records (see ``Bystander``)."""
    with app.app_context():
        user = factories.enterprise_user(status="verified")
        note = Notification(user_id=user.id, text="for someone else", link="/enterprises/mine")
        db.session.add(note)
        lawyer = working_lawyer()
        day = future_weekday(2)
        booking = factories.appointment(
            enterprise=user.enterprise,
            service="labor",
            start=at(day, "10:00"),
            mode="video",
            topic="contracts",
            lawyer=lawyer,
            actor=user,
        )
        checkup = factories.appointment(
            enterprise=user.enterprise,
            service="checkup",
            start=at(future_weekday(3), "10:00"),
            mode="onsite",
            topic="company_law",
            lawyer=lawyer,
            actor=user,
        )
        confirm(checkup, lawyer)
        finding = add_finding(checkup, lawyer, area="labor", finding="未签书面劳动合同", level="high")
        issue(checkup, lawyer, "劳动用工风险较高")
        day_off = add_exception(lawyer, future_weekday(4), "off", note="庭审")
        rule_id = db.session.scalars(select(AvailabilityRule.id).where(AvailabilityRule.lawyer_id == lawyer.id)).first()
        event = make_event()
        registration = register(event, None, 1, "张三", user)
        published = library_support.compilation(lawyer)
        (need,) = state_needs(user.enterprise, ["labor"], "", "profile", user)
        token, _secret = issue_token("区市场监管平台", None)
        db.session.commit()
        return Bystander(
            enterprise_id=user.enterprise_id,
            user_id=user.id,
            note_id=note.id,
            booking_id=booking.id,
            rule_id=rule_id,
            exception_id=day_off.id,
            event_id=event.id,
            registration_id=registration.id,
            compilation_id=published.id,
            checkup_booking_id=checkup.id,
            finding_id=finding.id,
            need_id=need.id,
            token_id=token.id,
        )


def client_for(request, app, role: str):
    """A client signed in as ``role`` (the enterprise user is the first user of a verified enterprise)."""
    if role == "anonymous":
        return app.test_client()
    return request.getfixturevalue(f"{role}_client")


CASES = [
    pytest.param(endpoint, method, role, expected[index], id=f"{method} {endpoint} as {role}")
    for (endpoint, method), expected in EXPECTED.items()
    for index, role in enumerate(ROLES)
]


@pytest.mark.parametrize(("endpoint", "method", "role", "expected"), CASES)
def test_route_guard(request, app, bystander, endpoint, method, role, expected):
    """The route answers this role as the table says."""
    client = client_for(request, app, role)
    url = url_for_rule(app, endpoint, bystander)
    response = client.open(url, method=method, data=FORM_DATA.get((endpoint, method), {}))
    if expected == LOGIN:
        assert response.status_code == 302, response.status
        assert response.headers["Location"].startswith("/auth/login?next=")
    else:
        assert response.status_code == expected, response.get_data(as_text=True)[:300]


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("GET", "/enterprises/999999"),
        ("POST", "/enterprises/999999/status"),
        ("POST", "/admin/users/999999/active"),
        ("GET", "/no/such/page"),
    ],
)
def test_missing_records_are_404_for_staff(staff_client, method, url):
    """Ids that don't exist answer 404, also to staff who may see everything."""
    assert staff_client.open(url, method=method, data={"status": "verified", "active": "0"}).status_code == 404


def test_own_notification_can_be_marked_read(app, enterprise_client):
    """The owner may mark a notification read (the guard table shows others get 404)."""
    with app.app_context():
        note = Notification(user_id=enterprise_client.user_id, text="yours", link="/enterprises/mine")
        db.session.add(note)
        db.session.commit()
        note_id = note.id
    response = enterprise_client.post(f"/notifications/{note_id}/read")
    assert response.status_code == 303 and response.headers["Location"] == "/enterprises/mine"
    with app.app_context():
        assert db.session.get(Notification, note_id).read_at is not None
