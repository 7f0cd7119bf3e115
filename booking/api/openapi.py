"""The OpenAPI 3.1 description of the public API, served at ``/api/v1/openapi.json``."""

from __future__ import annotations

from functools import cache


def _error_responses(*statuses: int) -> dict:
    descriptions = {400: "Bad parameter", 404: "Not found", 409: "Conflict",
                    422: "Invalid input", 429: "Too many requests"}
    return {str(s): _json(_ref("Error"), descriptions[s]) for s in statuses}


def _json(schema: dict, description: str = "OK") -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _query(name: str, description: str, *, required: bool = False, **schema) -> dict:
    return {"name": name, "in": "query", "required": required, "description": description,
            "schema": {"type": "string", **schema}}


TOKEN_PARAMETER = {"name": "token", "in": "path", "required": True,
                   "description": "The secret token from the booking's manage link.",
                   "schema": {"type": "string", "maxLength": 64}}

SEARCH_PARAMETERS = [
    _query("service", "Service id, e.g. first-consultation.", required=True),
    _query("location", "Location id (office or mobile venue); all locations when omitted."),
    _query("language", "Consultation language (ISO 639 code, e.g. uk, ar, fa, prs)."),
]

SCHEMAS = {
    "Error": {
        "type": "object", "required": ["error", "message"],
        "properties": {"error": {"type": "string"}, "message": {"type": "string"},
                       "parameter": {"type": "string"}},
    },
    "Location": {
        "type": "object",
        "required": ["id", "name", "kind", "town", "address", "lat", "lon", "organisation"],
        "properties": {
            "id": {"type": "string"}, "name": {"type": "string"},
            "kind": {"type": "string", "enum": ["office", "mobile"]},
            "town": {"type": "string"}, "address": {"type": ["string", "null"]},
            "lat": {"type": ["number", "null"]}, "lon": {"type": ["number", "null"]},
            "organisation": {"type": "string"}, "organisation_name": {"type": "string"},
        },
    },
    "Service": {
        "type": "object", "required": ["id", "name", "description", "duration_minutes"],
        "properties": {
            "id": {"type": "string"}, "name": {"type": "string"},
            "description": {"type": "string"}, "what_to_bring": {"type": "string"},
            "duration_minutes": {"type": "integer", "minimum": 1},
            "interpreter_duration_minutes": {"type": "integer", "minimum": 1},
            "channels": {"type": "array",
                         "items": {"type": "string", "enum": ["in_person", "phone", "video"]}},
        },
    },
    "Language": {
        "type": "object", "required": ["code", "name", "native_name", "direction"],
        "properties": {"code": {"type": "string"}, "name": {"type": "string"},
                       "native_name": {"type": "string"},
                       "direction": {"type": "string", "enum": ["ltr", "rtl"]}},
    },
    "Slot": {
        "type": "object",
        "required": ["start", "end", "location", "counsellor", "languages", "interpreter"],
        "properties": {
            "start": {"type": "string", "format": "date-time"},
            "end": {"type": "string", "format": "date-time"},
            "location": {"type": "string"}, "counsellor": {"type": "integer"},
            "counsellor_name": {"type": "string"},
            "languages": {"type": "array", "items": {"type": "string"}},
            "interpreter": {"type": "boolean",
                            "description": "Nobody at this location speaks the requested "
                                           "language; the office arranges an interpreter."},
        },
    },
    "Slots": {
        "type": "object", "required": ["timezone", "slots"],
        "properties": {"timezone": {"type": "string"},
                       "slots": {"type": "array", "items": _ref("Slot")}},
    },
    "Days": {
        "type": "object", "required": ["timezone", "month", "days"],
        "properties": {
            "timezone": {"type": "string"}, "month": {"type": "string"},
            "days": {"type": "array", "items": {
                "type": "object", "required": ["date", "slots", "interpreter_only"],
                "properties": {"date": {"type": "string", "format": "date"},
                               "slots": {"type": "integer", "minimum": 1},
                               "interpreter_only": {"type": "boolean"}}}},
        },
    },
    "BookingRequest": {
        "type": "object",
        "required": ["service", "location", "start", "language", "name", "email", "consent"],
        "properties": {
            "service": {"type": "string"}, "location": {"type": "string"},
            "start": {"type": "string", "format": "date-time",
                      "description": "A start time from /api/v1/slots, with offset."},
            "language": {"type": "string", "description": "Consultation language code."},
            "name": {"type": "string", "maxLength": 120},
            "email": {"type": "string", "format": "email", "maxLength": 254},
            "phone": {"type": ["string", "null"]},
            "interpreter": {"type": "boolean"},
            "consent": {"type": "boolean", "const": True,
                        "description": "Consent to the privacy notice; must be true."},
            "counsellor": {"type": ["integer", "null"]},
            "channel": {"type": "string", "enum": ["in_person", "phone", "video"]},
            "locale": {"type": "string", "description": "Language of messages to the client."},
        },
    },
    "Booking": {
        "type": "object",
        "required": ["reference", "manage_url", "status", "start", "end", "location", "service",
                     "language"],
        "properties": {
            "reference": {"type": "string"}, "token": {"type": "string"},
            "manage_url": {"type": "string"},
            "status": {"type": "string",
                       "enum": ["confirmed", "cancelled", "attended", "no_show"]},
            "start": {"type": "string", "format": "date-time"},
            "end": {"type": "string", "format": "date-time"},
            "location": {"type": "string"}, "service": {"type": "string"},
            "language": {"type": "string"}, "channel": {"type": "string"},
            "interpreter": {"type": "boolean"},
        },
    },
    "SlotTaken": {
        "type": "object", "required": ["error", "message", "alternatives"],
        "properties": {
            "error": {"const": "slot_taken"}, "message": {"type": "string"},
            "alternatives": {"type": "array", "items": {
                "type": "object", "required": ["start", "end", "location", "interpreter"],
                "properties": {"start": {"type": "string", "format": "date-time"},
                               "end": {"type": "string", "format": "date-time"},
                               "location": {"type": "string"},
                               "counsellor": {"type": "integer"},
                               "interpreter": {"type": "boolean"}}}},
        },
    },
    "ValidationError": {
        "type": "object", "required": ["error", "message", "fields"],
        "properties": {"error": {"const": "validation"}, "message": {"type": "string"},
                       "fields": {"type": "object",
                                  "additionalProperties": {"type": "string"}}},
    },
    "Health": {
        "type": "object", "required": ["status", "database"],
        "properties": {"status": {"type": "string"}, "database": {"type": "string"}},
    },
}


