"""Provider calls for auditors: what was asked, when, what came back, and the exact body."""

from __future__ import annotations

from typing import Annotated, Any

import asyncpg
import msgspec
from fastapi import APIRouter, Depends, Path, Query
from starlette.responses import Response

from query_api.deps import AUDIT_ROLES, TenantConn
from query_api.listing import (
    MAX_BIGINT,
    Cursor,
    ExportCsv,
    Limit,
    Order,
    PositionList,
    Provider,
    Since,
    Until,
    time_window,
)
from query_api.problems import ApiProblem
from query_api.schemas import Fetch, FetchPage, MsgspecResponse, ok, problems

router = APIRouter(prefix="/audit", tags=["audit"], dependencies=[Depends(AUDIT_ROLES)])

# Aliased so that the event detail can select them beside the event's own columns.
FETCH_COLUMNS = (
    "f.fetch_id AS f_fetch_id, f.provider AS f_provider, f.method AS f_method, "
    "f.endpoint AS f_endpoint, f.params AS f_params, f.status AS f_status, "
    "f.started_at AS f_started_at, f.duration_ms AS f_duration_ms, f.error AS f_error, "
    "f.response_hash AS f_response_hash"
)
# PositionList appends the keyset bound, the order and the limit ($5, $6).
_LIST_SQL = f"""
SELECT {FETCH_COLUMNS} FROM provider_fetches f
WHERE ($1::text IS NULL OR f.provider = $1)
  AND ($2::int IS NULL OR f.status = $2)
  AND ($3::timestamptz IS NULL OR f.started_at >= $3)
  AND ($4::timestamptz IS NULL OR f.started_at < $4)
"""  # noqa: S608 (constant column list, no user input)

_PARAMS = msgspec.json.Decoder(dict[str, Any])

_BYTES = {"schema": {"type": "string", "format": "binary"}}
# The types providers answer, each with the schema its bytes follow, and any other as bytes.
_BODY_TYPES = {
    "application/json": {"schema": {}},
    "text/csv": {"schema": {"type": "string"}},
    "application/octet-stream": _BYTES,
    "*/*": _BYTES,
}

Status = Annotated[int | None, Query(ge=100, le=599, description="HTTP status of the call")]
FetchId = Annotated[int, Path(ge=1, le=MAX_BIGINT)]


def fetch_of(row: asyncpg.Record) -> Fetch:
    """A Fetch from a row selected with FETCH_COLUMNS."""
    digest = row["f_response_hash"]
    return Fetch(
        fetch_id=row["f_fetch_id"],
        provider=row["f_provider"],
        method=row["f_method"],
        endpoint=row["f_endpoint"],
        params=_PARAMS.decode(row["f_params"]),
        status=row["f_status"],
        started_at=row["f_started_at"],
        duration_ms=row["f_duration_ms"],
        error=row["f_error"],
        response_sha256=bytes(digest).hex() if digest is not None else None,
    )


_FETCHES = PositionList(
    _LIST_SQL, "f.fetch_id", "f_fetch_id", fetch_of, Fetch, FetchPage, "fetches.csv"
)


@router.get(
    "/fetches",
    response_class=MsgspecResponse,
    responses={**ok(FetchPage, csv=True), **problems(400, 401, 403, 422)},
)
async def list_fetches(
    conn: TenantConn,
    csv: ExportCsv,
    provider: Provider = None,
    status: Status = None,
    since: Since = None,
    until: Until = None,
    limit: Limit = 50,
    cursor: Cursor = None,
    order: Order = "asc",
) -> Response:
    """Provider calls of the caller's org, oldest first (``order=desc``: newest), by keyset pages.

    ``from``/``to`` bound ``started_at`` (from inclusive, to exclusive). With
    ``format=csv`` every matching call is exported, ignoring cursor and limit.
    """
    filters = (provider, status, *time_window(since, until))
    return await _FETCHES.respond(conn, csv, filters, cursor, limit, order)


@router.get(
    "/fetches/{fetch_id}/body",
    response_class=Response,
    responses={
        200: {
            "description": "The response body exactly as stored, with the content type the "
            "provider sent: JSON from their APIs, CSV for Uber's report files, "
            "application/octet-stream when the provider named none, any other type as sent",
            "content": _BODY_TYPES,
        },
        **problems(401, 403, 404, 422),
    },
)
async def fetch_body(fetch_id: FetchId, conn: TenantConn) -> Response:
    """The full response body of one provider call, byte for byte.

    404 when the call is not the caller's org's, or got no body (a network error).
    """
    row = await conn.fetchrow("SELECT body, content_type FROM audit_fetch_body($1)", fetch_id)
    if row is None:
        raise ApiProblem(404, "Not Found", "no such fetch, or it has no body")
    media_type = row["content_type"] or "application/octet-stream"
    return Response(bytes(row["body"]), media_type=media_type)
