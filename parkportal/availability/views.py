"""Views of lawyers' availability: the editor (weekly plan, exceptions, specialties) and the calendar feed."""

from __future__ import annotations

from collections.abc import Callable

from flask import Response, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..bookings import ical, queries
from ..core.errors import DomainError
from ..fields import Form
from ..models import AvailabilityException, AvailabilityRule, User
from ..timeutil import local_today
from ..web import actor, load_or_404, refuse, render, roles_required
from . import bp, service
from . import slots as slot_rules
from . import vocab as availability_vocab
from .forms import EXCEPTION_KINDS, ExceptionForm, RoomForm, RuleForm, SpecialtiesForm, lawyer_choices


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
    if "room_form" not in forms:
        forms["room_form"] = RoomForm(formdata=None)
        forms["room_form"].video_room.data = lawyer.lawyer_profile.video_room if lawyer.lawyer_profile else ""
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


def _save(act: Callable[[User], object], message: str, form: Form | None = None, form_name: str = ""):
    """Validate ``form`` → ``act(lawyer)`` as the signed-in user → back to the editor with ``message``.

    A form that fails, or a domain refusal, shows the editor again with the errors next to the fields.
    """
    lawyer = _target_lawyer()
    forms = {form_name: form} if form is not None else {}
    if form is not None and not form.validate():
        return _availability_page(lawyer, 422, **forms)
    try:
        act(lawyer)
    except DomainError as error:
        return refuse(error, lambda code, _message: _availability_page(lawyer, code, **forms), form)
    flash(message, "success")
    return _back_to_availability(lawyer)


@bp.post("/rules")
@roles_required("lawyer", "staff")
def add_rule():
    """Add a weekly range (merged with ranges it touches)."""
    form = RuleForm()

    def act(lawyer):
        service.add_rule(lawyer, int(form.weekday.data), form.start_time.data, form.end_time.data, actor())

    return _save(act, _("The weekly plan is updated."), form, "rule_form")


@bp.post("/rules/<int:rule_id>/delete")
@roles_required("lawyer", "staff")
def delete_rule(rule_id: int):
    """Remove a weekly range (booked appointments stay)."""
    rule = load_or_404(AvailabilityRule, rule_id)
    return _save(lambda _lawyer: service.remove_rule(rule, actor()), _("The weekly plan is updated."))


@bp.post("/exceptions")
@roles_required("lawyer", "staff")
def add_exception():
    """Add time off or extra hours on a date (today or later)."""
    form = ExceptionForm()

    def act(lawyer):
        data = form.data
        kind, start, end = data["kind"], data["start_time"], data["end_time"]
        service.add_exception(lawyer, data["day"], kind, start, end, data["note"], actor=actor())

    return _save(act, _("The exception is saved."), form, "exception_form")


@bp.post("/exceptions/<int:exception_id>/delete")
@roles_required("lawyer", "staff")
def delete_exception(exception_id: int):
    """Remove a date exception."""
    exception = load_or_404(AvailabilityException, exception_id)
    return _save(lambda _lawyer: service.remove_exception(exception, actor()), _("The exception is removed."))


@bp.post("/specialties")
@roles_required("lawyer", "staff")
def specialties():
    """Set the lawyer's specialties (used to suggest the right lawyer for "any lawyer")."""
    form = SpecialtiesForm()

    def act(lawyer):
        service.set_specialties(lawyer, form.specialties.data or [], actor())

    return _save(act, _("The specialties are saved."), form, "specialties_form")


@bp.post("/room")
@roles_required("lawyer", "staff")
def video_room():
    """Set the lawyer's default video meeting room (an https link)."""
    form = RoomForm()
    return _save(
        lambda lawyer: service.set_video_room(lawyer, form.video_room.data, actor()),
        _("The default meeting room is saved."),
        form,
        "room_form",
    )


@bp.post("/feed")
@roles_required("lawyer", "staff")
def regenerate_feed():
    """Give the lawyer's calendar feed a new secret address; the old one stops working."""
    message = _("The calendar address is renewed; the old one no longer works.")
    return _save(lambda lawyer: service.renew_feed(lawyer, actor()), message)


@bp.get("/feed/<token>.ics")
def feed(token: str):
    """A lawyer's calendar (requested and confirmed appointments) at a secret, revocable address; no login."""
    try:
        lawyer = service.feed_owner(token)
    except DomainError as error:
        return refuse(error, lambda code, message: abort(code))
    body = ical.feed_ics(_("Appointments of %(name)s", name=lawyer.name), queries.lawyer_feed(lawyer.id))
    return Response(body, mimetype="text/calendar", headers={"Cache-Control": "private, max-age=300"})
