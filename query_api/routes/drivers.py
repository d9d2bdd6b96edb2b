"""Drivers read from the ``drivers`` read table, under the caller's tenant (RLS)."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated

import asyncpg
import msgspec
from fastapi import APIRouter, Query

from query_api.deps import TenantConn
from query_api.problems import ApiProblem
from query_api.schemas import Driver, DriverPage, MsgspecResponse, ok, problems

router = APIRouter(prefix="/fleet", tags=["uber"])

# The keyset order is (coalesce(last_name, ''), coalesce(first_name, ''), driver_id), which
# the index drivers_list matches; the first page and the next pages are two statements so
# that each gets the index range scan.
_SELECT = (
    "SELECT driver_id, provider, account_id, first_name, last_name, email, phone, status, "
    "vehicle_ids, updated_at, coalesce(last_name, '') AS k1, coalesce(first_name, '') AS k2 "
    "FROM drivers WHERE provider = $1 "
    "AND ($2::text IS NULL OR concat_ws(' ', first_name, last_name, email, phone) ILIKE $2) "
)
_ORDER = "ORDER BY coalesce(last_name, ''), coalesce(first_name, ''), driver_id LIMIT $3"
_FIRST_PAGE_SQL = _SELECT + _ORDER
_NEXT_PAGE_SQL = (
    _SELECT
    + "AND (coalesce(last_name, ''), coalesce(first_name, ''), driver_id) > ($4, $5, $6) "
    + _ORDER
)
_ONE_SQL = (
    "SELECT driver_id, provider, account_id, first_name, last_name, email, phone, status, "
    "vehicle_ids, updated_at FROM drivers WHERE provider = 'uber' AND driver_id = $1"
)

Limit = Annotated[int, Query(ge=1, le=500, description="Page size (max 500)")]
Cursor = Annotated[str | None, Query(max_length=2048, description="Opaque cursor")]
Search = Annotated[str | None, Query(max_length=200, description="Name, e-mail or phone")]


def encode_cursor(key: tuple[str, str, str]) -> str:
    return base64.urlsafe_b64encode(msgspec.json.encode(key)).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, str, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        return msgspec.json.decode(raw, type=tuple[str, str, str])
    except (binascii.Error, ValueError, msgspec.DecodeError) as exc:
        raise ApiProblem(400, "Bad Request", "malformed cursor") from exc


def _like(term: str | None) -> str | None:
    if not term or not term.strip():
        return None
    escaped = term.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _driver(row: asyncpg.Record) -> Driver:
    return Driver(
        driver_id=row["driver_id"],
        provider=row["provider"],
        account_id=row["account_id"],
        first_name=row["first_name"],
        last_name=row["last_name"],
        email=row["email"],
        phone=row["phone"],
        status=row["status"],
        vehicle_ids=list(row["vehicle_ids"]),
        updated_at=row["updated_at"],
    )


async def list_drivers(
    conn: asyncpg.Connection, provider: str, limit: int, cursor: str | None, q: str | None
) -> DriverPage:
    if cursor:
        rows = await conn.fetch(
            _NEXT_PAGE_SQL, provider, _like(q), limit + 1, *decode_cursor(cursor)
        )
    else:
        rows = await conn.fetch(_FIRST_PAGE_SQL, provider, _like(q), limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = (
        encode_cursor((rows[-1]["k1"], rows[-1]["k2"], rows[-1]["driver_id"])) if more else None
    )
    return DriverPage(items=[_driver(r) for r in rows], next_cursor=next_cursor)


@router.get(
    "/drivers",
    response_class=MsgspecResponse,
    responses={**ok(DriverPage), **problems(400, 401, 422)},
)
async def uber_drivers(
    conn: TenantConn, limit: Limit = 50, cursor: Cursor = None, q: Search = None
) -> MsgspecResponse:
    """Uber drivers of the caller's fleet, by name, with keyset pagination."""
    return MsgspecResponse(await list_drivers(conn, "uber", limit, cursor, q))


@router.get(
    "/drivers/{driver_id}",
    response_class=MsgspecResponse,
    responses={**ok(Driver), **problems(401, 404)},
)
async def uber_driver(driver_id: str, conn: TenantConn) -> MsgspecResponse:
    """One Uber driver of the caller's fleet."""
    row = await conn.fetchrow(_ONE_SQL, driver_id)
    if row is None:
        raise ApiProblem(404, "Not Found", "no such driver")
    return MsgspecResponse(_driver(row))
