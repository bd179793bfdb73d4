"""Views of events: thin — parse, load (checking access), call ``service``, render the page or its fragment."""

from __future__ import annotations

from datetime import timedelta

from flask import Response, abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from ..core import paging, spreadsheet, vocab
from ..core.errors import DomainError, NotFound
from ..core.parsing import parse_date, parse_id, parse_month, parse_page
from ..core.search import contains
from ..extensions import db
from ..models import Enterprise, Event, Registration, User
from ..timeutil import local_today, to_local, utcnow
from ..web import actor, is_htmx, load_or_404, refuse, render, roles_required
from . import bp, calendar, checkin, ical, service, text
from . import vocab as event_vocab
from .forms import CancelEventForm, CheckInForm, EventForm, RateForm, RegisterForm, WalkInForm
from .vocab import EventStatus, RegStatus

LIST_PER_PAGE = 20
#: Registrants per page of the check-in list (staff at the door search; the busiest event has a few pages).
CHECKIN_PER_PAGE = 25


# ---------------------------------------------------------------------------------------------- helpers


def _event(event_id: int) -> Event:
    """The event if the current user (or visitor) may see it, else 404."""
    event = db.session.scalar(calendar.visible(actor()).where(Event.id == event_id))
    if event is None:
        abort(404)
    return event


def _filters() -> dict[str, str]:
    """The calendar's and list's filters from the query string (unknown codes count as none)."""
    args = request.args
    topic, category = args.get("topic", ""), args.get("category", "")
    return {
        "topic": topic if topic in vocab.TOPICS else "",
        "category": category if category in event_vocab.EVENT_CATEGORIES else "",
    }


def _lawyer_choices() -> list[tuple[str, str]]:
    """The partner firm's active lawyers as speaker choices."""
    lawyers = db.session.scalars(
        select(User).where(User.role == "lawyer", User.active.is_(True)).order_by(User.name)
    ).all()
    return [(str(lawyer.id), lawyer.name) for lawyer in lawyers]


def _values(form: EventForm) -> service.EventValues:
    """The parsed values of a filled event form."""
    ids = [parse_id(value) for value in form.speakers.data or []]
    speakers = list(db.session.scalars(select(User).where(User.id.in_([i for i in ids if i])))) if any(ids) else []
    if len(speakers) != len(ids):
        speakers.append(User(role="enterprise"))  # an unknown id: refused as "not a lawyer"
    return service.EventValues(
        title=form.title.data or "",
        description=form.description.data or "",
        category=form.category.data or "",
        topics=form.topics.data or [],
        start=form.start.moment,
        end=form.end.moment,
        location=form.location.data or "",
        online_url=form.online_url.data or "",
        capacity=form.capacity.number,
        seats_per_enterprise=form.seats_per_enterprise.number,
        registration_deadline=form.registration_deadline.moment,
        status=form.status.data or "",
        speakers=speakers,
    )


def _enterprise(text_id: str | None) -> Enterprise | None:
    """The enterprise chosen in a staff form (``None`` when there is none with that id)."""
    ident = parse_id(text_id)
    return db.session.get(Enterprise, ident) if ident is not None else None


# -------------------------------------------------------------------------------------- calendar and list


