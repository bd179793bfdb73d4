"""The API's OpenAPI 3 description: served at /api/v1/openapi.json, and the schema the tests validate every
answer against (so the description and the implementation can't drift apart)."""

from __future__ import annotations

from typing import Any

CHANNELS = ("consultation", "checkup", "event", "download", "printed")

ERROR = {
    "type": "object",
    "required": ["error", "message"],
    "properties": {
        "error": {"type": "string"},
        "message": {"type": "string"},
        "field": {"type": "string"},
    },
}

COVERAGE = {
    "type": "object",
    "required": ["from", "to", "roster", "served", "rate", "target", "touches"],
    "properties": {
        "from": {"type": "string", "format": "date"},
        "to": {"type": "string", "format": "date"},
        "roster": {"type": "integer", "minimum": 0, "description": "Active roster enterprises (not archived)."},
        "served": {
            "type": "integer",
            "minimum": 0,
            "description": "Active enterprises with at least one service touch in the period, each counted once.",
        },
        "rate": {"type": "number", "minimum": 0, "maximum": 1, "description": "served ÷ roster"},
        "target": {"type": "integer", "minimum": 0, "description": "Served enterprises the park aims for a year."},
        "touches": {
            "type": "object",
            "required": list(CHANNELS),
            "properties": {code: {"type": "integer", "minimum": 0} for code in CHANNELS},
            "additionalProperties": False,
        },
        "events_held": {"type": "integer", "minimum": 0},
        "people_reached": {"type": "integer", "minimum": 0},
        "copies_distributed": {"type": "integer", "minimum": 0},
        "average_rating": {"type": ["number", "null"], "minimum": 1, "maximum": 5},
    },
}

EVENT = {
    "type": "object",
    "required": ["id", "title", "category", "topics", "start", "end", "location", "url"],
    "properties": {
        "id": {"type": "integer"},
        "title": {"type": "string"},
        "category": {"type": "string", "enum": ["lecture", "training", "checkup_day", "consultation_day", "campaign"]},
        "topics": {"type": "array", "items": {"type": "string"}},
        "start": {"type": "string", "format": "date-time"},
        "end": {"type": "string", "format": "date-time"},
        "location": {"type": "string"},
        "capacity": {"type": ["integer", "null"]},
        "places_left": {"type": ["integer", "null"]},
        "url": {"type": "string"},
    },
}

EVENTS = {
    "type": "object",
    "required": ["events"],
    "properties": {
        "events": {"type": "array", "items": {"$ref": "#/components/schemas/Event"}},
        "next": {
            "type": ["string", "null"],
            "description": "The address of the following page (same from/to and limit), null on the last page.",
        },
    },
}

#: Events in one answer unless ``limit`` asks for another number (the demo park's year fits in one), and the most
#: ``limit`` may ask for.
EVENT_LIMIT = 100
MAX_EVENT_LIMIT = 500

EVENT_PAGING = [
    {
        "name": "limit",
        "in": "query",
        "required": False,
        "description": f"Events per answer (default {EVENT_LIMIT}, at most {MAX_EVENT_LIMIT}).",
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_EVENT_LIMIT, "default": EVENT_LIMIT},
    },
    {
        "name": "page",
        "in": "query",
        "required": False,
        "description": "Which page of `limit` events (default 1); follow `next` rather than counting.",
        "schema": {"type": "integer", "minimum": 1, "default": 1},
    },
]


def _json(ref: str, description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": {"$ref": ref}}}}


def _period(description: str) -> list[dict[str, Any]]:
    return [
        {
            "name": name,
            "in": "query",
            "required": False,
            "description": description.format(name=name),
            "schema": {"type": "string", "format": "date"},
        }
        for name in ("from", "to")
    ]


def spec(server: str = "/api/v1") -> dict[str, Any]:
    """The OpenAPI 3.1 document (``server``: the API's base URL)."""
    unauthorized = _json("#/components/schemas/Error", "Missing, wrong or revoked token.")
    bad = _json("#/components/schemas/Error", "A date is not YYYY-MM-DD, or `to` lies before `from`.")
    bad_events = _json(
        "#/components/schemas/Error",
        "A date is not YYYY-MM-DD, `to` lies before `from`, or `limit` is out of range.",
    )
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "parkportal API",
            "version": "1.0.0",
            "description": "Read-only figures of the park's legal services for other platforms. Tokens are issued by "
            "park staff (/coverage/tokens or `flask issue-token`).",
        },
        "servers": [{"url": server}],
        "security": [{"bearer": []}],
        "paths": {
            "/coverage": {
                "get": {
                    "summary": "Coverage of a period",
                    "parameters": _period("Inclusive local day, YYYY-MM-DD (default: this year)."),
                    "responses": {
                        "200": _json("#/components/schemas/Coverage", "The coverage figures."),
                        "400": bad,
                        "401": unauthorized,
                    },
                }
            },
            "/events": {
                "get": {
                    "summary": "Published events",
                    "parameters": _period("Inclusive local day of the event's start, YYYY-MM-DD (default: all).")
                    + EVENT_PAGING,
                    "responses": {
                        "200": _json(
                            "#/components/schemas/Events", "A page of the published events, earliest first, and `next`."
                        ),
                        "400": bad_events,
                        "401": unauthorized,
                    },
                }
            },
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {"Error": ERROR, "Coverage": COVERAGE, "Event": EVENT, "Events": EVENTS},
        },
    }
