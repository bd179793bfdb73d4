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
    "user.password_set": _l("Own password set from the invitation"),
    "user.password_changed": _l("Password changed"),
    "user.password_reset": _l("Password reset by e-mail link"),
    "user.signed_out_everywhere": _l("Signed out on all devices"),
    "user.signed_in_by_link": _l("Signed in with a one-time e-mail link"),
    "user.sign_in_throttled": _l("Sign-in paused after many wrong passwords; owner told"),
}

#: Audit log object types → what staff read.
AUDIT_OBJECTS = {
    "user_account": _l("Account"),
}
