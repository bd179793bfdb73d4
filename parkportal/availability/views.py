"""Views of lawyers' availability: the editor (weekly plan, exceptions, specialties) and the calendar feed."""

from __future__ import annotations

from datetime import timedelta

from flask import Response, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..bookings import ical
from ..bookings.queries import CARD_OPTIONS
from ..core import audit
from ..extensions import db
from ..models import Appointment, AvailabilityException, AvailabilityRule, LawyerProfile, User
from ..models.booking import new_feed_token
from ..timeutil import local_today, utcnow
from ..web import actor, load_or_404, render, roles_required
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
    rule = service.add_weekly_range(lawyer, int(form.weekday.data), form.start_time.data, form.end_time.data)
    audit.record(
        "availability.rule_added", rule, actor=actor(), lawyer_id=lawyer.id, weekday=rule.weekday, start=rule.start_time
    )
    flash(_("The weekly plan is updated."), "success")
    return _back_to_availability(lawyer)


@bp.post("/rules/<int:rule_id>/delete")
@roles_required("lawyer", "staff")
def delete_rule(rule_id: int):
    """Remove a weekly range (booked appointments stay)."""
    lawyer = _target_lawyer()
    rule = load_or_404(AvailabilityRule, rule_id)
    audit.record(
        "availability.rule_removed",
        rule,
        actor=actor(),
        lawyer_id=lawyer.id,
        weekday=rule.weekday,
        start=rule.start_time,
    )
    db.session.delete(rule)
    flash(_("The weekly plan is updated."), "success")
    return _back_to_availability(lawyer)


@bp.post("/exceptions")
@roles_required("lawyer", "staff")
def add_exception():
    """Add time off or extra hours on a date."""
    lawyer = _target_lawyer()
    form = ExceptionForm()
    if not form.validate():
        return _availability_page(lawyer, 422, exception_form=form)
    if form.day.data < local_today():
        form.day.errors = [_("Choose today or a later date.")]
        return _availability_page(lawyer, 422, exception_form=form)
    exception = service.add_exception(
        lawyer, form.day.data, form.kind.data, form.start_time.data, form.end_time.data, form.note.data
    )
    audit.record(
        "availability.exception_added",
        exception,
        actor=actor(),
        lawyer_id=lawyer.id,
        day=exception.day,
        kind=exception.kind,
    )
    flash(_("The exception is saved."), "success")
    return _back_to_availability(lawyer)


@bp.post("/exceptions/<int:exception_id>/delete")
@roles_required("lawyer", "staff")
def delete_exception(exception_id: int):
    """Remove a date exception."""
    lawyer = _target_lawyer()
    exception = load_or_404(AvailabilityException, exception_id)
    audit.record("availability.exception_removed", exception, actor=actor(), lawyer_id=lawyer.id, day=exception.day)
    db.session.delete(exception)
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
    service.set_specialties(lawyer, form.specialties.data or [])
    audit.record(
        "availability.specialties",
        lawyer.lawyer_profile,
        actor=actor(),
        lawyer_id=lawyer.id,
        specialties=form.specialties.data,
    )
    flash(_("The specialties are saved."), "success")
    return _back_to_availability(lawyer)


@bp.post("/feed")
@roles_required("lawyer", "staff")
def regenerate_feed():
    """Give the lawyer's calendar feed a new secret address; the old one stops working."""
    lawyer = _target_lawyer()
    lawyer.lawyer_profile.feed_token = new_feed_token()
    audit.record("availability.feed_regenerated", lawyer.lawyer_profile, actor=actor(), lawyer_id=lawyer.id)
    flash(_("The calendar address is renewed; the old one no longer works."), "success")
    return _back_to_availability(lawyer)


@bp.get("/feed/<token>.ics")
def feed(token: str):
    """A lawyer's calendar (requested and confirmed appointments) at a secret, revocable address; no login."""
    profile = db.session.scalar(select(LawyerProfile).where(LawyerProfile.feed_token == token))
    if profile is None or not profile.user.active:
        abort(404)
    since = utcnow() - timedelta(days=30)
    appointments = db.session.scalars(
        select(Appointment)
        .options(*CARD_OPTIONS)
        .where(
            Appointment.lawyer_id == profile.user_id,
            Appointment.start_at >= since,
            Appointment.status.in_(("requested", "confirmed", "completed")),
        )
        .order_by(Appointment.start_at)
    )
    body = ical.feed_ics(_("Appointments of %(name)s", name=profile.user.name), appointments)
    return Response(body, mimetype="text/calendar", headers={"Cache-Control": "private, max-age=300"})
