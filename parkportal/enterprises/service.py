"""Enterprises on the roster: verification, correction, archiving and their own details (functions over the
session; they flush, never commit)."""

from __future__ import annotations

from flask_babel import gettext as _

from .. import accounts
from ..core import audit
from ..core.errors import Conflict, Invalid, WrongState
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


#: What an enterprise's own users may change on its profile; ``name`` and ``uscc`` only until it is verified.
PROFILE_FIELDS = ("industry", "employees", "contact_name", "phone", "address")
IDENTITY_FIELDS = ("name", "uscc")


def reject(enterprise: Enterprise, reason: str, actor: User | None) -> None:
    """Return a registration for correction with ``reason``; its users are told what to fix (in their language)."""
    if enterprise.status != "pending":
        raise WrongState(_("Only a registration waiting for verification can be returned for correction."))
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(_("Say what the enterprise should correct."), "reason")
    accounts.set_enterprise_status(enterprise, "rejected")
    enterprise.review_note = reason[:2000]
    audit.record("enterprise.rejected", enterprise, actor=actor, reason=reason)
    for user in enterprise.active_users:
        notify(
            user,
            lambda: _("%(name)s: please correct your registration.", name=enterprise.name),
            ("enterprises.mine", {}),
            email_template="emails/enterprise_rejected",
            enterprise=enterprise,
        )


def resubmit(enterprise: Enterprise, actor: User) -> None:
    """The enterprise sends its corrected registration back to the station for verification."""
    if enterprise.status != "rejected":
        raise WrongState(_("Only a registration returned for correction can be resubmitted."))
    accounts.set_enterprise_status(enterprise, "pending")
    audit.record("enterprise.resubmitted", enterprise, actor=actor, note=enterprise.review_note)
    enterprise.review_note = None


def update_profile(enterprise: Enterprise, actor: User, values: dict[str, str | None]) -> list[str]:
    """Change the enterprise's details; returns the fields that changed (audited).

    Name and USCC are taken only while the enterprise can still correct them (``can_change_identity``); the USCC
    must be valid and not another enterprise's.
    """
    allowed = PROFILE_FIELDS + (IDENTITY_FIELDS if enterprise.can_change_identity else ())
    if "uscc" in allowed and values.get("uscc"):
        code = accounts.clean_uscc(values["uscc"])
        other = accounts.find_enterprise_by_uscc(code)
        if not accounts.uscc_is_valid(code):
            raise Invalid(_("This is not a valid unified social credit code: please check every character."), "uscc")
        if other is not None and other.id != enterprise.id:
            raise Conflict(_("Another enterprise is registered with this code. Please call the station."), "uscc")
        values = {**values, "uscc": code}
    changed = [key for key in allowed if key in values and getattr(enterprise, key) != (values[key] or None)]
    for key in changed:
        setattr(enterprise, key, values[key] or None)
    if changed:
        audit.record("enterprise.updated", enterprise, actor=actor, fields=changed)
    return changed
