"""Views of coverage (staff only, except stating one's own needs): the dashboard, the not-yet-served list, an
enterprise's timeline, the exports, the yearly report and API tokens. Thin: parse the period, ask ``metrics``,
render."""

from __future__ import annotations

from datetime import date

from flask import Response, abort, current_app, flash, redirect, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from ..core import paging, vocab
from ..core.errors import DomainError, Invalid
from ..core.parsing import date_range, parse_id, parse_int, parse_page
from ..extensions import db
from ..models import ApiToken, Enterprise, Need
from ..timeutil import local_today
from ..web import actor, load_or_404, refuse, render, roles_required, safe_next
from . import bp, cache, charts, export, metrics, service, touches
from .forms import NeedForm, StaffNeedForm, TokenForm
from .vocab import CHANNELS

PER_PAGE = 25
#: Rows of the not-yet-served list on the dashboard (a first look; the list's own page shows ``PER_PAGE``).
DASHBOARD_PER_PAGE = 10
#: Touches per page of an enterprise's timeline.
TIMELINE_PER_PAGE = 50
#: The not-yet-served list counts its rows up to here when the dashboard's summary doesn't say.
NOT_SERVED_COUNTED = 1000


def _year(today: date) -> tuple[date, date]:
    """This calendar year (the default period)."""
    return date(today.year, 1, 1), date(today.year, 12, 31)


def _period() -> tuple[date, date]:
    """The ``from``/``to`` of the request (default: this year); raises ``Invalid`` on the field that is wrong."""
    start, end = date_range(request.args.get("from"), request.args.get("to"), _year(local_today()))
    return start, end  # type: ignore[return-value]


def _target() -> int:
    """The yearly target of served enterprises (``COVERAGE_TARGET``)."""
    return int(current_app.config["COVERAGE_TARGET"])


def _bad_period(error: Invalid, template: str = "coverage/dashboard.html"):
    """The page again with the message next to the date field it is about (422), the input kept."""
    return render(
        template,
        status=422,
        period_errors={error.field: error.message},
        start_text=request.args.get("from", ""),
        end_text=request.args.get("to", ""),
    )


def _not_served_page(start: date, end: date, q: str, summary: metrics.Summary | None = None, per_page: int = PER_PAGE):
    """A page of the not-yet-served list with each enterprise's open needs and last touch ever. How many there are:
    active roster − served (the dashboard's summary, or the same cached figures); a search counts up to
    ``NOT_SERVED_COUNTED`` ("more than …") instead of counting the district's roster."""
    known = None
    if not q:
        if summary is None:
            roster, found = metrics.roster_and_channels(start, end)
            known = roster - found.served
        else:
            known = summary.roster - summary.served
    page = paging.look_ahead(
        metrics.not_served(start, end, q),
        parse_page(request.args.get("page")),
        per_page,
        count_up_to=None if known is not None else NOT_SERVED_COUNTED,
    )
    if known is not None:
        page.total = known
    ids = [e.id for e in page.items]
    return {"page": page, "needs": metrics.open_needs(ids), "last": metrics.last_touch(ids), "q": q}


@bp.get("/")
@roles_required("staff")
def dashboard():
    """Coverage of a period: served ÷ active roster against the target, the channels, the trend, the breakdowns
    (demand beside supply) and the not-yet-served list."""
    try:
        start, end = _period()
    except Invalid as error:
        return _bad_period(error)
    version = cache.stamp()
    now = metrics.live(start, end)
    summary = metrics.summary(start, end, _target(), version, now)
    months = metrics.monthly(start, end, version)
    topics = metrics.by_topic(start, end, version, now)
    channel_labels = {code: str(label) for code, label in CHANNELS.items()}
    topic_rows = [(vocab.label(vocab.TOPICS, t.code), t.needs, t.supply) for t in topics]
    return render(
        "coverage/dashboard.html",
        summary=summary,
        months=months,
        trend=charts.stacked_months(months, channel_labels),
        colours=charts.COLOURS,
        industries=metrics.by_industry(start, end, version),
        topics=topics,
        topic_chart=charts.paired_rows(topic_rows, _("Needs stated"), _("Services given")),
        demand_colour=charts.DEMAND_COLOUR,
        supply_colour=charts.SUPPLY_COLOUR,
        start=start,
        end=end,
        start_text=start.isoformat(),
        end_text=end.isoformat(),
        period_errors={},
        **_not_served_page(start, end, request.args.get("q", "").strip(), summary, DASHBOARD_PER_PAGE),
    )


