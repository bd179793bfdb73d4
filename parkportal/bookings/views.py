"""Views of bookings: thin — load, check access, call ``service``/``slots``, render the page or its fragment."""

from __future__ import annotations

from types import SimpleNamespace

from flask import Response, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..availability import slots as slot_rules
from ..availability.forms import lawyer_choices
from ..core import vocab
from ..core.errors import DomainError
from ..core.parsing import parse_id
from ..models import Appointment
from ..timeutil import local_today, to_local, utcnow
from ..web import actor, load_or_404, refuse, render, roles_required
from . import bp, ical, meeting, queries, service
from . import vocab as booking_vocab
from .forms import AddSummaryForm, BookingForm, CompleteForm, ConfirmForm, DeclineForm, RateForm, RescheduleForm
from .vocab import Status

SUCCESS = {
    "cancel": lambda: _("The booking is cancelled."),
    "confirm": lambda: _("The booking is confirmed. The enterprise has been told."),
    "decline": lambda: _("The request is declined. The enterprise has been told."),
    "complete": lambda: _("The appointment is completed and the summary sent."),
    "no_show": lambda: _("Recorded as a no-show."),
    "rate": lambda: _("Thank you for your rating!"),
    "accept": lambda: _("You agreed to the new time. The booking is confirmed."),
    "add_summary": lambda: _("The addition is saved and sent to the enterprise."),
}


@bp.app_context_processor
def _meeting_helpers() -> dict:
    """Templates (pages and e-mails) ask ``meeting_details(a)`` how a booking is held, in their language."""
    return {"meeting_details": meeting.details, "meeting_contact": meeting.contact}


# ---------------------------------------------------------------------------------------------- helpers


def _load(booking_id: int) -> Appointment:
    """The booking with this id if the current user may see it, else 404."""
    return load_or_404(Appointment, booking_id)


def _picker(picker: service.Picker, selected: str | None, lawyer_text: str | None) -> dict:
    """The slot picker's template context: the domain's answer, the chosen start and whether any lawyer goes."""
    return {**vars(picker), "selected_start": selected, "any_lawyer": not lawyer_text}


def _date_limits() -> dict:
    """The first and last bookable day, for the date input's min and max."""
    now = utcnow()
    return {"min_day": local_today(now).isoformat(), "max_day": slot_rules.last_bookable_day(now).isoformat()}


def _picked_day(form) -> None:
    """After a POST, show the picker on the day of the start the user chose."""
    if request.method == "POST" and form.start_at is not None:
        form.date.data = to_local(form.start_at).date().isoformat()


def _booked_message(appointment: Appointment, by_staff: bool) -> str:
    """What the person who booked is told: confirmed at once, or sent to the lawyer (staff: the enterprise is told)."""
    confirmed = appointment.status == Status.CONFIRMED
    if by_staff:
        if confirmed:  # staff get no reminder: they booked for someone else
            return _("The booking is confirmed. The enterprise has been told.")
        return _("The request is sent to the lawyer. The enterprise has been told.")
    if confirmed and service.reminder_ahead(appointment):
        return _("Booked and confirmed. You'll get a reminder the day before.")
    if confirmed:
        return _("Booked and confirmed. It's soon, so no reminder will be sent: please note the time.")
    return _("Your request is sent. The lawyer will confirm it soon.")


# ---------------------------------------------------------------------------------------------- booking


@bp.get("/")
@roles_required("enterprise", "staff", "lawyer")
def index():
    """My bookings: upcoming and past (an enterprise's, or a lawyer's own); staff go to the full list."""
    if current_user.is_staff:
        return redirect(url_for("bookings.staff_list"))
    mine = queries.my_bookings(actor(), request.args.get("page"), request.args.get("ahead"))
    return render("bookings/index.html", upcoming=mine.upcoming, past=mine.past, card=_cards())


def _cards() -> SimpleNamespace:
    """What every booking card of a page shares (``bookings/_cards.html``, ``_day_rows.html``): who is looking, the
    bookings' URL prefix and the labels, so a card reads no proxies, builds no URL and calls no function."""
    user = actor()
    return SimpleNamespace(
        enterprise=user.is_enterprise,
        lawyer=user.is_lawyer,
        base=url_for("bookings.index"),
        services=vocab.Labels(booking_vocab.SERVICE_TYPES),
        topics=vocab.Labels(vocab.TOPICS),
        modes=vocab.Labels(booking_vocab.MODES),
        statuses=vocab.Labels(booking_vocab.APPOINTMENT_STATUSES),
    )