@bp.get("/")
def index():
    """The public calendar: a month grid (``?month=YYYY-MM``), one day's events (``?date=YYYY-MM-DD``) or the list
    (``?view=list&when=upcoming|past``)."""
    now = utcnow()
    today = local_today(now)
    filters = _filters()
    problem = None
    month = today.replace(day=1)
    if request.args.get("month"):
        month = parse_month(request.args["month"]) or month
        if parse_month(request.args["month"]) is None:
            problem = _("Enter the month as YYYY-MM, e.g. 2026-12. This month is shown instead.")
    day = None
    if request.args.get("date"):
        day = parse_date(request.args["date"])
        if day is None:
            problem = _("Enter the day as YYYY-MM-DD, e.g. 2026-12-03. This month is shown instead.")
    view = "list" if request.args.get("view") == "list" else ("day" if day else "month")
    period = "past" if request.args.get("when") == "past" else "upcoming"
    user = actor()
    context = {"view": view, "period": period, "filters": filters, "month": month, "today": today, "now": now}
    context["problem"] = problem
    events: list[Event] = []
    if view == "list":
        # Paged without a count (the past grows with every event); topics for the page only.
        page = paging.look_ahead(calendar.listing(user, period, now, **filters), parse_page(request.args.get("page")),
                                 LIST_PER_PAGE)  # fmt: skip
        events = list(page.items)
        context.update(page=page, events=events)
    elif view == "day":
        events = calendar.in_range(user, day, day + timedelta(days=1), **filters)
        context.update(
            day=day,
            events=events,
            month=day.replace(day=1),
            previous_day=day - timedelta(days=1),
            next_day=day + timedelta(days=1),
        )  # fmt: skip
    else:
        # The grid names a few events a day (title and time only); a day's page lists them all.
        weeks = calendar.grid(month, [], today)
        shown = calendar.in_range(user, weeks[0][0].day, weeks[-1][-1].day + timedelta(days=1), **filters, cells=True)
        weeks = calendar.grid(month, shown, today)
        context.update(
            weeks=weeks,
            busy_days=calendar.busy_days(weeks),
            previous_month=calendar.shift_month(month, -1),
            next_month=calendar.shift_month(month, 1),
        )  # fmt: skip
    context["mine"] = calendar.my_registrations(user, [e.id for e in events])
    return render("events/index.html", "calendar", status=422 if problem else 200, **context)


@bp.get("/feed.ics")
def feed():
    """The public calendar feed: published (and recently cancelled) events from three months back on."""
    since = utcnow() - timedelta(days=92)
    events = db.session.scalars(
        select(Event)
        .where(Event.status != EventStatus.DRAFT, Event.end_at >= since)
        .options(selectinload(Event.topic_rows), selectinload(Event.speakers))
        .order_by(Event.start_at)
    ).all()
    name = _("%(park)s · events", park=current_app.config["PARK_NAME"])
    return Response(ical.feed_ics(name, events), mimetype="text/calendar")


# -------------------------------------------------------------------------------------------- one event


def _detail(event: Event, code: int = 200, error: str | None = None, **forms):
    """The event page: everything about it, the places left, and what the user may do."""
    user = actor()
    now = utcnow()
    registration = calendar.my_registrations(user, [event.id]).get(event.id)
    forms.setdefault("register_form", RegisterForm(formdata=None))
    forms.setdefault("cancel_event_form", CancelEventForm(formdata=None))
    forms.setdefault("rate_form", RateForm(formdata=None))
    staff = user is not None and user.is_staff
    return render(
        "events/detail.html",
        event=event,
        description=text.render(event.description),
        registration=registration,
        reach=service.reach([event.id])[event.id] if staff else None,
        counts=_counts(event) if staff else None,
        now=now,
        is_open=event.status == EventStatus.PUBLISHED and now < event.start_at and now <= event.registration_deadline,
        error=error,
        status=code,
        **forms,
    )


def _counts(event: Event) -> dict[str, int]:
    """How many registrations of each status the event has (staff's summary)."""
    from sqlalchemy import func

    rows = db.session.execute(
        select(Registration.status, func.count(), func.coalesce(func.sum(Registration.attendees), 0))
        .where(Registration.event_id == event.id)
        .group_by(Registration.status)
    ).all()
    counts = {status: 0 for status in event_vocab.REGISTRATION_STATUSES}
    counts.update({row[0]: row[1] for row in rows})
    counts["waiting_people"] = next((int(row[2]) for row in rows if row[0] == RegStatus.WAITLISTED), 0)
    return counts


@bp.get("/<int:event_id>")
def detail(event_id: int):
    """One event."""
    return _detail(_event(event_id))


@bp.get("/<int:event_id>.ics")
def ics(event_id: int):
    """The event as an iCalendar file."""
    event = _event(event_id)
    return Response(
        ical.event_ics(event),
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="event-{event.id}.ics"'},
    )


# ---------------------------------------------------------------------------------------- staff: events


def _event_form_page(form: EventForm, event: Event | None, code: int = 200):
    """The event form (new or edit)."""
    return render("events/form.html", form=form, event=event, status=code)


