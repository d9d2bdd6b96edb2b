"""Vehicles of both providers, by plate, under the caller's tenant (RLS)."""

from __future__ import annotations

from typing import Annotated

import asyncpg
from fastapi import APIRouter, Depends, Path, Query
from starlette.responses import Response

from query_api.deps import ANY_ROLE, TenantConn
from query_api.listing import (
    NO_NUL,
    Cursor,
    ExportCsv,
    Limit,
    csv_response,
    decode_cursor,
    like_pattern,
    page_of,
)
from query_api.problems import ApiProblem
from query_api.schemas import MsgspecResponse, ok, problems
from query_api.schemas_data import Vehicle, VehiclePage

uber_router = APIRouter(prefix="/fleet", tags=["uber"], dependencies=[Depends(ANY_ROLE)])
bolt_router = APIRouter(prefix="/bolt", tags=["bolt"], dependencies=[Depends(ANY_ROLE)])

VehicleId = Annotated[str, Path(max_length=200, pattern=NO_NUL)]
Search = Annotated[
    str | None, Query(max_length=200, pattern=NO_NUL, description="Plate, make or model")
]

# Each provider's table seen through the same columns (constants only, never user input).
_SOURCES = {
    "uber": (
        "SELECT vehicle_id, 'uber' AS provider, account_id, plate, make, model, year, color, "
        "NULL::text AS status, updated_at FROM uber_vehicles"
    ),
    "bolt": (
        "SELECT vehicle_uuid AS vehicle_id, 'bolt' AS provider, company_id::text AS account_id, "
        "plate, NULL::text AS make, model, year, color, state AS status, updated_at "
        "FROM bolt_vehicles"
    ),
}
_KEY = "coalesce(plate, ''), vehicle_id"
_ONE_SQL = {
    provider: f"SELECT * FROM ({source}) v WHERE vehicle_id = $1"  # noqa: S608 (constants)
    for provider, source in _SOURCES.items()
}


# A fleet has a few hundred vehicles: a scan of its rows (RLS) answers a search at once.
_MATCH = "($2::text IS NULL OR plate ILIKE $2 OR make ILIKE $2 OR model ILIKE $2)"


def vehicle_sql(provider: str, after_key: bool) -> str:
    """A page of vehicles by plate matching ``$2`` (NULL: all); with ``after_key``, after
    ($3, $4)."""
    after = f"AND ({_KEY}) > ($3, $4) " if after_key else ""
    source = _SOURCES[provider]
    return f"SELECT * FROM ({source}) v WHERE {_MATCH} {after}ORDER BY {_KEY} LIMIT $1"  # noqa: S608


def vehicle(row: asyncpg.Record) -> Vehicle:
    return Vehicle(
        vehicle_id=row["vehicle_id"],
        provider=row["provider"],
        account_id=row["account_id"],
        plate=row["plate"],
        make=row["make"],
        model=row["model"],
        year=row["year"],
        color=row["color"],
        status=row["status"],
        updated_at=row["updated_at"],
    )


async def _vehicles(
    conn: asyncpg.Connection,
    provider: str,
    csv: bool,
    page: tuple[int, str | None],
    q: str | None,
) -> Response:
    (limit, cursor), like = page, like_pattern(q)
    if csv:
        return csv_response(
            conn,
            vehicle_sql(provider, False),
            (None, like),
            vehicle,
            Vehicle,
            f"{provider}-vehicles.csv",
        )
    if cursor:
        key = decode_cursor(cursor, tuple[str, str])
        rows = await conn.fetch(vehicle_sql(provider, True), limit + 1, like, *key)
    else:
        rows = await conn.fetch(vehicle_sql(provider, False), limit + 1, like)
    items, next_cursor = page_of(
        rows, limit, vehicle, lambda r: (r["plate"] or "", r["vehicle_id"])
    )
    return MsgspecResponse(VehiclePage(items=items, next_cursor=next_cursor))


async def _one(conn: asyncpg.Connection, provider: str, vehicle_id: str) -> MsgspecResponse:
    row = await conn.fetchrow(_ONE_SQL[provider], vehicle_id)
    if row is None:
        raise ApiProblem(404, "Not Found", "no such vehicle")
    return MsgspecResponse(vehicle(row))


_LIST = {**ok(VehiclePage, csv=True), **problems(400, 401, 403, 422)}
_ONE = {**ok(Vehicle), **problems(401, 403, 404, 422)}


@uber_router.get("/vehicles", response_class=MsgspecResponse, responses=_LIST)
async def uber_vehicles(
    conn: TenantConn, csv: ExportCsv, limit: Limit = 50, cursor: Cursor = None, q: Search = None
) -> Response:
    """Uber vehicles of the caller's fleet, by plate; ``q`` finds a plate, make or model."""
    return await _vehicles(conn, "uber", csv, (limit, cursor), q)


@uber_router.get("/vehicles/{vehicle_id}", response_class=MsgspecResponse, responses=_ONE)
async def uber_vehicle(vehicle_id: VehicleId, conn: TenantConn) -> MsgspecResponse:
    """One Uber vehicle of the caller's fleet."""
    return await _one(conn, "uber", vehicle_id)


@bolt_router.get("/vehicles", response_class=MsgspecResponse, responses=_LIST)
async def bolt_vehicles(
    conn: TenantConn, csv: ExportCsv, limit: Limit = 50, cursor: Cursor = None, q: Search = None
) -> Response:
    """Bolt vehicles of the caller's fleet, by plate; ``q`` finds a plate, make or model."""
    return await _vehicles(conn, "bolt", csv, (limit, cursor), q)


@bolt_router.get("/vehicles/{vehicle_id}", response_class=MsgspecResponse, responses=_ONE)
async def bolt_vehicle(vehicle_id: VehicleId, conn: TenantConn) -> MsgspecResponse:
    """One Bolt vehicle of the caller's fleet."""
    return await _one(conn, "bolt", vehicle_id)
