"""The read-only JSON API: coverage figures of a period and the published events, behind bearer tokens; its
OpenAPI description is public (it describes, it holds no data)."""

from __future__ import annotations

from datetime import date

from flask import current_app, jsonify, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..core.errors import Invalid
from ..core.parsing import date_range
from ..coverage import metrics
from ..events.vocab import EventStatus
from ..extensions import db
from ..models import Event
from ..timeutil import local_today, to_local
from . import bp
from .openapi import spec
from .tokens import error, token_required

#: At most this many events in one answer (the newest first past ``from``).
EVENT_LIMIT = 500


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
    """Published events (optionally from/to by their local day), earliest first."""
    try:
        start, end = date_range(request.args.get("from"), request.args.get("to"), (None, None))
    except Invalid as problem:
        return error(400, "bad_request", problem.message, problem.field)
    from ..coverage.touches import _in, utc_bounds

    low, high = utc_bounds(start, end)
    rows = db.session.scalars(
        select(Event)
        .options(selectinload(Event.topic_rows))
        .where(Event.status == EventStatus.PUBLISHED, *_in(Event.start_at, low, high))
        .order_by(Event.start_at, Event.id)
        .limit(EVENT_LIMIT)
    ).all()
    return jsonify(
        {
            "events": [
                {
                    "id": event.id,
                    "title": event.title,
                    "category": event.category,
                    "topics": event.topics,
                    "start": to_local(event.start_at).isoformat(timespec="minutes"),
                    "end": to_local(event.end_at).isoformat(timespec="minutes"),
                    "location": event.location,
                    "capacity": event.capacity,
                    "places_left": event.places_left,
                    "url": url_for("events.detail", event_id=event.id, _external=True),
                }
                for event in rows
            ]
        }
    )


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3 description of this API."""
    return jsonify(spec(url_for("api.coverage", _external=True).rsplit("/coverage", 1)[0]))
