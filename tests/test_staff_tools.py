"""Small things that make staff's and everyone's day easier: counters, confirmations, the station's phone, e-mail in
development."""

from __future__ import annotations

from sqlalchemy import select

from parkportal.extensions import db
from parkportal.models import OutboxMessage

from . import factories
from .conftest import english


def test_staff_see_how_many_enterprises_wait_for_verification(app, staff_client, enterprise_client):
    """The navigation counts pending enterprises for staff (linking to them); others see no such count."""
    with app.app_context():
        for _ in range(3):
            factories.enterprise(status="pending")
        db.session.commit()
    page = english(staff_client).get("/").get_data(as_text=True)
    assert "3 enterprises wait for verification" in page and 'href="/enterprises/?status=pending"' in page
    assert "wait for verification" not in english(enterprise_client).get("/").get_data(as_text=True)


def test_deactivating_an_account_asks_first_and_lawyers_link_to_their_availability(app, staff_client):
    """The accounts page confirms a deactivation and links each lawyer's availability for staff to edit."""
    with app.app_context():
        lawyer = factories.lawyer(name="赵欣")
        db.session.commit()
        lawyer_id = lawyer.id
    page = english(staff_client).get("/admin/users").get_data(as_text=True)
    assert 'hx-confirm="Deactivate 赵欣?' in page
    assert f'href="/availability?lawyer={lawyer_id}"' in page


def test_the_station_phone_is_on_every_page(app, client):
    """The footer gives the service station's address and a phone number people can tap."""
    page = client.get("/").get_data(as_text=True)
    assert app.config["SERVICE_STATION_PHONE"] in page and 'href="tel:051985186110"' in page


def test_make_run_delivers_emails_after_each_request(make_app):
    """With OUTBOX_SEND_AFTER_REQUEST (make run), an e-mail queued by a request is delivered (to the log) at once."""
    app = make_app(OUTBOX_SEND_AFTER_REQUEST=True)
    with app.app_context():
        user = factories.enterprise_user()
        db.session.commit()
        email = user.email
    response = app.test_client().post("/auth/forgot", data={"email": email})
    assert response.status_code == 303
    with app.app_context():
        message = db.session.scalars(select(OutboxMessage)).one()
        assert (message.status, message.attempts) == ("sent", 1)


def test_without_the_setting_emails_wait_for_send_outbox(app, client):
    """By default (production) a request only queues the e-mail; send-outbox delivers it."""
    with app.app_context():
        user = factories.enterprise_user()
        db.session.commit()
        email = user.email
    assert client.post("/auth/forgot", data={"email": email}).status_code == 303
    with app.app_context():
        assert db.session.scalars(select(OutboxMessage.status)).one() == "pending"


def test_privacy_notice_is_public_and_linked_from_registration(client):
    """The notice says who processes what and why, with the station's contact; registration links to it."""
    page = english(client).get("/privacy").get_data(as_text=True)
    assert "Personal Information Protection Law" in page and "Who sees it" in page
    assert 'href="/privacy"' in client.get("/auth/register").get_data(as_text=True)