@bp.route("/new", methods=["GET", "POST"])
@roles_required("staff")
def new():
    """Staff create an event (draft or published)."""
    form = EventForm()
    form.speakers.choices = _lawyer_choices()
    if request.method == "GET":
        return _event_form_page(form, None)
    if not form.validate():
        return _event_form_page(form, None, 422)
    try:
        event = service.save_event(_values(form), actor())
    except DomainError as error:
        return refuse(error, lambda code, _m: _event_form_page(form, None, code), form)
    flash(_("The event is saved.") if event.status == EventStatus.DRAFT else _("The event is published."), "success")
    return redirect(url_for("events.detail", event_id=event.id), code=303)


@bp.route("/<int:event_id>/edit", methods=["GET", "POST"])
@roles_required("staff")
def edit(event_id: int):
    """Staff change an event; registrations stay, a larger capacity moves the waitlist up."""
    event = _event(event_id)
    form = EventForm(obj=None)
    form.speakers.choices = _lawyer_choices()
    if request.method == "GET":
        _fill(form, event)
        return _event_form_page(form, event)
    if not form.validate():
        return _event_form_page(form, event, 422)
    try:
        service.save_event(_values(form), actor(), event)
    except DomainError as error:
        return refuse(error, lambda code, _m: _event_form_page(form, event, code), form)
    flash(_("The event is saved."), "success")
    return redirect(url_for("events.detail", event_id=event.id), code=303)


def _fill(form: EventForm, event: Event) -> None:
    """Put the event's values into the form."""
    form.title.data = event.title
    form.description.data = event.description
    form.category.data = event.category
    form.topics.data = event.topics
    form.start.data = _local_input(event.start_at)
    form.end.data = _local_input(event.end_at)
    form.location.data = event.location
    form.online_url.data = event.online_url or ""
    form.capacity.data = str(event.capacity) if event.capacity else ""
    form.seats_per_enterprise.data = str(event.seats_per_enterprise)
    form.registration_deadline.data = _local_input(event.registration_deadline)
    form.status.data = event.status if event.status != EventStatus.CANCELLED else EventStatus.PUBLISHED
    form.speakers.data = [str(s.id) for s in event.speakers]


def _local_input(moment) -> str:
    """A stored moment as the value of a datetime-local input."""
    return to_local(moment).strftime("%Y-%m-%dT%H:%M")


@bp.post("/<int:event_id>/cancel-event")
@roles_required("staff")
def cancel_event(event_id: int):
    """Staff call the event off; everyone registered is told."""
    event = _event(event_id)
    form = CancelEventForm()
    if not form.validate():
        return _detail(event, 422, cancel_event_form=form)
    try:
        service.cancel_event(event, actor(), form.reason.data or "")
    except DomainError as error:
        return refuse(error, lambda code, message: _detail(event, code, error=message, cancel_event_form=form))
    flash(_("The event is cancelled. Everyone registered has been told."), "success")
    return redirect(url_for("events.detail", event_id=event.id), code=303)


# ------------------------------------------------------------------------------------------- sign-up


@bp.post("/<int:event_id>/register")
@roles_required("enterprise", "staff")
def register(event_id: int):
    """Sign up: an enterprise user for their enterprise, staff for a chosen one (on its behalf)."""
    event = _event(event_id)
    form = RegisterForm()
    if not form.validate():
        return _detail(event, 422, register_form=form)
    enterprise = _enterprise(form.enterprise_id.data) if current_user.is_staff else None
    try:
        registration = service.register(event, enterprise, form.attendees.number, form.names.data or "", actor())
    except DomainError as error:
        # A refusal about one field sits next to it; one about the event (full, closed, twice) above the page.
        holder = form if error.field else None
        return refuse(error, lambda code, message: _detail(event, code, error=message, register_form=form), holder)
    if registration.status == RegStatus.REGISTERED:
        flash(
            _("%(name)s is registered. The enterprise has been told.", name=registration.enterprise.name)
            if current_user.is_staff
            else _("You are registered. You'll get a reminder the day before."),
            "success",
        )
    else:
        flash(_("The event is full: %(name)s is on the waitlist and will be told when a place frees up.",
                name=registration.enterprise.name), "info")  # fmt: skip
    return redirect(url_for("events.detail", event_id=event.id), code=303)