@cache
def openapi_document() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "IQ MV booking API", "version": "1.0.0",
            "description": "Public API of the IQ recognition counselling offices in "
                           "Mecklenburg-Vorpommern. Texts follow the Accept-Language header. "
                           "Times are ISO 8601 with offset; the time zone is Europe/Berlin.",
        },
        "servers": [{"url": "/"}],
        "paths": {
            "/api/v1/locations": {"get": {
                "operationId": "listLocations", "summary": "Offices and mobile venues",
                "responses": {"200": _json({"type": "array", "items": _ref("Location")})}}},
            "/api/v1/services": {"get": {
                "operationId": "listServices", "summary": "Bookable services",
                "responses": {"200": _json({"type": "array", "items": _ref("Service")})}}},
            "/api/v1/languages": {"get": {
                "operationId": "listLanguages", "summary": "Consultation languages on offer",
                "responses": {"200": _json({"type": "array", "items": _ref("Language")})}}},
            "/api/v1/slots": {"get": {
                "operationId": "listSlots", "summary": "Free slots in a window of days",
                "parameters": SEARCH_PARAMETERS + [
                    _query("start", "First day, YYYY-MM-DD (default: today).", format="date"),
                    _query("end", "Day after the last, YYYY-MM-DD (exclusive; default: start "
                                  "+ 14 days).", format="date"),
                ],
                "responses": {"200": _json(_ref("Slots")), **_error_responses(400)}}},
            "/api/v1/days": {"get": {
                "operationId": "listDays", "summary": "Days of a month with free slots",
                "parameters": SEARCH_PARAMETERS + [
                    _query("month", "YYYY-MM (default: this month).", pattern=r"^\d{4}-\d{2}$"),
                ],
                "responses": {"200": _json(_ref("Days")), **_error_responses(400)}}},
            "/api/v1/bookings": {"post": {
                "operationId": "createBooking", "summary": "Book a slot",
                "requestBody": {"required": True, "content": {
                    "application/json": {"schema": _ref("BookingRequest")}}},
                "responses": {
                    "201": _json(_ref("Booking"), "Booked; keep the token, it is shown once"),
                    "400": _json(_ref("Error"), "Not a JSON object"),
                    "409": _json(_ref("SlotTaken"), "The time was just taken"),
                    "422": _json(_ref("ValidationError"), "Invalid fields"),
                    "429": _json(_ref("Error"), "Too many requests"),
                }}},
            "/api/v1/bookings/{token}": {
                "parameters": [TOKEN_PARAMETER],
                "get": {"operationId": "getBooking", "summary": "A booking by its token",
                        "responses": {"200": _json(_ref("Booking")),
                                      **_error_responses(404, 429)}},
                "delete": {"operationId": "cancelBooking",
                           "summary": "Cancel (cancelling twice is harmless)",
                           "responses": {"200": _json(_ref("Booking")),
                                         **_error_responses(404, 409, 429)}},
            },
            "/api/v1/bookings/{token}/reschedule": {
                "parameters": [TOKEN_PARAMETER],
                "post": {
                    "operationId": "rescheduleBooking", "summary": "Move to another free time",
                    "requestBody": {"required": True, "content": {"application/json": {
                        "schema": {"type": "object", "required": ["start"], "properties": {
                            "start": {"type": "string", "format": "date-time"}}}}}},
                    "responses": {"200": _json(_ref("Booking")),
                                  "400": _json(_ref("Error"), "Not a JSON object"),
                                  "404": _json(_ref("Error"), "Unknown token"),
                                  "409": _json({"oneOf": [_ref("SlotTaken"), _ref("Error")]},
                                               "Taken, or no longer changeable"),
                                  "422": _json(_ref("ValidationError"), "Invalid start"),
                                  "429": _json(_ref("Error"), "Too many requests")}}},
            "/api/v1/openapi.json": {"get": {
                "operationId": "openapi", "summary": "This document",
                "responses": {"200": _json({"type": "object"})}}},
            "/healthz": {"get": {
                "operationId": "health", "summary": "Liveness and database check",
                "responses": {"200": _json(_ref("Health")),
                              "503": _json(_ref("Health"), "Database unreachable")}}},
        },
        "components": {"schemas": SCHEMAS},
    }
