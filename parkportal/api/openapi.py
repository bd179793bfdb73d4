"""The API's OpenAPI 3 description: served at /api/v1/openapi.json, and the schema the tests validate every
answer against (so the description and the implementation can't drift apart)."""

from __future__ import annotations

from typing import Any

from ..core.parsing import MAX_PAGE, MAX_YEAR, MIN_YEAR
from .errors import CODES

CHANNELS = ("consultation", "checkup", "event", "download", "printed")

ERROR = {
    "type": "object",
    "description": "Every refusal of the API, whatever its status (also for paths under /api/ that name nothing).",
    "required": ["error", "message"],
    "properties": {
        "error": {"type": "string", "enum": sorted(set(CODES.values())), "description": "What went wrong, for code."},
        "message": {"type": "string", "description": "The same for people, in the portal's language."},
        "field": {"type": "string", "description": "The query argument to correct, when one is to blame."},
    },
}

#: What a local date-time in an answer looks like: RFC 3339, with seconds and the offset (+08:00).
DATE_TIME = {
    "type": "string",
    "format": "date-time",
    "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$",
}

#: A day the portal reads (``core.parsing.parse_date``): YYYY-MM-DD in the years MIN_YEAR … MAX_YEAR (2000–2100,
#: spelled out; ``test_coverage_api`` checks the pattern against the parser at and beyond both ends).
DAY = {
    "type": "string",
    "format": "date",
    "pattern": "^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$",
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
        "start": DATE_TIME,
        "end": DATE_TIME,
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
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
    },
]


def _json(ref: str, description: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    """A response of ``description`` whose JSON body is the schema ``ref`` (with ``headers``, if any)."""
    response = {"description": description, "content": {"application/json": {"schema": {"$ref": ref}}}}
    if headers:
        response["headers"] = headers
    return response


def _header(description: str, required: bool = True) -> dict[str, Any]:
    """A response header of ``description`` (a string)."""
    return {"description": description, "required": required, "schema": {"type": "string"}}


def _errors(bad: str) -> dict[str, Any]:
    """The error responses every operation can give (all of them the one ``Error`` shape); ``bad``: what a 400 is."""
    error = "#/components/schemas/Error"
    retry = "Seconds to wait before trying again."
    return {
        "400": _json(error, bad),
        "401": _json(
            error,
            "Missing, wrong or revoked token. Checked before anything else: without a token every request answers "
            "this, whatever its arguments.",
            {"WWW-Authenticate": _header('`Bearer realm="parkportal"`.')},
        ),
        "404": _json(error, f"`page` is no page any list can have (not a whole number from 1 to {MAX_PAGE})."),
        "405": _json(error, "A method other than GET or HEAD.", {"Allow": _header("The methods the path takes.")}),
        "429": _json(
            error, "Too many refused tokens from this address (API_TOKEN_RATE_LIMIT).", {"Retry-After": _header(retry)}
        ),
        "500": _json(error, "An error on the portal's side; nothing was changed."),
        "503": _json(
            error, "The portal's database is briefly unavailable.", {"Retry-After": _header(retry, required=False)}
        ),
    }


def _period(description: str) -> list[dict[str, Any]]:
    """The ``from`` and ``to`` query arguments: a day each, or empty (as if absent)."""
    return [
        {
            "name": name,
            "in": "query",
            "required": False,
            "description": description.format(name=name),
            "schema": {"anyOf": [DAY, {"type": "string", "maxLength": 0, "description": "Empty: as if absent."}]},
        }
        for name in ("from", "to")
    ]


def spec(server: str = "/api/v1") -> dict[str, Any]:
    """The OpenAPI 3.1 document (``server``: the API's base URL)."""
    days = f"Inclusive local day, YYYY-MM-DD in the years {MIN_YEAR}–{MAX_YEAR}, or empty"
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "parkportal API",
            "version": "1.0.0",
            "description": "Read-only figures of the park's legal services for other platforms. Tokens are issued by "
            "park staff (/coverage/tokens or `flask issue-token`). Every answer is JSON; every refusal, whatever its "
            "status and also for paths under /api/ that name nothing, is an `Error`.",
        },
        "servers": [{"url": server}],
        "security": [{"bearer": []}],
        "paths": {
            "/coverage": {
                "get": {
                    "summary": "Coverage of a period",
                    "parameters": _period(days + " (default: this year)."),
                    "responses": {
                        "200": _json("#/components/schemas/Coverage", "The coverage figures."),
                        **_errors("A date is not a day of the years above, or `to` lies before `from`."),
                    },
                }
            },
            "/events": {
                "get": {
                    "summary": "Published events",
                    "parameters": _period(days + " of the event's start (default: all).") + EVENT_PAGING,
                    "responses": {
                        "200": _json(
                            "#/components/schemas/Events", "A page of the published events, earliest first, and `next`."
                        ),
                        **_errors(
                            "A date is not a day of the years above, `to` lies before `from`, or `limit` is out of "
                            "range."
                        ),
                    },
                }
            },
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {"Error": ERROR, "Coverage": COVERAGE, "Event": EVENT, "Events": EVENTS},
        },
    }