@bp.post("/<int:event_id>/cancel")
@roles_required("enterprise", "staff")
def cancel(event_id: int):
    """The enterprise cancels its registration (or leaves the waitlist); staff name the registration."""
    event = _event(event_id)
    if current_user.is_staff:
        registration = load_or_404(Registration, request.form.get("registration_id", ""))
    else:
        registration = calendar.my_registrations(actor(), [event.id]).get(event.id)
    if registration is None or registration.event_id != event.id:
        abort(404)
    try:
        service.cancel_registration(registration, actor())
    except DomainError as error:
        return refuse(error, lambda code, message: _detail(event, code, error=message))
    flash(_("The registration is cancelled."), "success")
    if current_user.is_staff:
        return redirect(url_for("events.checkin_list", event_id=event.id), code=303)
    return redirect(url_for("events.detail", event_id=event.id), code=303)


@bp.get("/enterprises")
@roles_required("staff")
def enterprise_search():
    """Staff's enterprise search box (htmx): verified enterprises whose name or 统一社会信用代码 matches ``q``."""
    q = (request.args.get("enterprise_q") or request.args.get("q") or "").strip()[:100]
    found = []
    if q:
        found = db.session.scalars(
            select(Enterprise)
            .where(Enterprise.status == "verified", contains(q, Enterprise.name, Enterprise.uscc))
            .order_by(Enterprise.name)
            .limit(10)
        ).all()
    return render("events/_enterprise_options.html", q=q, found=found)


# ---------------------------------------------------------------------------------------------- check-in


def _registrants(event: Event, q: str, enterprise=None) -> Select:
    """The event's registrations that are not cancelled, by enterprise name, matching ``q`` (enterprise,
    统一社会信用代码, names); ``enterprise`` says what is loaded of each one's enterprise (default: all of it)."""
    query = (
        select(Registration)
        .join(Enterprise, Registration.enterprise_id == Enterprise.id)
        .where(Registration.event_id == event.id, Registration.status != RegStatus.CANCELLED)
        .options(enterprise or selectinload(Registration.enterprise))
        .order_by(Enterprise.name, Registration.id)
    )
    if q:
        query = query.where(contains(q, Enterprise.name, Enterprise.uscc, Registration.names))
    return query


def _checkin_page(event: Event, code: int = 200, error: str | None = None, walk_in_form=None):
    """The check-in page, or its list of registrants for htmx (the page asked for, also after checking one in)."""
    q = (request.values.get("q") or "").strip()[:100]

    def page_url(number: int, _name: str = "page") -> str:
        """The check-in list's page ``number`` for this search (also when answering a check-in's POST)."""
        return url_for("events.checkin_list", event_id=event.id, q=q or None, page=number)

    return render(
        "events/checkin.html",
        "registrants",
        event=event,
        q=q,
        registrants=paging.look_ahead(
            _registrants(event, q, selectinload(Registration.enterprise).load_only(Enterprise.name)),
            parse_page(request.values.get("page")),
            CHECKIN_PER_PAGE,
        ),
        page_url=page_url,
        reach=service.reach([event.id])[event.id],
        counts=_counts(event),
        walk_in_form=walk_in_form or WalkInForm(formdata=None),
        error=error,
        status=code,
    )


@bp.get("/<int:event_id>/checkin")
@roles_required("staff")
def checkin_list(event_id: int):
    """Staff's check-in page: registrants with a live search, one tap to check in, walk-ins."""
    return _checkin_page(_event(event_id))


@bp.post("/registrations/<int:registration_id>/checkin")
@roles_required("staff")
def check_in(registration_id: int):
    """Mark a registration attended with how many came; htmx gets the refreshed list."""
    registration = load_or_404(Registration, registration_id)
    event = registration.event
    form = CheckInForm()
    if not form.validate():
        return _checkin_page(event, 422, error=form.attended_count.errors[0])
    try:
        service.check_in(registration, actor(), form.attended_count.number)
    except DomainError as error:
        return refuse(error, lambda code, message: _checkin_page(event, code, error=message))
    if is_htmx():
        return _checkin_page(event)
    flash(_("%(name)s is checked in.", name=registration.enterprise.name), "success")
    return redirect(url_for("events.checkin_list", event_id=event.id), code=303)


