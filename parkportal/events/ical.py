"""Calendar files of events: one event (download, e-mail attachment) and the public feed of published events.

Built with ``core.ical`` (stable UIDs, Asia/Shanghai times with their VTIMEZONE, escaping); a change to an event
raises its SEQUENCE, so calendar apps move the entry instead of adding another.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import url_for
from flask_babel import gettext as _

from ..core import ical, vocab
from ..models import Event
from . import vocab as event_vocab

STATUS = {"published": "CONFIRMED", "cancelled": "CANCELLED", "draft": "TENTATIVE"}


def _entry(event: Event):
    """The event as a calendar entry (local times, a link back to its page)."""
    link = url_for("events.detail", event_id=event.id, _external=True)
    lines = [
        _("Category: %(category)s", category=vocab.label(event_vocab.EVENT_CATEGORIES, event.category)),
        _("Topics: %(topics)s", topics=", ".join(vocab.labels(vocab.TOPICS, event.topics))),
    ]
    if event.speakers:
        lines.append(_("Speakers: %(names)s", names=", ".join(s.name for s in event.speakers)))
    if event.online_url:
        lines.append(_("Online: %(url)s", url=event.online_url))
    if event.description:
        lines += ["", event.description]
    lines += ["", link]
    return ical.event(
        uid=ical.uid("event", event.id),
        start=event.start_at,
        end=event.end_at,
        summary=event.title,
        description="\n".join(lines),
        location=event.location or event.online_url or "",
        url=link,
        status=STATUS.get(event.status, "CONFIRMED"),
        sequence=event.sequence,
    )


def event_ics(event: Event) -> bytes:
    """A calendar file holding one event."""
    return ical.to_bytes(event.title, [_entry(event)], method="PUBLISH")


def feed_ics(name: str, events: Iterable[Event]) -> bytes:
    """The subscribable calendar of ``events``."""
    return ical.to_bytes(name, (_entry(event) for event in events))
