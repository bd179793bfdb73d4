"""Queue e-mails and in-app notifications; deliver the outbox (``send-outbox``)."""

from __future__ import annotations

import logging

from flask import current_app
from flask_babel import force_locale
from jinja2.utils import concat
from sqlalchemy import select

from ..extensions import db
from ..models import Notification, OutboxMessage, User
from ..timeutil import utcnow
from . import mail

log = logging.getLogger(__name__)


def queue_email(
    recipient: str,
    template: str,
    *,
    locale: str | None = None,
    attachment: tuple[str, str, bytes] | None = None,
    **context,
) -> OutboxMessage:
    """Render ``templates/<template>.html`` (blocks ``subject``, ``text``, ``html``) into the outbox.

    The message is written in the recipient's language and goes out with the request's commit, so
    nothing is sent for work that was rolled back. ``attachment`` is (file name, MIME type, bytes).
    """
    with force_locale(locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        parts = render_email_blocks(f"{template}.html", context)
    subject = " ".join(parts["subject"].split())
    text = parts["text"].strip() + "\n"
    html = parts["html"].strip()
    message = OutboxMessage(recipient=recipient, subject=subject, body_text=text, body_html=html or None)
    if attachment is not None:
        message.attachment_name, message.attachment_type, message.attachment = attachment
    db.session.add(message)
    return message


def render_email_blocks(name: str, context: dict) -> dict[str, str]:
    """Render the ``subject``, ``text`` and ``html`` blocks of an e-mail template.

    The blocks may come from the template or from the layout it extends (``html`` wraps the template's
    ``html_body`` in ``emails/_layout.html``); rendering a block alone only sees the template's own blocks.
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    context = dict(context)
    app.update_template_context(context)
    template = app.jinja_env.get_template(name)
    jinja_context = template.new_context(context)
    # Running the template once executes its {% extends %}, which adds the layout's blocks to the context.
    for _ in template.root_render_func(jinja_context):
        pass
    return {part: concat(jinja_context.blocks[part][0](jinja_context)) for part in ("subject", "text", "html")}


def notify(
    user: User,
    text: str,
    link: str | None = None,
    *,
    email_template: str | None = None,
    attachment: tuple[str, str, bytes] | None = None,
    **context,
) -> Notification:
    """Put a notification in the user's in-app list and, with ``email_template``, in the outbox too."""
    note = Notification(user_id=user.id, text=text[:500], link=link)
    db.session.add(note)
    if email_template:
        queue_email(
            user.email, email_template, locale=user.locale, attachment=attachment, user=user, link=link, **context
        )
    return note


def deliver_outbox(limit: int = 200) -> tuple[int, int]:
    """Send pending messages and retry failed ones, each up to ``OUTBOX_MAX_ATTEMPTS`` times (cron runs it).

    Each message is committed on its own, so one bad address doesn't hold back the rest.
    Returns (sent, failed).
    """
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
