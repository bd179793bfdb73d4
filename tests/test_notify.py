"""The outbox: e-mails are rendered into it with the request, delivered by send-outbox, retried on failure."""

from __future__ import annotations

import re
import socket

import pytest
from sqlalchemy import select

from parkportal.core.notify import notify, queue_email
from parkportal.extensions import db
from parkportal.models import Notification, OutboxMessage
from parkportal.notify import mail
from parkportal.notify.outbox import deliver_outbox

from . import factories


def queue_verified_mail(app) -> int:
    """Put one 'enterprise verified' notification and e-mail in the outbox; returns the message id."""
    with app.test_request_context():
        user = factories.enterprise_user()
        notify(
            user,
            lambda: "verified",
            ("enterprises.mine", {}),
            email_template="emails/enterprise_verified",
            enterprise=user.enterprise,
        )
        db.session.commit()
        return db.session.scalar(select(OutboxMessage.id))


def outbox(app, message_id: int) -> OutboxMessage:
    """A fresh copy of an outbox message."""
    with app.app_context():
        message = db.session.get(OutboxMessage, message_id)
        db.session.expunge(message)
        return message


def test_notification_goes_to_the_list_and_the_outbox(app):
    """notify() adds an in-app notification and renders the e-mail (subject, text, html) into the outbox."""
    message_id = queue_verified_mail(app)
    with app.app_context():
        note = db.session.scalars(select(Notification)).one()
        assert (note.text, note.link, note.read_at) == ("verified", "/enterprises/mine", None)
    message = outbox(app, message_id)
    assert message.status == "pending" and message.attempts == 0
    assert message.subject and "\n" not in message.subject
    assert "http://portal.test/" in message.body_text
    assert message.body_html.startswith("<div") and app.config["PARK_NAME"] in message.body_html
    assert "<p>" in message.body_html


def test_email_is_written_in_the_recipients_language(app):
    """A user who chose English gets the e-mail in English, whatever the request's language."""
    with app.test_request_context():
        user = factories.enterprise_user(locale="en")
        message = queue_email(user.email, "emails/password_reset", locale=user.locale, user=user, link="http://x/y")
        assert message.subject == "Choose a new password"
        assert "Open this link within one hour" in message.body_text


def test_failed_delivery_is_kept_and_retried_until_it_succeeds(app, monkeypatch):
    """A failing send is recorded with its error and retried by the next run, then marked sent."""
    message_id = queue_verified_mail(app)

    def refuse(message):
        raise ConnectionRefusedError("smtp server down")

    monkeypatch.setattr(mail, "send", refuse)
    with app.app_context():
        assert deliver_outbox() == (0, 1)
    failed = outbox(app, message_id)
    assert (failed.status, failed.attempts, failed.sent_at) == ("failed", 1, None)
    assert failed.last_error == "ConnectionRefusedError: smtp server down"

    sent_ids = []
    monkeypatch.setattr(mail, "send", lambda message: sent_ids.append(message.id))
    with app.app_context():
        assert deliver_outbox() == (1, 0)
    sent = outbox(app, message_id)
    assert (sent.status, sent.attempts, sent.last_error) == ("sent", 2, None)
    assert sent.sent_at is not None
    assert sent_ids == [message_id]
    with app.app_context():
        assert deliver_outbox() == (0, 0)  # a sent message is not sent again


def test_delivery_gives_up_after_max_attempts(app, monkeypatch):
    """A message that keeps failing is tried OUTBOX_MAX_ATTEMPTS times, then left alone with its error."""
    message_id = queue_verified_mail(app)
    monkeypatch.setattr(mail, "send", lambda message: (_ for _ in ()).throw(OSError("mailbox unavailable")))
    monkeypatch.setitem(app.config, "OUTBOX_MAX_ATTEMPTS", 3)
    with app.app_context():
        results = [deliver_outbox() for _ in range(5)]
    assert results == [(0, 1), (0, 1), (0, 1), (0, 0), (0, 0)]
    message = outbox(app, message_id)
    assert (message.status, message.attempts) == ("failed", 3)
    assert "mailbox unavailable" in message.last_error


def closed_port() -> int:
    """A local TCP port nobody listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_send_outbox_command_records_a_real_smtp_failure(app, runner, monkeypatch):
    """send-outbox against an SMTP server that isn't there keeps the message failed, with the error."""
    message_id = queue_verified_mail(app)
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", closed_port())
    result = runner.invoke(args=["send-outbox"])
    assert result.exit_code == 0, result.output
    assert "sent 0, failed 1" in result.output
    message = outbox(app, message_id)
    assert message.status == "failed" and "ConnectionRefusedError" in message.last_error


def test_send_outbox_without_mail_server_logs_the_message(app, runner, caplog):
    """Without MAIL_SERVER the message is written to the log and counts as sent."""
    message_id = queue_verified_mail(app)
    with caplog.at_level("INFO", logger="parkportal.mail"):
        result = runner.invoke(args=["send-outbox"])
    assert "sent 1, failed 0" in result.output
    assert outbox(app, message_id).status == "sent"
    assert any("no MAIL_SERVER" in record.getMessage() for record in caplog.records)


def test_mime_message_has_text_html_and_attachment(app):
    """The built e-mail has the text, an HTML alternative and the attachment."""
    with app.test_request_context():
        user = factories.enterprise_user()
        message = queue_email(
            user.email,
            "emails/password_reset",
            user=user,
            link="http://x/y",
            attachment=("预约.ics", "text/calendar", b"BEGIN:VCALENDAR"),
        )
        email = mail.build(message)
    assert email["To"] == user.email
    types = [part.get_content_type() for part in email.walk()]
    assert "text/plain" in types and "text/html" in types and "text/calendar" in types
    attachment = next(part for part in email.walk() if part.get_content_type() == "text/calendar")
    assert attachment.get_filename() == "预约.ics"


@pytest.mark.parametrize("htmx", [False, True])
def test_mark_all_read(app, enterprise_client, htmx):
    """'Mark all as read' clears the unread count; for htmx it also triggers the badge refresh."""
    with app.app_context():
        for text in ("a", "b"):
            db.session.add(Notification(user_id=enterprise_client.user_id, text=text))
        db.session.commit()
    page = enterprise_client.get("/notifications/").get_data(as_text=True)
    assert re.search(r'<span id="unread-badge" class="badge"[^>]*>2</span>', page)
    response = enterprise_client.post("/notifications/read-all", headers={"HX-Request": "true"} if htmx else {})
    assert response.status_code == 303
    assert (response.headers.get("HX-Trigger") == "notifications-changed") is htmx
    badge = enterprise_client.get("/notifications/badge").get_data(as_text=True)
    assert re.search(r'<span id="unread-badge" class="badge hidden"[^>]*>0</span>', badge)