def _booking_form() -> BookingForm:
    """The booking form with the current choices of services, lawyers and (for staff) enterprises."""
    form = BookingForm()
    form.service.choices = [("", _("Choose…"))] + [
        (s.code, vocab.label(booking_vocab.SERVICE_TYPES, s.code)) for s in queries.services()
    ]
    form.lawyer_id.choices = lawyer_choices(_("Any lawyer"), with_plan=True)
    if not current_user.is_staff:
        del form.enterprise_id
    return form


def _book(form: BookingForm) -> Appointment:
    """Book what the valid ``form`` asks for, as the signed-in user (DomainError when refused)."""
    return service.book(
        enterprise=service.enterprise_for(actor(), form.enterprise_id.data if current_user.is_staff else None),
        service=queries.active_service(form.service.data),
        start=form.start_at,
        mode=form.mode.data,
        topic=form.topic.data,
        description=form.description.data or "",
        lawyer=slot_rules.chosen_lawyer(form.lawyer_id.data),
        actor=actor(),
        keep=slot_rules.find_lawyer(form.slot_lawyer.data),
    )


def _new_page(form: BookingForm, enterprise, blocked: bool, status: int):
    """The booking page with the slot picker on the chosen day."""
    _picked_day(form)
    picker = service.pick_slots(
        form.service.data,
        form.date.data,
        form.lawyer_id.data,
        form.topic.data,
        keep=(form.start.data, form.slot_lawyer.data),
    )
    chosen = queries.enterprise_named(form.enterprise_id.data) if form.enterprise_id else None
    return render(
        "bookings/new.html",
        form=form,
        blocked=blocked,
        enterprise=enterprise,
        chosen_enterprise=chosen,
        services=queries.services(),
        status=status,
        **_picker(picker, form.start.data, form.lawyer_id.data),
        **_date_limits(),
        **_month(form.service.data, form.date.data, form.lawyer_id.data),
    )


@bp.route("/new", methods=["GET", "POST"])
@roles_required("enterprise", "staff")
def new():
    """Book a lawyer: service → day → free slots (htmx) → topic, description, mode → confirm."""
    form = _booking_form()
    enterprise = service.enterprise_for(actor())
    blocked = enterprise is not None and not enterprise.is_verified
    status = 200
    if request.method == "GET":
        form.service.data = request.args.get("service", form.service.data)
        form.date.data = request.args.get("date", form.date.data)
    elif blocked:
        if enterprise.status != "archived":  # an archived enterprise's notice says it all
            form.form_errors.append(service.awaiting_verification(enterprise))
        status = 403
    elif not form.validate():
        status = 422
    else:
        try:
            appointment = _book(form)
        except DomainError as error:
            status = refuse(error, lambda code, _message: code, form)
        else:
            flash(_booked_message(appointment, current_user.is_staff), "success")
            return redirect(url_for("bookings.detail", booking_id=appointment.id), code=303)
    return _new_page(form, enterprise, blocked, status)


@bp.get("/slots")
@roles_required("enterprise", "staff", "lawyer")
def slots():
    """The slot picker fragment: ``service``, ``date`` (YYYY-MM-DD) and optionally ``lawyer`` (an id)."""
    args = request.args
    lawyer_text = args.get("lawyer", args.get("lawyer_id", ""))
    moving = args.get("reschedule", "")
    with slot_rules.one_reading():  # the month first: the day's slots are then read from the month's calendar
        month = _month(args.get("service", ""), args.get("date", ""), lawyer_text, args.get("month"), moving)
        picker = service.pick_slots(
            args.get("service", ""),
            args.get("date", ""),
            lawyer_text,
            args.get("topic"),
            ignore=_load(parse_id(moving)) if moving else None,
            keep=(args.get("start"), args.get("slot_lawyer")),
        )
    code = 422 if picker.slot_error else 200
    context = _picker(picker, args.get("start"), lawyer_text)
    return render(
        "bookings/_slots.html",
        status=code,
        mode_hint_oob=bool(args.get("modes")),
        month_oob=True,
        **context,
        **month,
    )


def _month(service_code, day_text, lawyer_text, month_text=None, moving=None) -> dict:
    """The month view's context: the month of ``month_text`` (YYYY-MM) or of the chosen day, its free days."""
    moving_booking = _load(parse_id(moving)) if moving else None
    calendar = service.month_view(service_code, day_text, lawyer_text, month_text, moving_booking)
    return {"month": calendar}


