"""Helpers shared by the checkup tests: a checkup booking between a fresh enterprise and a lawyer, answers."""

from __future__ import annotations

from parkportal.bookings import service as booking
from parkportal.checkups import questionnaire as qn
from parkportal.extensions import db

from . import factories
from .booking_support import at, future_weekday, working_lawyer


def checkup_booking(user=None, lawyer=None, confirm: bool = True, weekday: int = 2, hhmm: str = "09:00"):
    """A checkup booked by ``user`` (a new verified enterprise user by default) with ``lawyer``, confirmed."""
    user = user or factories.enterprise_user()
    lawyer = lawyer or working_lawyer()
    appointment = factories.appointment(
        enterprise=user.enterprise,
        service="checkup",
        start=at(future_weekday(weekday), hhmm),
        mode="onsite",
        topic="company_law",
        lawyer=lawyer,
        actor=user,
    )
    if confirm:
        booking.confirm(appointment, lawyer)
    db.session.flush()
    return appointment


def full_answers(**overrides) -> dict:
    """A complete, valid set of form answers to the package questionnaire (no risk unless overridden)."""
    definition = qn.package_definition()
    answers: dict = {}
    for q in definition.questions:
        if q.kind == "yesno":
            # The safe answer: "no" where "yes" is the risky one, else "yes".
            answers[q.code] = "no" if q.risk and "yes" in q.risk.when else "yes"
        elif q.kind == "single":
            safe = [o.code for o in q.options if not (q.risk and o.code in q.risk.when)]
            answers[q.code] = safe[0]
        elif q.kind == "multiple":
            safe = [o.code for o in q.options if not (q.risk and o.code in q.risk.when) and o.code != "none"]
            answers[q.code] = safe[:1] or [q.options[-1].code]
        else:
            answers[q.code] = "约 45 人，其中实习生 3 人"
    answers.update(overrides)
    return answers
