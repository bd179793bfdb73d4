"""Tell people: an in-app notification and, optionally, an e-mail in the outbox — in the recipient's language.

Texts are passed as callables (``lambda: _("…", name=…)``) and rendered under the recipient's remembered language
(``User.locale``, set by the language switch), so a lawyer who reads English gets English from a Chinese-speaking
enterprise. Links are named by endpoint and values and built here, so domain code builds no URLs. E-mails go out
with the request's commit (``send-outbox`` delivers them), so nothing is sent for work that was rolled back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app, url_for
from flask_babel import force_locale
from jinja2 import Environment

from ..extensions import db
from ..models import Notification, OutboxMessage, User
from .parsing import clean_line, fit

#: A link to a page: (endpoint, URL values), e.g. ("bookings.detail", {"booking_id": 7}).
Link = tuple[str, dict[str, Any]]
Attachment = tuple[str, str, bytes]


def recipient_locale(user: User | None) -> str:
    """The language to write to ``user`` in: theirs if the portal speaks it, else the default."""
    locale = getattr(user, "locale", None)
    return locale if locale in current_app.config["LANGUAGES"] else current_app.config["BABEL_DEFAULT_LOCALE"]


#: Blocks of an e-mail template that are plain text: rendered without HTML escaping.
PLAIN_TEXT_BLOCKS = frozenset({"subject", "text"})


def _plain_text_environment() -> Environment:
    """The app's template environment with autoescaping off (its own template cache), made once per app.

    A template's escaping is decided when it is compiled, so the plain-text blocks of an ``.html`` e-mail template
    are rendered from a second compilation that doesn't escape: a subject or text body shows "A & B" and "O'Brien",
    not "A &amp; B" and "O&#39;Brien". Filters, globals and the gettext functions are shared with the app's.
    """
    environment = current_app.extensions.get("parkportal_plain_text_jinja")
    if environment is None:
        environment = current_app.jinja_env.overlay(autoescape=False, cache_size=100)
        current_app.extensions["parkportal_plain_text_jinja"] = environment
    return environment


def render_email_block(template_name: str, block: str, **context: Any) -> str:
    """Render one block of an e-mail template, including blocks inherited from ``emails/_layout.html``.

    ``subject`` and ``text`` are plain text (no HTML escaping); every other block is HTML and escaped as usual.
    (jinja2-fragments' ``render_block`` only sees the blocks the child itself defines, so ``html`` — defined by
    the layout around the child's ``html_body`` — was not found.) Running the template once fills the context's
    block chain the way ``{% extends %}`` does; then the wanted block renders with the child's overrides.
    """
    environment = _plain_text_environment() if block in PLAIN_TEXT_BLOCKS else current_app.jinja_env
    template = environment.get_template(template_name)
    current_app.update_template_context(context)
    ctx = template.new_context(context)
    for _chunk in template.root_render_func(ctx):
        pass
    return "".join(ctx.blocks[block][0](ctx))


def compose_email(
    recipient: str,
    template: str,
    *,
    locale: str | None = None,
    attachment: Attachment | Callable[[], Attachment] | None = None,
    **context: Any,
) -> OutboxMessage:
    """Render ``templates/<template>.html`` (blocks ``subject``, ``text``, ``html``) in ``locale`` into an outbox
    message that is not yet added to the session.

    The subject is one line (names with line breaks can't add a header) cut to its column; so is the attachment's
    name.
    """
    name = f"{template}.html"
    with force_locale(locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        subject = " ".join(clean_line(render_email_block(name, "subject", **context)).split())
        text = render_email_block(name, "text", **context).strip() + "\n"
        html = render_email_block(name, "html", **context).strip()
        attached = attachment() if callable(attachment) else attachment
    message = OutboxMessage(recipient=recipient, subject=fit(subject, 255), body_text=text, body_html=html or None)
    if attached is not None:
        filename, mimetype, content = attached
        message.attachment_name = fit(" ".join(clean_line(filename).split()), 255)
        message.attachment_type, message.attachment = mimetype, content
    return message


def queue_email(
    recipient: str,
    template: str,
    *,
    locale: str | None = None,
    attachment: Attachment | Callable[[], Attachment] | None = None,
    **context: Any,
) -> OutboxMessage:
    """Render ``templates/<template>.html`` (blocks ``subject``, ``text``, ``html``) into the outbox in ``locale``."""
    message = compose_email(recipient, template, locale=locale, attachment=attachment, **context)
    db.session.add(message)
    return message


def link_url(link: Link | None, external: bool = False) -> str | None:
    """The URL of ``link`` (a path, or a full address for e-mails)."""
    if link is None:
        return None
    endpoint, values = link
    return url_for(endpoint, _external=external, **values)


def notify(
    user: User,
    text: Callable[[], str],
    link: Link | None = None,
    *,
    email_template: str | None = None,
    attachment: Attachment | Callable[[], Attachment] | None = None,
    **context: Any,
) -> Notification:
    """Put ``text()`` in ``user``'s in-app list and, with ``email_template``, an e-mail in the outbox — both in
    ``user``'s language."""
    locale = recipient_locale(user)
    with force_locale(locale):
        message = str(text())
    note = Notification(user_id=user.id, text=fit(message, 500), link=link_url(link))
    db.session.add(note)
    if email_template:
        queue_email(
            user.email,
            email_template,
            locale=locale,
            attachment=attachment,
            user=user,
            link=link_url(link, external=True),
            **context,
        )
    return note
