"""Drivers read from the ``drivers`` read table, under the caller's tenant (RLS)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import asyncpg
from fastapi import Depends, Path, Query
from starlette.responses import Response

from query_api.deps import ANY_ROLE, TenantConn
from query_api.direct import DirectRouter
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
from query_api.schemas import Driver, DriverPage, MsgspecResponse, ok, problems

router = DirectRouter(prefix="/fleet", tags=["uber"], dependencies=[Depends(ANY_ROLE)])
bolt_router = DirectRouter(prefix="/bolt", tags=["bolt"], dependencies=[Depends(ANY_ROLE)])

# A driver's status: Bolt's is in its driver record; Uber's realtime one is in
# uber_driver_status (its own projection, joined here), else the driver record's own.
_STATUS = {"uber": "coalesce(s.status, d.status)", "bolt": "d.status"}
PROVIDERS = tuple(_STATUS)
_FROM = {
    "uber": "drivers d LEFT JOIN uber_driver_status s "
    "ON s.org_id = d.org_id AND s.driver_id = d.driver_id",
    "bolt": "drivers d",
}


def _columns(provider: str) -> str:
    return (
        "d.driver_id, d.provider, d.account_id, d.first_name, d.last_name, d.email, d.phone, "
        f"{_STATUS[provider]} AS status, d.vehicle_ids, d.updated_at"
    )


# The keyset order is (coalesce(last_name, ''), coalesce(first_name, ''), driver_id), which
# the index drivers_list matches; the first page and the next pages are two statements so
# that each gets the index range scan.
_KEY = "coalesce(d.last_name, ''), coalesce(d.first_name, ''), d.driver_id"


# A search (names, e-mail, phone, or a vehicle's plate) is answered by api_driver_search()
# (migration 0012: indexed, as row-level security keeps ILIKE out of index scans); it returns
# only the caller's drivers. Searching or not are two statements, so that a prepared one
# never hides the search behind "$2 IS NULL OR …" in a generic plan.
_SEARCH = "d.driver_id IN (SELECT api_driver_search($1, $2))"


def _list_sql(provider: str, after_key: bool, searching: bool) -> str:
    search = _SEARCH if searching else "$2::text IS NULL"
    where = (
        f"WHERE d.provider = $1 AND ($4::text IS NULL OR {_STATUS[provider]} = $4) AND {search} "
    )
    if after_key:
        where += f"AND ({_KEY}) > ($5, $6, $7) "
    return (
        f"SELECT {_columns(provider)}, coalesce(d.last_name, '') AS k1, "  # noqa: S608 (constants only)
        f"coalesce(d.first_name, '') AS k2 FROM {_FROM[provider]} {where}ORDER BY {_KEY} LIMIT $3"
    )


_SQL = {
    (p, after, searching): _list_sql(p, after, searching)
    for p in PROVIDERS
    for after in (False, True)
    for searching in (False, True)
}


def list_sql(provider: str, after_key: bool, like: str | None) -> str:
    """The list statement: a page after a key (or the first), with a search (or none)."""
    return _SQL[provider, after_key, like is not None]


_ONE_SQL = {
    p: f"SELECT {_columns(p)} FROM {_FROM[p]} WHERE d.provider = $1 AND d.driver_id = $2"  # noqa: S608
    for p in PROVIDERS
}

Search = Annotated[
    str | None, Query(max_length=200, pattern=NO_NUL, description="Name, e-mail or phone")
]
DriverId = Annotated[str, Path(max_length=200, pattern=NO_NUL)]


async def known_driver(conn: asyncpg.Connection, provider: str, driver_id: str) -> None:
    """404 problem unless the caller's fleet has this driver."""
    if not await conn.fetchval(
        "SELECT 1 FROM drivers WHERE provider = $1 AND driver_id = $2", provider, driver_id
    ):
        raise ApiProblem(404, "Not Found", "no such driver")


