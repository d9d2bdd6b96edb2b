"""The event log for auditors: every event of the caller's org, and each one's exact bytes."""

from __future__ import annotations

import hashlib
from typing import Annotated

import asyncpg
from fastapi import APIRouter, Depends, Path
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
    filter_text,
    time_window,
)
from query_api.problems import ApiProblem
from query_api.routes.audit_fetches import FETCH_COLUMNS, fetch_of
from query_api.schemas import EventDetail, EventPage, EventSummary, MsgspecResponse, ok, problems

router = APIRouter(prefix="/audit", tags=["audit"], dependencies=[Depends(AUDIT_ROLES)])

_COLUMNS = (
    "e.position, e.event_id, e.event_type, e.schema_version, e.provider, e.account_id, "
    "e.entity_id, e.observed_at, e.recorded_at, e.fetch_id"
)
# Row-level security limits every statement to the caller's org; the filters are optional.
# PositionList appends the keyset bound, the order and the limit ($6, $7).
_LIST_SQL = f"""
SELECT {_COLUMNS} FROM event_log e
WHERE ($1::text IS NULL OR e.provider = $1)
  AND ($2::text IS NULL OR e.event_type = $2)
  AND ($3::text IS NULL OR e.entity_id = $3)
  AND ($4::timestamptz IS NULL OR e.recorded_at >= $4)
  AND ($5::timestamptz IS NULL OR e.recorded_at < $5)
"""  # noqa: S608 (constant column list, no user input)
_ONE_SQL = f"""
SELECT {_COLUMNS}, e.record, {FETCH_COLUMNS}
FROM event_log e LEFT JOIN provider_fetches f ON f.fetch_id = e.fetch_id
WHERE e.position = $1
"""  # noqa: S608
_SOME_SQL = _ONE_SQL.replace("e.position = $1", "e.position = ANY($1::bigint[])") + (
    "ORDER BY e.position"
)

EventType = Annotated[str | None, filter_text("Event type, e.g. uber.driver.observed.v1")]
EntityId = Annotated[str | None, filter_text("The provider's id of the entity")]
EventPosition = Annotated[int, Path(ge=1, le=MAX_BIGINT, description="Position in the log")]


def _summary(row: asyncpg.Record) -> EventSummary:
    return EventSummary(**{f: row[f] for f in EventSummary.__struct_fields__})


def _detail(row: asyncpg.Record) -> EventDetail:
    record = bytes(row["record"])
    fields = {f: row[f] for f in EventSummary.__struct_fields__}
    return EventDetail(
        **fields,
        record=record.decode("utf-8", errors="replace"),
        record_sha256=hashlib.sha256(record).hexdigest(),
        fetch=fetch_of(row) if row["f_fetch_id"] is not None else None,
    )


_EVENTS = PositionList(
    _LIST_SQL, "e.position", "position", _summary, EventSummary, EventPage, "events.csv"
)


@router.get(
    "/events",
    response_class=MsgspecResponse,
    responses={**ok(EventPage, csv=True), **problems(400, 401, 403, 422)},
)
async def list_events(
    conn: TenantConn,
    csv: ExportCsv,
    provider: Provider = None,
    event_type: EventType = None,
    entity_id: EntityId = None,
    since: Since = None,
    until: Until = None,
    limit: Limit = 50,
    cursor: Cursor = None,
    order: Order = "asc",
) -> Response:
    """Events of the caller's org in log order (``order=desc``: newest first), by keyset pages.

    ``from``/``to`` bound ``recorded_at`` (from inclusive, to exclusive). With
    ``format=csv`` every matching event is exported, ignoring cursor and limit.
    """
    filters = (provider, event_type, entity_id, *time_window(since, until))
    return await _EVENTS.respond(conn, csv, filters, cursor, limit, order)


@router.get(
    "/events/{position}",
    response_class=MsgspecResponse,
    responses={**ok(EventDetail), **problems(401, 403, 404, 422)},
)
async def get_event(position: EventPosition, conn: TenantConn) -> MsgspecResponse:
    """One event with the provider's record exactly as received and the call that fetched it.

    ``record`` is the stored bytes as text and ``record_sha256`` their SHA-256; the call's
    full response body is at ``GET /audit/fetches/{fetch_id}/body``.
    """
    row = await conn.fetchrow(_ONE_SQL, position)
    if row is None:
        raise ApiProblem(404, "Not Found", "no such event")
    return MsgspecResponse(_detail(row))


async def events_at(conn: asyncpg.Connection, positions: list[int]) -> list[EventDetail]:
    """The events at ``positions`` (of the caller's org: row-level security), in log order,
    each with its record's bytes and its call (a settlement line's sources)."""
    return [_detail(row) for row in await conn.fetch(_SOME_SQL, positions)]
