"""Quarantined records for auditors: what could not be decoded, why, and its bytes."""

from __future__ import annotations

import hashlib
from typing import Annotated

import asyncpg
from fastapi import APIRouter, Depends
from starlette.responses import Response

from query_api.deps import AUDIT_ROLES, TenantConn
from query_api.listing import (
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
from query_api.schemas import MsgspecResponse, QuarantinedRecord, QuarantinePage, ok, problems

router = APIRouter(prefix="/audit", tags=["audit"], dependencies=[Depends(AUDIT_ROLES)])

# PositionList appends the keyset bound, the order and the limit ($5, $6).
_LIST_SQL = """
SELECT quarantine_id, provider, resource, fetch_id, reason, raw, created_at FROM quarantine
WHERE ($1::text IS NULL OR provider = $1)
  AND ($2::text IS NULL OR resource = $2)
  AND ($3::timestamptz IS NULL OR created_at >= $3)
  AND ($4::timestamptz IS NULL OR created_at < $4)
"""

Resource = Annotated[str | None, filter_text("The polled resource, e.g. drivers")]


def _record(row: asyncpg.Record) -> QuarantinedRecord:
    raw = bytes(row["raw"])
    return QuarantinedRecord(
        quarantine_id=row["quarantine_id"],
        provider=row["provider"],
        resource=row["resource"],
        fetch_id=row["fetch_id"],
        reason=row["reason"],
        raw=raw.decode("utf-8", errors="replace"),
        raw_sha256=hashlib.sha256(raw).hexdigest(),
        created_at=row["created_at"],
    )


_QUARANTINE = PositionList(
    _LIST_SQL,
    "quarantine_id",
    "quarantine_id",
    _record,
    QuarantinedRecord,
    QuarantinePage,
    "quarantine.csv",
)


@router.get(
    "/quarantine",
    response_class=MsgspecResponse,
    responses={**ok(QuarantinePage, csv=True), **problems(400, 401, 403, 422)},
)
async def list_quarantine(
    conn: TenantConn,
    csv: ExportCsv,
    provider: Provider = None,
    resource: Resource = None,
    since: Since = None,
    until: Until = None,
    limit: Limit = 50,
    cursor: Cursor = None,
    order: Order = "asc",
) -> Response:
    """Records of the caller's org that could not be decoded, oldest first, by keyset pages.

    ``order=desc`` lists them newest first; a cursor keeps the order it was made in.

    ``from``/``to`` bound ``created_at`` (from inclusive, to exclusive). ``raw`` is the
    record's bytes as text, ``raw_sha256`` their SHA-256. With ``format=csv`` every matching
    record is exported, ignoring cursor and limit.
    """
    filters = (provider, resource, *time_window(since, until))
    return await _QUARANTINE.respond(conn, csv, filters, cursor, limit, order)