@bp.post("/<int:event_id>/walk-in")
@roles_required("staff")
def walk_in(event_id: int):
    """Check in an enterprise that came without registering."""
    event = _event(event_id)
    form = WalkInForm()
    if not form.validate():
        return _checkin_page(event, 422, walk_in_form=form)
    try:
        registration = service.add_walk_in(
            event, _enterprise(form.enterprise_id.data), form.attended_count.number, form.names.data or "", actor()
        )
    except DomainError as error:
        return refuse(error, lambda code, _m: _checkin_page(event, code, walk_in_form=form), form)
    flash(_("%(name)s is checked in.", name=registration.enterprise.name), "success")
    return redirect(url_for("events.checkin_list", event_id=event.id), code=303)


@bp.get("/registrations/<int:registration_id>/qr.svg")
@roles_required("enterprise", "staff")
def qr(registration_id: int):
    """The registration's check-in QR code (its enterprise and staff only)."""
    registration = load_or_404(Registration, registration_id)
    if registration.status == RegStatus.CANCELLED:
        abort(404)
    return Response(checkin.qr_svg(registration), mimetype="image/svg+xml", headers={"Cache-Control": "no-store"})


def _scanned(token: str) -> Registration:
    """The registration of a check-in link; forged → 404, expired → the expiry page (raised as ``LinkExpired``)."""
    try:
        ident = checkin.read(token)
    except NotFound:
        abort(404)
    return load_or_404(Registration, ident)


@bp.route("/scan/<token>", methods=["GET", "POST"])
@roles_required("staff")
def scan(token: str):
    """A scanned QR code: staff see whose registration it is and check the holder in."""
    try:
        registration = _scanned(token)
    except checkin.LinkExpired as error:
        return render("events/scan.html", registration=None, error=error.message, form=None, status=410)
    form = CheckInForm()
    code = 200
    if request.method == "GET":
        form.attended_count.data = str(registration.attended_count or registration.attendees)
    elif form.validate():
        try:
            service.check_in(registration, actor(), form.attended_count.number)
        except DomainError as error:
            code = refuse(error, lambda status, _m: status, form)
        else:
            flash(_("%(name)s is checked in.", name=registration.enterprise.name), "success")
            return redirect(url_for("events.scan", token=token), code=303)
    else:
        code = 422
    return render("events/scan.html", registration=registration, form=form, error=None, status=code, token=token)


# ---------------------------------------------------------------------------------------- after the event


@bp.get("/<int:event_id>/attendance.csv")
@roles_required("staff")
def attendance_csv(event_id: int):
    """The attendance list: one row per registration (cancelled ones aside), in Excel-friendly UTF-8."""
    event = _event(event_id)
    header = [
        "企业名称",
        "统一社会信用代码",
        "状态",
        "报名人数",
        "到场人数",
        "参会人员",
        "现场登记",
        "签到时间",
        "评分",
    ]
    rows = (
        [
            r.enterprise.name,
            r.enterprise.uscc,
            vocab.label(event_vocab.REGISTRATION_STATUSES, r.status),
            r.attendees,
            r.attended_count if r.attended_count is not None else "",
            "、".join(r.name_list),
            "是" if r.walk_in else "",
            to_local(r.checked_in_at).strftime("%Y-%m-%d %H:%M") if r.checked_in_at else "",
            r.rating or "",
        ]
        for r in db.session.scalars(_registrants(event, ""))
    )
    return Response(
        spreadsheet.csv_bytes(header, rows),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="event-{event.id}-attendance.csv"'},
    )


@bp.post("/<int:event_id>/rate")
@roles_required("enterprise")
def rate(event_id: int):
    """An attending enterprise rates the event once."""
    event = _event(event_id)
    registration = calendar.my_registrations(actor(), [event.id]).get(event.id)
    if registration is None:
        abort(404)
    form = RateForm()
    if not form.validate():
        return _detail(event, 422, rate_form=form)
    try:
        service.rate(registration, actor(), parse_id(form.rating.data))
    except DomainError as error:
        return refuse(error, lambda code, _m: _detail(event, code, rate_form=form), form)
    flash(_("Thank you for your rating!"), "success")
    return redirect(url_for("events.detail", event_id=event.id), code=303)