@bp.get("/days")
@roles_required("enterprise", "staff", "lawyer")
def days():
    """The month picker fragment (htmx): ``service``, ``month`` (YYYY-MM), optional ``lawyer`` and ``date``."""
    args = request.args
    lawyer_text = args.get("lawyer", args.get("lawyer_id", ""))
    context = _month(
        args.get("service", ""), args.get("date", ""), lawyer_text, args.get("month"), args.get("reschedule")
    )
    code = 422 if context["month"].error else 200
    return render("bookings/_month.html", status=code, **context)


# ----------------------------------------------------------------------------------------------- detail


def _detail(appointment: Appointment, code: int = 200, error: str | None = None, **forms):
    """The booking page with the actions the user may take and any forms that failed."""
    forms.setdefault("decline_form", DeclineForm(formdata=None))
    forms.setdefault("complete_form", CompleteForm(formdata=None))
    forms.setdefault("confirm_form", ConfirmForm(formdata=None))
    forms.setdefault("summary_form", AddSummaryForm(formdata=None))
    if "rate_form" not in forms:
        forms["rate_form"] = RateForm(formdata=None)
        if appointment.feedback is not None:
            forms["rate_form"].rating.data = str(appointment.feedback.rating)
            forms["rate_form"].comment.data = appointment.feedback.comment or ""
    return render(
        "bookings/detail.html",
        appointment=appointment,
        actions=service.available_actions(current_user, appointment),
        error=error,
        status=code,
        cancel_cutoff_hours=service.cutoff().total_seconds() / 3600,
        too_late=service.too_late_message(),
        now=utcnow(),
        **forms,
    )


@bp.get("/<int:booking_id>")
@roles_required("enterprise", "staff", "lawyer")
def detail(booking_id: int):
    """One booking with what the user may do to it."""
    return _detail(_load(booking_id))


@bp.get("/<int:booking_id>.ics")
@roles_required("enterprise", "staff", "lawyer")
def ics(booking_id: int):
    """The booking as an iCalendar file."""
    appointment = _load(booking_id)
    return Response(
        ical.appointment_ics(appointment),
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="booking-{appointment.id}.ics"'},
    )


def _act(booking_id: int, action: str, call, form=None, form_name: str | None = None):
    """Load → check the role → validate the form → call the domain → back to the booking (or the error)."""
    appointment = _load(booking_id)
    if not service.may(current_user, action, appointment):
        abort(403)
    forms = {form_name: form} if form_name else {}
    if form is not None and not form.validate():
        return _detail(appointment, 422, **forms)
    try:
        call(appointment, actor())
    except DomainError as error:
        holder = form if form is not None and error.field and hasattr(form, error.field) else None
        return refuse(error, lambda code, message: _detail(appointment, code, error=message, **forms), holder)
    flash(SUCCESS[action](), "success")
    return redirect(url_for("bookings.detail", booking_id=appointment.id), code=303)


@bp.post("/<int:booking_id>/cancel")
@roles_required("enterprise", "staff", "lawyer")
def cancel(booking_id: int):
    """Cancel (the enterprise until the cut-off, staff any time before the start)."""
    return _act(booking_id, "cancel", lambda a, u: service.cancel(a, u))


@bp.post("/<int:booking_id>/confirm")
@roles_required("enterprise", "staff", "lawyer")
def confirm(booking_id: int):
    """The lawyer confirms a request (or takes an unassigned one); a video call with an optional ``meeting_link``."""
    form = ConfirmForm()
    return _act(booking_id, "confirm", lambda a, u: service.confirm(a, u, form.meeting_link.data), form, "confirm_form")


@bp.post("/<int:booking_id>/accept")
@roles_required("enterprise", "staff", "lawyer")
def accept(booking_id: int):
    """The enterprise agrees to the new time the lawyer proposed."""
    return _act(booking_id, "accept", lambda a, u: service.accept(a, u))


@bp.post("/<int:booking_id>/summary")
@roles_required("enterprise", "staff", "lawyer")
def add_summary(booking_id: int):
    """The lawyer adds to the summary of a completed appointment (the enterprise is told)."""
    form = AddSummaryForm()
    return _act(
        booking_id, "add_summary", lambda a, u: service.add_to_summary(a, u, form.summary.data), form, "summary_form"
    )


@bp.post("/<int:booking_id>/decline")
@roles_required("enterprise", "staff", "lawyer")
def decline(booking_id: int):
    """The lawyer declines a request with a reason."""
    form = DeclineForm()
    return _act(booking_id, "decline", lambda a, u: service.decline(a, u, form.reason.data), form, "decline_form")


