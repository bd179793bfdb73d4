"""Deliver the outbox (``send-outbox``); ``core.notify`` is what queues e-mails and in-app notifications."""

from __future__ import annotations

import logging

from flask import current_app
from sqlalchemy import select

from ..extensions import db
from ..models import OutboxMessage
from ..timeutil import utcnow
from . import mail

log = logging.getLogger(__name__)


def deliver_outbox(limit: int = 200) -> tuple[int, int]:
    """Send pending messages and retry failed ones, each up to ``OUTBOX_MAX_ATTEMPTS`` times (cron runs it).

    Each message is committed on its own, so one bad address doesn't hold back the rest. A portal that doesn't know
    its public address sends nothing (``NoPublicAddress``: ``send-outbox`` says what to set and exits 1).
    Returns (sent, failed).
    """
    current_app.public_address()
    max_attempts = current_app.config["OUTBOX_MAX_ATTEMPTS"]
    candidates = db.session.scalars(
        select(OutboxMessage)
        .where(
            OutboxMessage.status.in_(("pending", "failed")),
            OutboxMessage.attempts < max_attempts,
        )
        .order_by(OutboxMessage.id)
        .limit(limit)
    ).all()
    sent = failed = 0
    for message in candidates:
        message.attempts += 1
        try:
            mail.send(message)
        except Exception as error:  # noqa: BLE001 - any delivery failure is recorded and retried
            message.status = "failed"
            message.last_error = f"{type(error).__name__}: {error}"[:2000]
            failed += 1
            log.warning("outbox message %s to %s failed: %s", message.id, message.recipient, message.last_error)
        else:
            message.status = "sent"
            message.sent_at = utcnow()
            message.last_error = None
            sent += 1
        db.session.commit()
    return sent, failed


def init_app(app) -> None:
    """With ``OUTBOX_SEND_AFTER_REQUEST`` (development), deliver what a request queued once it has committed."""

    @app.teardown_request
    def send_queued(error: BaseException | None) -> None:
        """After the request's one commit: deliver pending e-mails (a failure is recorded on the message)."""
        if error is not None or not app.config["OUTBOX_SEND_AFTER_REQUEST"]:
            return
        try:
            pending = db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.status == "pending").limit(1))
            if pending is not None:
                deliver_outbox(limit=20)
        except Exception:  # noqa: BLE001 - delivery must never break the page that was already answered
            db.session.rollback()
            log.exception("delivering the outbox after a request failed")
