"""Views of lawyers' availability: the editor (weekly plan, exceptions, specialties) and the calendar feed."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..bookings import ical, queries
from ..core.errors import DomainError
from ..models import AvailabilityException, AvailabilityRule, User
from ..timeutil import local_today
from ..web import actor, load_or_404, refuse, render, roles_required
from . import bp, service
from . import slots as slot_rules
from . import vocab as availability_vocab
from .forms import EXCEPTION_KINDS, ExceptionForm, RuleForm, SpecialtiesForm, lawyer_choices


def _target_lawyer() -> User:
    """The lawyer whose availability is shown: oneself, or for staff the one chosen (``lawyer``)."""
    if current_user.is_lawyer:
        return current_user._get_current_object()
    chosen = request.values.get("lawyer", "")
    if chosen:
        lawyer = slot_rules.find_lawyer(chosen)
        if lawyer is None:
            abort(404)
        return lawyer
    everyone = slot_rules.lawyers()
    if not everyone:
        abort(404)
    return everyone[0]


def _availability_page(lawyer: User, code: int = 200, **forms):
    """The availability editor for ``lawyer`` with any forms that failed."""
    forms.setdefault("rule_form", RuleForm(formdata=None))
    forms.setdefault("exception_form", ExceptionForm(formdata=None))
    if "specialties_form" not in forms:
        form = SpecialtiesForm(formdata=None)
        form.specialties.data = lawyer.lawyer_profile.specialty_list if lawyer.lawyer_profile else []
        forms["specialties_form"] = form
    rules = service.weekly_plan(lawyer.id)
    by_day = {day: [r for r in rules if r.weekday == day] for day in availability_vocab.WEEKDAYS}
    return render(
        "availability/index.html",
        lawyer=lawyer,
        by_day=by_day,
        exceptions=service.exceptions(lawyer.id, since=local_today()),
        kinds=EXCEPTION_KINDS,
        lawyer_options=lawyer_choices(None) if current_user.is_staff else [],
        status=code,
        **forms,
    )


def _back_to_availability(lawyer: User):
    """Redirect (303) to the availability editor of ``lawyer``."""
    args = {"lawyer": lawyer.id} if current_user.is_staff else {}
    return redirect(url_for("availability.index", **args), code=303)


@bp.get("")
@roles_required("lawyer", "staff")
def index():
    """The availability editor: weekly plan, date exceptions, specialties and the calendar feed."""
    return _availability_page(_target_lawyer())


@bp.post("/rules")
@roles_required("lawyer", "staff")
def add_rule():
    """Add a weekly range (merged with ranges it touches)."""
    lawyer = _target_lawyer()
    form = RuleForm()
    if not form.validate():
        return _availability_page(lawyer, 422, rule_form=form)
    service.add_rule(lawyer, int(form.weekday.data), form.start_time.data, form.end_time.data, actor())
    flash(_("The weekly plan is updated."), "success")
    return _back_to_availability(lawyer)


@bp.post("/rules/<int:rule_id>/delete")
@roles_required("lawyer", "staff")
def delete_rule(rule_id: int):
    """Remove a weekly range (booked appointments stay)."""
    lawyer = _target_lawyer()
    service.remove_rule(load_or_404(AvailabilityRule, rule_id), actor())
    flash(_("The weekly plan is updated."), "success")
    return _back_to_availability(lawyer)


@bp.post("/exceptions")
@roles_required("lawyer", "staff")
def add_exception():
    """Add time off or extra hours on a date (today or later)."""
    lawyer = _target_lawyer()
    form = ExceptionForm()
    if not form.validate():
        return _availability_page(lawyer, 422, exception_form=form)
    data = form.data
    try:
        service.add_exception(
            lawyer, data["day"], data["kind"], data["start_time"], data["end_time"], data["note"], actor=actor()
        )
    except DomainError as error:
        return refuse(error, lambda code, _message: _availability_page(lawyer, code, exception_form=form), form)
    flash(_("The exception is saved."), "success")
    return _back_to_availability(lawyer)


@bp.post("/exceptions/<int:exception_id>/delete")
@roles_required("lawyer", "staff")
def delete_exception(exception_id: int):
    """Remove a date exception."""
    lawyer = _target_lawyer()
    service.remove_exception(load_or_404(AvailabilityException, exception_id), actor())
    flash(_("The exception is removed."), "success")
    return _back_to_availability(lawyer)


@bp.post("/specialties")
@roles_required("lawyer", "staff")
def specialties():
    """Set the lawyer's specialties (used to suggest the right lawyer for "any lawyer")."""
    lawyer = _target_lawyer()
    form = SpecialtiesForm()
    if not form.validate():
        return _availability_page(lawyer, 422, specialties_form=form)
    service.set_specialties(lawyer, form.specialties.data or [], actor())
    flash(_("The specialties are saved."), "success")
    return _back_to_availability(lawyer)


@bp.post("/feed")
@roles_required("lawyer", "staff")
def regenerate_feed():
    """Give the lawyer's calendar feed a new secret address; the old one stops working."""
    lawyer = _target_lawyer()
    service.renew_feed(lawyer, actor())
    flash(_("The calendar address is renewed; the old one no longer works."), "success")
    return _back_to_availability(lawyer)


@bp.get("/feed/<token>.ics")
def feed(token: str):
    """A lawyer's calendar (requested and confirmed appointments) at a secret, revocable address; no login."""
    try:
        lawyer = service.feed_owner(token)
    except DomainError as error:
        return refuse(error, lambda code, message: abort(code))
    body = ical.feed_ics(_("Appointments of %(name)s", name=lawyer.name), queries.lawyer_feed(lawyer.id))
    return Response(body, mimetype="text/calendar", headers={"Cache-Control": "private, max-age=300"})