@bp.post("/<int:booking_id>/complete")
@roles_required("enterprise", "staff", "lawyer")
def complete(booking_id: int):
    """The lawyer completes an appointment with a summary and private notes."""
    form = CompleteForm()
    return _act(
        booking_id,
        "complete",
        lambda a, u: service.complete(a, u, form.summary.data, form.private_notes.data or ""),
        form,
        "complete_form",
    )


@bp.post("/<int:booking_id>/no-show")
@roles_required("enterprise", "staff", "lawyer")
def no_show(booking_id: int):
    """The lawyer records that the enterprise didn't come."""
    return _act(booking_id, "no_show", lambda a, u: service.mark_no_show(a, u))


@bp.post("/<int:booking_id>/rate")
@roles_required("enterprise", "staff", "lawyer")
def rate(booking_id: int):
    """The enterprise rates a completed service (and may change its rating for a few days)."""
    form = RateForm()
    return _act(
        booking_id,
        "rate",
        lambda a, u: service.rate(a, u, int(form.rating.data), form.comment.data or ""),
        form,
        "rate_form",
    )


def _reschedule_form(appointment: Appointment) -> RescheduleForm:
    """The form to move ``appointment``; staff may also choose another lawyer (the current one preselected)."""
    form = RescheduleForm()
    form.lawyer_id.choices = lawyer_choices(None, with_plan=True)
    if not current_user.is_staff:
        del form.lawyer_id
    elif request.method == "GET":
        form.lawyer_id.data = str(appointment.lawyer_id or "")
    if request.method == "GET":
        form.date.data = request.args.get("date") or to_local(appointment.start_at).date().isoformat()
    return form


@bp.route("/<int:booking_id>/reschedule", methods=["GET", "POST"])
@roles_required("enterprise", "staff", "lawyer")
def reschedule(booking_id: int):
    """Move a booking to another free slot, keeping its number: the enterprise its own (before the cut-off), the
    lawyer their own with a reason (the enterprise then agrees or cancels), staff any, also to another lawyer."""
    appointment = _load(booking_id)
    if not service.may(current_user, "reschedule", appointment):
        abort(403)
    form = _reschedule_form(appointment)
    chosen = form.lawyer_id.data if current_user.is_staff else None
    status = 200
    if request.method == "POST" and not form.validate():
        status = 422
    elif request.method == "POST":
        try:
            moved = service.reschedule(
                appointment, actor(), form.start_at, slot_rules.find_lawyer(chosen), form.reason.data or ""
            )
        except DomainError as error:
            status = refuse(error, lambda code, _message: code, form)
        else:
            if moved.awaiting_enterprise:
                flash(_("The new time is proposed. The enterprise is asked to agree to it."), "success")
            else:
                flash(_("The booking is moved. Both sides have been told."), "success")
            return redirect(url_for("bookings.detail", booking_id=moved.id), code=303)
    _picked_day(form)
    lawyer_text = chosen or str(appointment.lawyer_id or "")
    picker = service.pick_slots(appointment.service_type.code, form.date.data, lawyer_text, ignore=appointment)
    return render(
        "bookings/reschedule.html",
        appointment=appointment,
        form=form,
        lawyer_text=lawyer_text,
        status=status,
        **_picker(picker, form.start.data, lawyer_text),
        **_date_limits(),
        **_month(appointment.service_type.code, form.date.data, lawyer_text, None, str(appointment.id)),
    )


# -------------------------------------------------------------------------------------------- lawyer


@bp.get("/agenda")
@roles_required("lawyer")
def agenda():
    """The lawyer's today and next seven days, the requests to answer and the appointments awaiting an outcome."""
    mine = queries.agenda(actor())
    return render(
        "bookings/agenda.html",
        has_plan=mine.has_plan,
        today=mine.today,
        today_items=mine.today_items,
        days=mine.later_days,
        requests=mine.requests,
        outcome=mine.outcome,
        card=_cards(),
    )


# ---------------------------------------------------------------------------------------------- staff


@bp.get("/all")
@roles_required("staff")
def staff_list():
    """Every booking, filtered by status, lawyer, service, enterprise and dates."""
    found = queries.staff_list(request.args, request.args.get("page"))

    def page(code: int = 200, problem: str | None = None):
        return render(
            "bookings/staff_list.html",
            "results",
            status=code,
            page=found.page,
            filters=found.filters,
            problems=[problem] if problem else [],
            lawyer_options=lawyer_choices(None),
            services=queries.services(),
        )

    return refuse(found.problem, page) if found.problem else page()
