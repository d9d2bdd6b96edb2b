"""Response bodies (msgspec Structs, encoded by msgspec) and their OpenAPI schemas."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec
from starlette.responses import Response

from query_api.problems import PROBLEM_JSON, Problem


class Token(msgspec.Struct):
    access_token: str
    expires_in: int
    token_type: str = "bearer"  # noqa: S105 (a token kind, not a secret)


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


class Health(msgspec.Struct):
    status: str
    checks: dict[str, str] = {}


_ENCODER = msgspec.json.Encoder()


class MsgspecResponse(Response):
    """JSON encoded by msgspec: no pydantic on the way out."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return _ENCODER.encode(content)


SCHEMA_STRUCTS: list[type] = [Token, Me, Driver, DriverPage, Health, Problem]
_, COMPONENTS = msgspec.json.schema_components(
    SCHEMA_STRUCTS, ref_template="#/components/schemas/{name}"
)


def ok(struct: type, description: str = "OK") -> dict[int | str, dict[str, Any]]:
    """The OpenAPI ``responses`` entry for a msgspec-encoded 200 body."""
    ref = {"$ref": f"#/components/schemas/{struct.__name__}"}
    return {200: {"description": description, "content": {"application/json": {"schema": ref}}}}


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for problem+json errors."""
    ref = {"$ref": "#/components/schemas/Problem"}
    return {
        s: {"description": "Problem", "content": {PROBLEM_JSON: {"schema": ref}}} for s in statuses
    }
