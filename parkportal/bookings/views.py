"""Views of bookings: thin — load, check access, call ``service``/``slots``, render the page or its fragment."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import Response, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from ..availability import slots as slot_rules
from ..availability.forms import lawyer_choices
from ..core import vocab
from ..core.errors import DomainError, Invalid
from ..core.parsing import parse_id
from ..extensions import db
from ..models import Appointment, AvailabilityRule, Enterprise, ServiceType
from ..timeutil import local_datetime, local_today, local_zone, to_local, utcnow
from ..web import actor, load_or_404, refuse, render, roles_required
from . import bp, ical, service
from . import vocab as booking_vocab
from .forms import BookingForm, CompleteForm, DeclineForm, RateForm, RescheduleForm
from .queries import CARD_OPTIONS
from .vocab import OPEN_STATUSES

SUCCESS = {
    "cancel": lambda: _("The booking is cancelled."),
    "confirm": lambda: _("The booking is confirmed. The enterprise has been told."),
    "decline": lambda: _("The request is declined. The enterprise has been told."),
    "complete": lambda: _("The appointment is completed and the summary sent."),
    "no_show": lambda: _("Recorded as a no-show."),
    "rate": lambda: _("Thank you for your rating!"),
}


# ---------------------------------------------------------------------------------------------- helpers


def _services() -> list[ServiceType]:
    """The active services in catalogue order."""
    return list(
        db.session.scalars(select(ServiceType).where(ServiceType.active.is_(True)).order_by(ServiceType.sort_order))
    )


def _service(code: str | None) -> ServiceType | None:
    """The active service with ``code``, else ``None``."""
    if not code:
        return None
    return db.session.scalar(select(ServiceType).where(ServiceType.code == code, ServiceType.active.is_(True)))


def _parse_day(text: str | None) -> date | None:
    """A YYYY-MM-DD date from user input, else ``None``."""
    try:
        return date.fromisoformat((text or "").strip())
    except ValueError:
        return None


def _slot_context(
    service_code: str | None,
    day_text: str | None,
    lawyer_text: str | None,
    topic: str | None = None,
    selected: str | None = None,
    ignore: Appointment | None = None,
) -> dict:
    """What the slot picker shows: the free starts, or why there are none (``slot_error``)."""
    now = utcnow()
    context = {
        "slot_service": None,
        "slot_day": None,
        "slots": [],
        "slot_error": None,
        "next_free_day": None,
        "selected_start": selected,
        "any_lawyer": not lawyer_text,
        "mode_hint": None,
    }
    if not service_code and not day_text:
        return context
    svc = _service(service_code)
    if svc is None:
        context["slot_error"] = _("Choose a service from the list.")
        return context
    context["slot_service"] = svc
    context["mode_hint"] = service.modes_hint(svc)
    if not day_text:
        return context
    day = _parse_day(day_text)
    if day is None:
        context["slot_error"] = _("Enter the day as a date, e.g. 2026-12-01.")
        return context
    context["slot_day"] = day
    lawyer = None
    if lawyer_text:
        lawyer = slot_rules.find_lawyer(lawyer_text)
        if lawyer is None:
            context["slot_error"] = _("This lawyer doesn't exist. Choose a lawyer from the list.")
            return context
    if day < local_today(now):
        context["slot_error"] = _("This day is in the past. Please choose today or a later day.")
        return context
    if day > slot_rules.last_bookable_day(now):
        context["slot_error"] = _(
            "Bookings open %(days)d days ahead. Please choose an earlier day.", days=slot_rules.horizon_days()
        )
        return context
    ignore_id = ignore.id if ignore is not None and ignore.lawyer_id == (lawyer.id if lawyer else None) else None
    context["slots"] = slot_rules.free_slots(svc, day, lawyer, now=now, topic=topic or None, ignore=ignore_id)
    if ignore is not None:  # offer every time but the current one
        context["slots"] = [s for s in context["slots"] if s.start != ignore.start_at]
    if not context["slots"]:
        last = slot_rules.last_bookable_day(now)
        probe = day + timedelta(days=1)
        while probe <= min(last, day + timedelta(days=21)):
            if slot_rules.free_slots(svc, probe, lawyer, now=now):
                context["next_free_day"] = probe
                break
            probe += timedelta(days=1)
    return context


def _load(booking_id: int) -> Appointment:
    """The booking with this id if the current user may see it, else 404."""
    return load_or_404(Appointment, booking_id)


def _date_limits() -> dict:
    """The first and last bookable day, for the date input's min and max."""
    now = utcnow()
    return {"min_day": local_today(now).isoformat(), "max_day": slot_rules.last_bookable_day(now).isoformat()}


