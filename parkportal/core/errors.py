"""The domain's refusals, one small family for every area.

A domain function raises one of these with a message already translated for the person acting and, when the
refusal is about one input, that field's name; ``web.refuse`` turns any of them into the right answer (the
message next to the field with the input kept, 403, 404 or 409). Nothing is written: the request rolls back.
"""

from __future__ import annotations


class DomainError(Exception):
    """A refusal with a translated ``message``; ``field`` names the input it is about (or ``None``)."""

    #: The HTTP status a view answers with when the refusal is not about one field of a form.
    status = 422

    def __init__(self, message: str, field: str | None = None):
        super().__init__(str(message))
        self.message = str(message)
        self.field = field


class Invalid(DomainError):
    """Input that breaks a rule: shown next to ``field`` (422) with what the user typed."""


class NotAllowed(DomainError):
    """The acting user's role may not do this (403)."""

    status = 403


class NotFound(DomainError):
    """No such record, or not one the acting user may see: the two answer alike (404), so ids can't be probed."""

    status = 404


class WrongState(DomainError):
    """The record is not in a state that allows this action (409)."""

    status = 409


class Conflict(DomainError):
    """Someone else got there first (a slot, a seat, a unique name); shown next to ``field`` when given (409)."""

    status = 409
