"""Response bodies (msgspec Structs, encoded by msgspec) and their OpenAPI schemas."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

import msgspec
from starlette.responses import JSONResponse

from contracts.settlement import StatementLine
from query_api.problems import PROBLEM_JSON, Problem
from query_api.schemas_data import DATA_STRUCTS
from query_api.schemas_overview import OVERVIEW_STRUCTS
from query_api.schemas_people import PEOPLE_STRUCTS
from query_api.schemas_quality import QUALITY_STRUCTS
from query_api.schemas_settlements import SETTLEMENT_STRUCTS


class Token(msgspec.Struct, kw_only=True):
    """An access token (JWT, ``expires_in`` seconds) and the refresh token that renews it."""

    access_token: str
    expires_in: int
    token_type: str = "bearer"  # noqa: S105 (a token kind, not a secret)
    refresh_token: str
    refresh_expires_in: int


class Me(msgspec.Struct):
    user_id: UUID
    email: str
    org_id: UUID
    role: str


class Driver(msgspec.Struct):
    driver_id: str
    provider: str
    account_id: str
    first_name: str | None
    last_name: str | None
    email: str | None
    phone: str | None
    status: str | None
    vehicle_ids: list[str]
    updated_at: datetime


class DriverPage(msgspec.Struct):
    items: list[Driver]
    next_cursor: str | None


class EventSummary(msgspec.Struct):
    """One event of the log, without its record."""

    position: int
    event_id: UUID
    event_type: str
    schema_version: int
    provider: str
    account_id: str
    entity_id: str
    observed_at: datetime
    recorded_at: datetime
    fetch_id: int | None


class EventPage(msgspec.Struct):
    items: list[EventSummary]
    next_cursor: str | None


class Fetch(msgspec.Struct):
    """One provider call: what was asked, what came back (the body at its own route)."""

    fetch_id: int
    provider: str
    method: str
    endpoint: str
    params: dict[str, Any]
    status: int | None
    started_at: datetime
    duration_ms: int
    error: str | None
    response_sha256: str | None


class FetchPage(msgspec.Struct):
    items: list[Fetch]
    next_cursor: str | None


class EventDetail(msgspec.Struct):
    """One event: its envelope, the provider's record exactly as received, and its call.

    ``record`` is the stored bytes as text (UTF-8); ``record_sha256`` is the SHA-256 of those
    bytes, so an auditor can check what they read. ``fetch`` is the provider call it came from.
    """

    position: int
    event_id: UUID
    event_type: str
    schema_version: int
    provider: str
    account_id: str
    entity_id: str
    observed_at: datetime
    recorded_at: datetime
    fetch_id: int | None
    record: str
    record_sha256: str
    fetch: Fetch | None


class LineSources(msgspec.Struct):
    """A settlement's line and the events it came from, each with the provider's exact bytes
    and the call that fetched them (docs/SETTLEMENTS.md)."""

    settlement_id: str
    line: StatementLine
    events: list[EventDetail]


class QuarantinedRecord(msgspec.Struct):
    """A record that could not be decoded: why, and its bytes as text."""

    quarantine_id: int
    provider: str
    resource: str
    fetch_id: int | None
    reason: str
    raw: str
    raw_sha256: str
    created_at: datetime


class QuarantinePage(msgspec.Struct):
    items: list[QuarantinedRecord]
    next_cursor: str | None


class ProjectionStatus(msgspec.Struct):
    """How far one projection has got in the log."""

    name: str
    position: int
    head: int
    lag_events: int
    lag_seconds: float
    parked: int


class ProjectionList(msgspec.Struct):
    items: list[ProjectionStatus]


class Health(msgspec.Struct):
    status: str
    checks: dict[str, str] = {}


class WebhookAck(msgspec.Struct):
    """A signed delivery was recorded: accepted (its event is in the log), duplicate (its
    event_id was seen before), ignored (an event type we do not read) or unattributed (no
    tenant here owns its Uber org)."""

    outcome: Literal["accepted", "duplicate", "ignored", "unattributed"]


_ENCODER = msgspec.json.Encoder()


class MsgspecResponse(JSONResponse):
    """JSON encoded by msgspec: no pydantic on the way out.

    A JSONResponse for FastAPI, so that the OpenAPI schema of a route is the component that
    ok() names, not a string.
    """

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return _ENCODER.encode(content)


SCHEMA_STRUCTS: list[type] = [
    Token,
    Me,
    Driver,
    DriverPage,
    EventSummary,
    EventPage,
    EventDetail,
    Fetch,
    FetchPage,
    QuarantinedRecord,
    QuarantinePage,
    ProjectionStatus,
    ProjectionList,
    Health,
    WebhookAck,
    Problem,
    *DATA_STRUCTS,
    *OVERVIEW_STRUCTS,
    *QUALITY_STRUCTS,
    *PEOPLE_STRUCTS,
    *SETTLEMENT_STRUCTS,
    LineSources,
]
_, COMPONENTS = msgspec.json.schema_components(
    SCHEMA_STRUCTS, ref_template="#/components/schemas/{name}"
)


CSV = "text/csv"


def ok(
    struct: type, description: str = "OK", *, csv: bool = False
) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI ``responses`` entry for a msgspec-encoded 200 body (and its CSV export)."""
    content: dict[str, Any] = {
        "application/json": {"schema": {"$ref": f"#/components/schemas/{struct.__name__}"}}
    }
    if csv:
        content[CSV] = {"schema": {"type": "string"}}
        description += "; as CSV (every matching row, streamed) with Accept: text/csv"
    return {200: {"description": description, "content": content}}


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for problem+json errors."""
    ref = {"$ref": "#/components/schemas/Problem"}
    return {
        s: {"description": "Problem", "content": {PROBLEM_JSON: {"schema": ref}}} for s in statuses
    }


_WHY = {
    400: "An unknown query parameter, or a value this route refuses",
    401: "No valid access token",
    403: "The caller's role may not do this",
    404: "No such resource in the caller's org",
    422: "A malformed parameter or body",
}


def _problem_statuses(path: str, operation: dict[str, Any]) -> list[int]:
    """The 4xx any operation of this shape can answer, read from the operation itself."""
    found = [400]  # an unknown query parameter, on every route (query_api/query_keys.py)
    if "{" in path:
        found.append(404)
    if operation.get("security"):
        found += [401, 403]
    if operation.get("parameters") or "requestBody" in operation:
        found.append(422)
    return found


# FastAPI's own 422 entry: never sent, since every validation error becomes a problem.
_UNSENT = ("HTTPValidationError", "ValidationError")


def document_problems(schema: dict[str, Any]) -> None:
    """Give every operation of ``schema`` the problem answers it can give.

    Done here, on the whole document, rather than in each route's ``responses`` so that a
    route added later is documented without work, and no route can forget a status. What a
    route declares itself (a 429's Retry-After, a 503) stays; an entry without
    ``application/problem+json`` (FastAPI's default 422) gets the problem instead.
    """
    for path, item in schema.get("paths", {}).items():
        for operation in item.values():
            responses = operation.setdefault("responses", {})
            for status in _problem_statuses(path, operation):
                entry = {**problems(status)[status], "description": _WHY[status]}
                declared = responses.setdefault(str(status), entry)
                if PROBLEM_JSON not in declared.get("content", {}):
                    declared["content"] = entry["content"]
    components = schema.get("components", {}).get("schemas", {})
    for name in _UNSENT:
        components.pop(name, None)
