"""Queue e-mails and in-app notifications; deliver the outbox (``send-outbox``)."""

from __future__ import annotations

import logging

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select

from ..extensions import db
from ..models import Notification, OutboxMessage, User
from ..timeutil import utcnow
from . import mail

log = logging.getLogger(__name__)


def render_email_block(template_name: str, block: str, **context) -> str:
    """Render one block of an e-mail template, including blocks inherited from ``emails/_layout.html``.

    (jinja2-fragments' ``render_block`` only sees the blocks the child itself defines, so ``html`` — defined by
    the layout around the child's ``html_body`` — was not found.) Running the template once fills the context's
    block chain the way ``{% extends %}`` does; then the wanted block renders with the child's overrides.
    """
    template = current_app.jinja_env.get_template(template_name)
    current_app.update_template_context(context)
    ctx = template.new_context(context)
    for _chunk in template.root_render_func(ctx):
        pass
    return "".join(ctx.blocks[block][0](ctx))


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
    name = f"{template}.html"
    with force_locale(locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        subject = render_email_block(name, "subject", **context).strip()
        text = render_email_block(name, "text", **context).strip() + "\n"
        html = render_email_block(name, "html", **context).strip()
    message = OutboxMessage(recipient=recipient, subject=subject, body_text=text, body_html=html or None)
    if attachment is not None:
        message.attachment_name, message.attachment_type, message.attachment = attachment
    db.session.add(message)
    return message


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
