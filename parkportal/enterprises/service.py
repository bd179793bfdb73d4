"""Enterprises on the roster: verification and archiving (functions over the session; they flush, never commit)."""

from __future__ import annotations

from flask_babel import gettext as _

from .. import accounts
from ..core import audit
from ..core.notify import notify
from ..models import Enterprise, User


def set_status(enterprise: Enterprise, status: str, actor: User | None) -> None:
    """Verify, archive or reopen ``enterprise``: audited; on verification its users are told (in their language)."""
    previous = enterprise.status
    accounts.set_enterprise_status(enterprise, status)
    audit.record(f"enterprise.{status}", enterprise, actor=actor, previous=previous)
    if status == "verified" and previous != "verified":
        for user in enterprise.users:
            notify(
                user,
                lambda: _(
                    "%(name)s is verified: you can now book lawyers and sign up for events.", name=enterprise.name
                ),
                ("enterprises.mine", {}),
                email_template="emails/enterprise_verified",
                enterprise=enterprise,
            )