def _driver(row: asyncpg.Record) -> Driver:
    # By position: _columns() lists Driver's fields in its order (ten lookups by name for
    # each of a page's 50 rows cost more than the rest of building the page).
    return Driver(*row[:10])  # vehicle_ids: asyncpg answers a text[] as a list


Status = Annotated[
    str | None, Query(max_length=64, pattern=NO_NUL, description="Only drivers in this status")
]


@dataclass(frozen=True)
class DriverList:
    """What a driver list asks for: a page or the CSV export, a search and a status."""

    csv: bool
    limit: int
    cursor: str | None
    q: str | None
    status: str | None


async def driver_list(
    csv: ExportCsv,
    limit: Limit = 50,
    cursor: Cursor = None,
    q: Search = None,
    status: Status = None,
) -> DriverList:
    """The query parameters both providers' driver lists take."""
    return DriverList(csv, limit, cursor, q, status)


DriverListQuery = Annotated[DriverList, Depends(driver_list)]


async def list_drivers(conn: asyncpg.Connection, provider: str, query: DriverList) -> DriverPage:
    """One page of a provider's drivers, by name, after ``query.cursor``."""
    like = like_pattern(query.q)
    args = (provider, like, query.limit + 1, query.status)
    if query.cursor:
        key = decode_cursor(query.cursor, tuple[str, str, str])
        rows = await conn.fetch(list_sql(provider, True, like), *args, *key)
    else:
        rows = await conn.fetch(list_sql(provider, False, like), *args)
    items, next_cursor = page_of(
        rows, query.limit, _driver, lambda r: (r["k1"], r["k2"], r["driver_id"])
    )
    return DriverPage(items=items, next_cursor=next_cursor)


async def _drivers(conn: asyncpg.Connection, provider: str, query: DriverList) -> Response:
    if query.csv:
        like = like_pattern(query.q)
        args = (provider, like, None, query.status)
        sql = list_sql(provider, False, like)
        return csv_response(conn, sql, args, _driver, Driver, f"{provider}-drivers.csv")
    return MsgspecResponse(await list_drivers(conn, provider, query))


async def _one_driver(conn: asyncpg.Connection, provider: str, driver_id: str) -> MsgspecResponse:
    row = await conn.fetchrow(_ONE_SQL[provider], provider, driver_id)
    if row is None:
        raise ApiProblem(404, "Not Found", "no such driver")
    return MsgspecResponse(_driver(row))


_LIST_RESPONSES = {**ok(DriverPage, csv=True), **problems(400, 401, 403, 422)}
_ONE_RESPONSES = {**ok(Driver), **problems(401, 403, 404, 422)}


@router.get("/drivers", response_class=MsgspecResponse, responses=_LIST_RESPONSES)
async def uber_drivers(conn: TenantConn, query: DriverListQuery) -> Response:
    """Uber drivers of the caller's fleet, by name; search by name, e-mail, phone or plate."""
    return await _drivers(conn, "uber", query)


@router.get("/drivers/{driver_id}", response_class=MsgspecResponse, responses=_ONE_RESPONSES)
async def uber_driver(driver_id: DriverId, conn: TenantConn) -> MsgspecResponse:
    """One Uber driver of the caller's fleet."""
    return await _one_driver(conn, "uber", driver_id)


@bolt_router.get("/drivers", response_class=MsgspecResponse, responses=_LIST_RESPONSES)
async def bolt_drivers(conn: TenantConn, query: DriverListQuery) -> Response:
    """Bolt drivers of the caller's fleet, by name; search by name, e-mail, phone or plate."""
    return await _drivers(conn, "bolt", query)


@bolt_router.get("/drivers/{driver_id}", response_class=MsgspecResponse, responses=_ONE_RESPONSES)
async def bolt_driver(driver_id: DriverId, conn: TenantConn) -> MsgspecResponse:
    """One Bolt driver of the caller's fleet."""
    return await _one_driver(conn, "bolt", driver_id)
