"""Vocabulary of lawyers' availability: weekdays and the audit actions of the plan editor."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

WEEKDAYS = {
    1: _l("Monday"),
    2: _l("Tuesday"),
    3: _l("Wednesday"),
    4: _l("Thursday"),
    5: _l("Friday"),
    6: _l("Saturday"),
    7: _l("Sunday"),
}

#: A lawyer's title (stored code) → label, senior first.
LAWYER_TITLES = {
    "senior_partner": _l("Senior partner"),
    "partner": _l("Partner"),
    "senior_associate": _l("Senior associate"),
    "associate": _l("Associate"),
    "assistant": _l("Legal assistant"),
}

#: Kinds of date exceptions: time off, or extra hours beyond the weekly plan.
EXCEPTION_KINDS = {"off": _l("Time off"), "extra": _l("Extra hours")}

#: Audit log actions (the stored codes) → what staff read.
AUDIT_ACTIONS = {
    "availability.rule_added": _l("Weekly availability added"),
    "availability.rule_removed": _l("Weekly availability removed"),
    "availability.exception_added": _l("Day off or extra hours added"),
    "availability.exception_removed": _l("Day off or extra hours removed"),
    "availability.specialties": _l("Specialties changed"),
    "availability.feed_regenerated": _l("Calendar address renewed"),
    "availability.video_room": _l("Default video meeting room changed"),
}

#: Audit log object types → what staff read.
AUDIT_OBJECTS = {
    "lawyer_profile": _l("Lawyer"),
    "availability_rule": _l("Weekly availability"),
    "availability_exception": _l("Day off or extra hours"),
}

#: Audit details → what staff read.
AUDIT_DETAILS = {
    "weekday": _l("Weekday"),
    "day": _l("Date"),
    "kind": _l("Kind"),
    "specialties": _l("Specialties"),
}

#: Detail values → what staff read.
AUDIT_VALUES = dict(EXCEPTION_KINDS)
