"""Vocabulary of accounts: what the audit log says about them."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

#: Audit log actions (the stored codes) → what staff read.
AUDIT_ACTIONS = {
    "user.created": _l("Account created"),
    "user.invited": _l("Colleague invited"),
    "user.joined": _l("Invited colleague joined"),
    "user.activated": _l("Account reactivated"),
    "user.deactivated": _l("Account deactivated"),
    "user.password_changed": _l("Password changed"),
    "user.password_reset": _l("Password reset by e-mail link"),
}

#: Audit log object types → what staff read.
AUDIT_OBJECTS = {
    "user_account": _l("Account"),
}