# ---------------------------------------------------------------------------------------------- booking


@bp.get("/")
@roles_required("enterprise", "staff", "lawyer")
def index():
    """My bookings: upcoming and past (an enterprise's, or a lawyer's own); staff go to the full list."""
    if current_user.is_staff:
        return redirect(url_for("bookings.staff_list"))
    now = utcnow()
    base = select(Appointment).where(Appointment.visible_to(current_user)).options(*CARD_OPTIONS)
    upcoming = db.session.scalars(
        base.where(Appointment.status.in_(OPEN_STATUSES), Appointment.end_at >= now).order_by(Appointment.start_at)
    ).all()
    past = db.paginate(
        base.where(or_(Appointment.status.not_in(OPEN_STATUSES), Appointment.end_at < now)).order_by(
            Appointment.start_at.desc()
        ),
        per_page=20,
    )
    return render("bookings/index.html", upcoming=upcoming, past=past)


@bp.route("/new", methods=["GET", "POST"])
@roles_required("enterprise", "staff")
def new():
    """Book a lawyer: service → day → free slots (htmx) → topic, description, mode → confirm."""
    form = BookingForm()
    form.service.choices = [("", _("Choose…"))] + [
        (s.code, vocab.label(booking_vocab.SERVICE_TYPES, s.code)) for s in _services()
    ]
    form.lawyer_id.choices = lawyer_choices(_("Any lawyer"))
    if current_user.is_staff:
        verified = db.session.scalars(
            select(Enterprise).where(Enterprise.status == "verified").order_by(Enterprise.name)
        )
        form.enterprise_id.choices = [("", _("Choose…"))] + [(str(e.id), e.name) for e in verified]
    else:
        del form.enterprise_id
    enterprise = current_user.enterprise if current_user.is_enterprise else None
    blocked = enterprise is not None and not enterprise.is_verified
    status = 200
    if request.method == "GET":
        form.service.data = request.args.get("service", form.service.data)
        form.date.data = request.args.get("date", form.date.data)
    elif blocked:
        if enterprise.status != "archived":  # an archived enterprise's notice says it all
            form.form_errors.append(
                _("Booking opens once the park service station has verified %(name)s.", name=enterprise.name)
            )
        status = 403
    elif form.validate():
        if current_user.is_staff:
            ident = parse_id(form.enterprise_id.data)
            enterprise = db.session.get(Enterprise, ident) if ident is not None else None
        lawyer = slot_rules.find_lawyer(form.lawyer_id.data)
        try:
            if form.lawyer_id.data and lawyer is None:
                raise Invalid(_("This lawyer doesn't exist. Choose a lawyer from the list."), "lawyer_id")
            appointment = service.book(
                enterprise=enterprise,
                service=_service(form.service.data),
                start=form.start_at,
                mode=form.mode.data,
                topic=form.topic.data,
                description=form.description.data or "",
                lawyer=lawyer,
                actor=actor(),
            )
        except DomainError as error:
            status = refuse(error, lambda code, _message: code, form)
        else:
            if current_user.is_staff and appointment.status == "confirmed":  # staff get no reminder: they booked
                flash(_("The booking is confirmed. The enterprise has been told."), "success")
            elif current_user.is_staff:
                flash(_("The request is sent to the lawyer. The enterprise has been told."), "success")
            elif appointment.status == "confirmed":
                flash(_("Booked and confirmed. You'll get a reminder the day before."), "success")
            else:
                flash(_("Your request is sent. The lawyer will confirm it soon."), "success")
            return redirect(url_for("bookings.detail", booking_id=appointment.id), code=303)
    else:
        status = 422
    if request.method == "POST" and form.start_at is not None:
        form.date.data = to_local(form.start_at).date().isoformat()
    context = _slot_context(
        form.service.data, form.date.data, form.lawyer_id.data, form.topic.data, selected=form.start.data
    )
    return render(
        "bookings/new.html",
        form=form,
        blocked=blocked,
        enterprise=enterprise,
        services=_services(),
        status=status,
        **context,
        **_date_limits(),
    )