@bp.get("/not-served")
@roles_required("staff")
def not_served():
    """The not-yet-served list of the period (its own page; the dashboard's search swaps only the list)."""
    try:
        start, end = _period()
    except Invalid as error:
        return _bad_period(error, "coverage/not_served.html")
    return render(
        "coverage/not_served.html",
        "results",
        start=start,
        end=end,
        start_text=start.isoformat(),
        end_text=end.isoformat(),
        period_errors={},
        **_not_served_page(start, end, request.args.get("q", "").strip()),
    )


def _download(body: bytes, name: str, mimetype: str) -> Response:
    """A file download."""
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f"attachment; filename={name}"})


@bp.get("/export.csv")
@roles_required("staff")
def export_csv():
    """One row per active roster enterprise with its touches in the period (CSV, UTF-8 with BOM)."""
    try:
        start, end = _period()
    except Invalid as error:
        return _bad_period(error)
    return _download(export.table_csv(start, end), export.filename("coverage", start, end, "csv"), "text/csv")


@bp.get("/export.xlsx")
@roles_required("staff")
def export_xlsx():
    """The same table as an Excel workbook."""
    try:
        start, end = _period()
    except Invalid as error:
        return _bad_period(error)
    return _download(
        export.table_xlsx(start, end),
        export.filename("coverage", start, end, "xlsx"),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@bp.get("/not-served.csv")
@roles_required("staff")
def not_served_csv():
    """The not-yet-served list of the period as CSV (the outreach list to call)."""
    try:
        start, end = _period()
    except Invalid as error:
        return _bad_period(error)
    body = export.not_served_csv(start, end, request.args.get("q", "").strip())
    return _download(body, export.filename("not-served", start, end, "csv"), "text/csv")


@bp.get("/enterprises/<int:enterprise_id>")
@roles_required("staff")
def timeline(enterprise_id: int):
    """Every touch of one enterprise in date order (a page at a time, with its touches per year and channel), its
    needs and its open checkup findings."""
    enterprise = load_or_404(Enterprise, enterprise_id)
    from sqlalchemy import select

    needs = db.session.scalars(
        select(Need).where(Need.enterprise_id == enterprise.id).order_by(Need.status.desc(), Need.created_at.desc())
    ).all()
    number = parse_page(request.args.get("page"))
    statement, parameters = touches.timeline_page(
        enterprise.id, TIMELINE_PER_PAGE + 1, (number - 1) * TIMELINE_PER_PAGE
    )
    rows = db.session.execute(statement, parameters).all()
    years = metrics.enterprise_years(enterprise.id)
    page = paging.Window(
        items=rows[:TIMELINE_PER_PAGE],
        page=number,
        per_page=TIMELINE_PER_PAGE,
        has_next=len(rows) > TIMELINE_PER_PAGE,
        total=sum(year.total for year in years),
    )
    return render(
        "coverage/timeline.html",
        enterprise=enterprise,
        page=page,
        names=_names(),
        years=years,
        needs=needs,
        findings=metrics.enterprise_findings(enterprise.id),
        need_form=StaffNeedForm(formdata=None),
    )


def _names() -> dict[str, dict[str, str]]:
    """The labels a page of touches shows (channels, services, topics), translated once per page, not per row."""
    from ..bookings.vocab import SERVICE_TYPES

    return {
        name: {code: vocab.label(mapping, code) for code in mapping}
        for name, mapping in (("channel", CHANNELS), ("service", SERVICE_TYPES), ("topic", vocab.TOPICS))
    }


# ------------------------------------------------------------------------------------------------------ needs


@bp.post("/needs")
@roles_required("enterprise", "staff")
def state_needs():
    """Record legal needs: an enterprise user for their enterprise, staff for the enterprise named (phone, visit)."""
    if current_user.is_staff:
        enterprise = load_or_404(Enterprise, parse_id(request.form.get("enterprise_id")) or 0)
        form = StaffNeedForm()
        back = url_for("coverage.timeline", enterprise_id=enterprise.id)
    else:
        enterprise = current_user.enterprise
        if enterprise is None or enterprise.status == "archived":
            abort(404)
        form = NeedForm()
        back = safe_next(request.form.get("next")) or url_for("enterprises.mine")
    if not form.validate():
        return _need_refused(form, enterprise, back, 422)
    try:
        service.state_needs(enterprise, form.topics.data or [], form.note.data, form.source.data or "profile", actor())
    except DomainError as error:
        return refuse(error, lambda code, _m: _need_refused(form, enterprise, back, code), form)
    flash(
        _("Thank you: the park service station sees what you need.")
        if current_user.is_enterprise
        else _("Need recorded."),
        "success",
    )
    return redirect(back, code=303)


def _need_refused(form, enterprise: Enterprise, back: str, status: int):
    """The need form again with its errors and what was typed."""
    return render("coverage/need_form.html", form=form, enterprise=enterprise, back=back, status=status)


@bp.post("/needs/<int:need_id>/addressed")
@roles_required("staff")
def address_need(need_id: int):
    """Staff mark a need addressed."""
    need = load_or_404(Need, need_id)
    try:
        service.address_need(need, actor())
    except DomainError as error:
        return refuse(error, lambda code, message: _timeline_error(need.enterprise_id, code, message))
    return redirect(url_for("coverage.timeline", enterprise_id=need.enterprise_id), code=303)


def _timeline_error(enterprise_id: int, status: int, message: str | None):
    flash(message or "", "error")
    return redirect(url_for("coverage.timeline", enterprise_id=enterprise_id), code=303)


# ------------------------------------------------------------------------------------------------ the report


def _report_year() -> int:
    """The report's year (``?year=``; this year by default)."""
    year = request.args.get("year")
    if year is None or year == "":
        return local_today().year
    parsed = parse_int(year, 2000, 2100)
    if parsed is None:
        abort(404)
    return parsed


def _report_context(year: int) -> dict:
    """The figures the street office's yearly 法治政府建设 report needs for the park."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    return {
        "year": year,
        "summary": metrics.summary(start, end, _target()),
        "risks": metrics.risks(start, end),
        "top_needs": metrics.top_needs(start, end),
        "generated": local_today(),
    }


@bp.get("/report")
@roles_required("staff")
def report():
    """The yearly report as a printable page."""
    return render("coverage/report.html", **_report_context(_report_year()))


@bp.get("/report.pdf")
@roles_required("staff")
def report_pdf():
    """The yearly report as an A4 PDF (WeasyPrint, like the checkup reports)."""
    from .report import pdf

    year = _report_year()
    locale = get_locale()
    body = pdf(_report_context(year), english=locale is not None and locale.language == "en")
    return _download(body, f"coverage-report-{year}.pdf", "application/pdf")


# ------------------------------------------------------------------------------------------------ API tokens


def _tokens_page(form: TokenForm, status: int = 200, new_token: str | None = None):
    from sqlalchemy import select

    tokens = db.session.scalars(select(ApiToken).order_by(ApiToken.revoked_at.is_not(None), ApiToken.id.desc())).all()
    return render("coverage/tokens.html", form=form, tokens=tokens, new_token=new_token, status=status)


@bp.route("/tokens", methods=["GET", "POST"])
@roles_required("staff")
def tokens():
    """Staff issue named API tokens (shown once) and see which are in use."""
    form = TokenForm()
    if not form.validate_on_submit():
        return _tokens_page(form, 422 if form.is_submitted() else 200)
    try:
        _row, token = service.issue_token(form.name.data, actor())
    except DomainError as error:
        return refuse(error, lambda code, _m: _tokens_page(form, code), form)
    return _tokens_page(TokenForm(formdata=None), new_token=token)


@bp.post("/tokens/<int:token_id>/revoke")
@roles_required("staff")
def revoke_token(token_id: int):
    """Revoke a token: the platform using it gets 401 from now on."""
    row = load_or_404(ApiToken, token_id)
    try:
        service.revoke_token(row, actor())
    except DomainError as error:
        return refuse(error, lambda code, message: _tokens_page(TokenForm(formdata=None), code))
    flash(_("Token “%(name)s” is revoked.", name=row.name), "success")
    return redirect(url_for("coverage.tokens"), code=303)
