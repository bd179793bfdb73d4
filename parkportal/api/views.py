"""The read-only JSON API: coverage figures of a period and the published events, behind bearer tokens; its
OpenAPI description is public (it describes, it holds no data)."""

from __future__ import annotations

from datetime import date

from flask import current_app, jsonify, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..core import paging
from ..core.errors import Invalid
from ..core.parsing import date_range, parse_int, parse_page
from ..coverage import metrics
from ..events.vocab import EventStatus
from ..models import Event
from ..timeutil import local_today, to_local
from . import bp
from .errors import error
from .openapi import EVENT_LIMIT, MAX_EVENT_LIMIT, spec
from .tokens import token_required


def _period() -> tuple[date, date]:
    """``from``/``to`` of the query (default this year); ``Invalid`` names the wrong one."""
    today = local_today()
    start, end = date_range(
        request.args.get("from"), request.args.get("to"), (date(today.year, 1, 1), date(today.year, 12, 31))
    )
    return start, end  # type: ignore[return-value]


@bp.get("/coverage")
@token_required
def coverage():
    """Coverage of the period: roster, served, rate, target, touches by channel (DESIGN.md's contract)."""
    try:
        start, end = _period()
    except Invalid as problem:
        return error(400, "bad_request", problem.message, problem.field)
    summary = metrics.summary(start, end, int(current_app.config["COVERAGE_TARGET"]))
    return jsonify(
        {
            "from": start.isoformat(),
            "to": end.isoformat(),
            "roster": summary.roster,
            "served": summary.served,
            "rate": round(summary.rate, 4),
            "target": summary.target,
            "touches": summary.touches,
            "events_held": summary.events_held,
            "people_reached": summary.people_reached,
            "copies_distributed": summary.copies_distributed,
            "average_rating": round(summary.rating.average, 2) if summary.rating.average is not None else None,
        }
    )


@bp.get("/events")
@token_required
def events():
    """Published events (optionally from/to by their local day), earliest first, ``limit`` a page; ``next`` is the
    address of the following page (``null`` on the last)."""
    try:
        start, end = date_range(request.args.get("from"), request.args.get("to"), (None, None))
    except Invalid as problem:
        return error(400, "bad_request", problem.message, problem.field)
    limit, page = EVENT_LIMIT, parse_page(request.args.get("page"))  # an impossible page is 404 before any view
    if request.args.get("limit") is not None:
        limit = parse_int(request.args["limit"], 1, MAX_EVENT_LIMIT)
        if limit is None:
            return error(
                400, "bad_request", _("limit is a whole number from 1 to %(most)d.", most=MAX_EVENT_LIMIT), "limit"
            )
    from ..coverage.touches import _in, utc_bounds

    low, high = utc_bounds(start, end)
    window = paging.look_ahead(
        select(Event)
        .options(selectinload(Event.topic_rows))
        .where(Event.status == EventStatus.PUBLISHED, *_in(Event.start_at, low, high))
        .order_by(Event.start_at, Event.id),
        page,
        limit,
    )
    # One address built, each event's by replacing the id (url_for per event costs more than the rest of a row).
    address = url_for("events.detail", event_id=0, _external=True).rsplit("/", 1)[0] + "/"
    following = None
    if window.has_next:
        period = {name: request.args[name] for name in ("from", "to") if request.args.get(name)}
        following = url_for("api.events", **period, limit=limit, page=page + 1, _external=True)
    return jsonify(
        {
            "events": [
                {
                    "id": event.id,
                    "title": event.title,
                    "category": event.category,
                    "topics": event.topics,
                    "start": to_local(event.start_at).isoformat(timespec="seconds"),
                    "end": to_local(event.end_at).isoformat(timespec="seconds"),
                    "location": event.location,
                    "capacity": event.capacity,
                    "places_left": event.places_left,
                    "url": f"{address}{event.id}",
                }
                for event in window.items
            ],
            "next": following,
        }
    )


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3 description of this API."""
    return jsonify(spec(url_for("api.coverage", _external=True).rsplit("/coverage", 1)[0]))