@bp.get("/slots")
@roles_required("enterprise", "staff", "lawyer")
def slots():
    """The slot picker fragment: ``service``, ``date`` (YYYY-MM-DD) and optionally ``lawyer`` (an id)."""
    lawyer_text = request.args.get("lawyer", request.args.get("lawyer_id", ""))
    moving = request.args.get("reschedule", "")
    context = _slot_context(
        request.args.get("service", ""),
        request.args.get("date", ""),
        lawyer_text,
        request.args.get("topic"),
        selected=request.args.get("start"),
        ignore=_load(parse_id(moving)) if moving else None,
    )
    code = 422 if context["slot_error"] else 200
    return render("bookings/_slots.html", status=code, mode_hint_oob=bool(request.args.get("modes")), **context)


# ----------------------------------------------------------------------------------------------- detail


def _detail(appointment: Appointment, code: int = 200, error: str | None = None, **forms):
    """The booking page with the actions the user may take and any forms that failed."""
    forms.setdefault("decline_form", DeclineForm(formdata=None))
    forms.setdefault("complete_form", CompleteForm(formdata=None))
    forms.setdefault("rate_form", RateForm(formdata=None))
    return render(
        "bookings/detail.html",
        appointment=appointment,
        actions=service.available_actions(current_user, appointment),
        error=error,
        status=code,
        cancel_cutoff_hours=service.cutoff().total_seconds() / 3600,
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
    """The lawyer confirms a request (or takes an unassigned one)."""
    return _act(booking_id, "confirm", lambda a, u: service.confirm(a, u))


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
    """The enterprise rates a completed service once."""
    form = RateForm()
    return _act(
        booking_id,
        "rate",
        lambda a, u: service.rate(a, u, int(form.rating.data), form.comment.data or ""),
        form,
        "rate_form",
    )


@bp.route("/<int:booking_id>/reschedule", methods=["GET", "POST"])
@roles_required("enterprise", "staff", "lawyer")
def reschedule(booking_id: int):
    """Move a booking to another free slot (the lawyer their own, staff any, also to another lawyer)."""
    appointment = _load(booking_id)
    if not service.may(current_user, "reschedule", appointment):
        abort(403)
    form = RescheduleForm()
    form.lawyer_id.choices = lawyer_choices(None)
    if not current_user.is_staff:
        del form.lawyer_id
    status = 200
    if request.method == "GET":
        form.date.data = request.args.get("date") or to_local(appointment.start_at).date().isoformat()
        if current_user.is_staff:
            form.lawyer_id.data = str(appointment.lawyer_id or "")
    elif form.validate():
        lawyer = slot_rules.find_lawyer(form.lawyer_id.data) if current_user.is_staff else None
        try:
            moved = service.reschedule(appointment, actor(), form.start_at, lawyer)
        except DomainError as error:
            status = refuse(error, lambda code, _message: code, form)
        else:
            flash(_("The booking is moved. Both sides have been told."), "success")
            return redirect(url_for("bookings.detail", booking_id=moved.id), code=303)
    else:
        status = 422
    if request.method == "POST" and form.start_at is not None:
        form.date.data = to_local(form.start_at).date().isoformat()
    lawyer_text = (form.lawyer_id.data if current_user.is_staff else None) or str(appointment.lawyer_id or "")
    context = _slot_context(
        appointment.service_type.code, form.date.data, lawyer_text, selected=form.start.data, ignore=appointment
    )
    return render(
        "bookings/reschedule.html",
        appointment=appointment,
        form=form,
        lawyer_text=lawyer_text,
        status=status,
        **context,
        **_date_limits(),
    )


# -------------------------------------------------------------------------------------------- lawyer


@bp.get("/agenda")
@roles_required("lawyer")
def agenda():
    """The lawyer's today and next seven days, the requests to answer and the appointments awaiting an outcome.

    The coming seven days rather than the calendar week, so that on a Sunday the agenda shows Monday.
    """
    now = utcnow()
    today = local_today(now)
    begin = local_datetime(today, datetime.min.time())
    end = local_datetime(today + timedelta(days=7), datetime.min.time())
    mine = select(Appointment).where(Appointment.lawyer_id == current_user.id).options(*CARD_OPTIONS)
    week = db.session.scalars(
        mine.where(
            Appointment.start_at >= begin,
            Appointment.start_at < end,
            Appointment.status.in_(("requested", "confirmed", "completed", "no_show")),
        ).order_by(Appointment.start_at)
    ).all()
    today_items = [a for a in week if to_local(a.start_at).date() == today]
    days: dict[date, list[Appointment]] = {}
    for item in week:
        days.setdefault(to_local(item.start_at).date(), []).append(item)
    requests = db.session.scalars(
        select(Appointment)
        .options(*CARD_OPTIONS)
        .where(
            Appointment.status == "requested",
            Appointment.start_at > now,
            (Appointment.lawyer_id == current_user.id) | Appointment.lawyer_id.is_(None),
        )
        .order_by(Appointment.start_at)
    ).all()
    outcome = db.session.scalars(
        mine.where(Appointment.status == "confirmed", Appointment.start_at <= now).order_by(Appointment.start_at)
    ).all()
    has_plan = db.session.scalar(
        select(AvailabilityRule.id).where(AvailabilityRule.lawyer_id == current_user.id).limit(1)
    )
    return render(
        "bookings/agenda.html",
        has_plan=has_plan is not None,
        today=today,
        today_items=today_items,
        days=days,
        requests=requests,
        outcome=outcome,
    )


# ---------------------------------------------------------------------------------------------- staff


@bp.get("/all")
@roles_required("staff")
def staff_list():
    """Every booking, filtered by status, lawyer, service, enterprise and dates."""
    args = request.args
    query = select(Appointment).options(*CARD_OPTIONS, selectinload(Appointment.feedback))
    filters = {
        "status": args.get("status", ""),
        "lawyer": args.get("lawyer", ""),
        "service": args.get("service", ""),
        "enterprise": args.get("enterprise", ""),
        "from": args.get("from", ""),
        "to": args.get("to", ""),
    }
    problems = []
    if filters["status"] in booking_vocab.APPOINTMENT_STATUSES:
        query = query.where(Appointment.status == filters["status"])
    if parse_id(filters["lawyer"]) is not None:
        query = query.where(Appointment.lawyer_id == parse_id(filters["lawyer"]))
    if filters["service"]:
        query = query.join(ServiceType).where(ServiceType.code == filters["service"])
    if parse_id(filters["enterprise"]) is not None:
        query = query.where(Appointment.enterprise_id == parse_id(filters["enterprise"]))
    for key, bound in (("from", "start"), ("to", "end")):
        if filters[key]:
            day = _parse_day(filters[key])
            if day is None:
                if not problems:  # one hint for both dates
                    problems.append(_("Enter dates as YYYY-MM-DD."))
                continue
            moment = local_datetime(day if bound == "start" else day + timedelta(days=1), datetime.min.time())
            query = query.where(Appointment.start_at >= moment if bound == "start" else Appointment.start_at < moment)
    page = db.paginate(query.order_by(Appointment.start_at.desc()), per_page=30)
    enterprises = db.session.execute(select(Enterprise.id, Enterprise.name).order_by(Enterprise.name)).all()
    return render(
        "bookings/staff_list.html",
        "results",
        page=page,
        filters=filters,
        problems=problems,
        enterprises=enterprises,
        lawyer_options=lawyer_choices(None),
        services=_services(),
        local=local_zone(),
    )
