"""Deliver one outbox message: over SMTP when ``MAIL_SERVER`` is set, otherwise to the log."""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

from flask import current_app

from ..models import OutboxMessage

log = logging.getLogger("parkportal.mail")


def build(message: OutboxMessage) -> EmailMessage:
    """The MIME message: plain text, an HTML alternative, and the attachment if any."""
    email = EmailMessage()
    email["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email.set_content(message.body_text)
    if message.body_html:
        email.add_alternative(message.body_html, subtype="html")
    if message.attachment is not None and message.attachment_name:
        maintype, _, subtype = (message.attachment_type or "application/octet-stream").partition("/")
        email.add_attachment(message.attachment, maintype=maintype, subtype=subtype, filename=message.attachment_name)
    return email


def send(message: OutboxMessage) -> None:
    """Send or log the message; raise on failure (the caller records it and retries later)."""
    config = current_app.config
    email = build(message)
    if not config.get("MAIL_SERVER"):
        log.info(
            "mail (no MAIL_SERVER set, logged only) to %s: %s\n%s",
            message.recipient,
            message.subject,
            message.body_text,
        )
        return
    smtp_class = smtplib.SMTP_SSL if config.get("MAIL_USE_SSL") else smtplib.SMTP
    with smtp_class(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=20) as smtp:
        if config.get("MAIL_USE_TLS") and not config.get("MAIL_USE_SSL"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        smtp.send_message(email)
