"""Bolt read models: companies, and a driver's trips (orders), daily earnings derived from
order prices, and state logs."""

from __future__ import annotations

from datetime import date, datetime

import asyncpg
from fastapi import Depends
from starlette.responses import Response

from query_api.days import Days
from query_api.deps import ANY_ROLE, TenantConn
from query_api.direct import DirectRouter
from query_api.listing import Cursor, ExportCsv, Limit, csv_of, csv_response, decode_cursor, page_of
from query_api.problems import ApiProblem
from query_api.routes.drivers import DriverId, known_driver
from query_api.routes.timeline import Timeline
from query_api.schemas import MsgspecResponse, ok, problems
from query_api.schemas_data import (
    BoltCompany,
    BoltCompanyList,
    DailyEarnings,
    DailyEarningsList,
    EarningsTotals,
    StateLog,
    StateLogPage,
    Trip,
    TripPage,
)

router = DirectRouter(prefix="/bolt", tags=["bolt"], dependencies=[Depends(ANY_ROLE)])

# Trips of a driver over Paris days, in time order; keyset on (day, created_at, reference),
# served by the index bolt_orders_driver_trips. {known} adds the driver check to the query:
# no row for an unknown driver, and an empty page then asks known_driver whether to say 404.
_TRIPS = """
SELECT order_reference, earnings_day, status, payment_method, created_at, finished_at,
       pickup_address, destination_address, ride_distance, ride_price, commission,
       net_earnings, tip, toll_fee, currency,
       coalesce(created_at, 'epoch'::timestamptz) AS k_time
FROM bolt_orders
WHERE driver_uuid = $1 AND earnings_day BETWEEN $2 AND $3 {after}{known}
ORDER BY earnings_day, coalesce(created_at, 'epoch'::timestamptz), order_reference
LIMIT $4
"""
_AFTER = (
    "AND (earnings_day, coalesce(created_at, 'epoch'::timestamptz), order_reference) "
    "> ($5::date, $6::timestamptz, $7)"
)
_KNOWN = "\n  AND EXISTS (SELECT 1 FROM drivers d WHERE d.provider = 'bolt' AND d.driver_id = $1)"
_TRIPS_ALL = _TRIPS.format(after="", known="")
_TRIPS_FIRST = _TRIPS.format(after="", known=_KNOWN)
_TRIPS_NEXT = _TRIPS.format(after=_AFTER, known=_KNOWN)
_EARNINGS = """
SELECT day, orders, gross, commission, net_earnings, tips, tolls, cash_gross, in_app_gross,
       currency
FROM bolt_daily_earnings
WHERE driver_uuid = $1 AND day BETWEEN $2 AND $3
ORDER BY day
"""
_COMPANIES = (
    "SELECT company_id, name, currency, first_seen_at, updated_at FROM bolt_companies "
    "ORDER BY name, company_id"
)


@router.get(
    "/companies",
    response_class=MsgspecResponse,
    responses={**ok(BoltCompanyList, csv=True), **problems(401, 403, 422)},
)
async def bolt_companies(conn: TenantConn, csv: ExportCsv) -> Response:
    """The Bolt companies (fleet accounts) of the caller's tenant, with their currency."""
    items = [
        BoltCompany(
            company_id=r["company_id"],
            name=r["name"],
            currency=r["currency"],
            first_seen_at=r["first_seen_at"],
            updated_at=r["updated_at"],
        )
        for r in await conn.fetch(_COMPANIES)
    ]
    if csv:
        return csv_of(items, BoltCompany, "bolt-companies.csv")
    return MsgspecResponse(BoltCompanyList(items=items))


def _trip(row: asyncpg.Record) -> Trip:
    # By position: _TRIPS selects Trip's fields first, in its order. A page builds 50 of
    # these, and fifteen lookups by name each were a tenth of a trips request's CPU.
    return Trip(*row[:15])


def _trip_key(row: asyncpg.Record) -> tuple[object, ...]:
    return (row["earnings_day"].isoformat(), row["k_time"].isoformat(), row["order_reference"])


@router.get(
    "/drivers/{driver_id}/trips",
    response_class=MsgspecResponse,
    responses={**ok(TripPage, csv=True), **problems(400, 401, 403, 404, 422)},
)
async def bolt_driver_trips(
    driver_id: DriverId,
    days: Days,
    conn: TenantConn,
    csv: ExportCsv,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Response:
    """A driver's Bolt trips (orders) over the days, with their prices in cents."""
    args = (driver_id, days.first, days.last)
    if csv:
        await known_driver(conn, "bolt", driver_id)
        return csv_response(
            conn, _TRIPS_ALL, (*args, None), _trip, Trip, f"bolt-trips-{driver_id}.csv"
        )
    if cursor:
        day, moment, reference = decode_cursor(cursor, tuple[date, str, str])
        rows = await conn.fetch(_TRIPS_NEXT, *args, limit + 1, day, _instant(moment), reference)
    else:
        rows = await conn.fetch(_TRIPS_FIRST, *args, limit + 1)
    if not rows:
        await known_driver(conn, "bolt", driver_id)
    items, next_cursor = page_of(rows, limit, _trip, _trip_key)
    return MsgspecResponse(TripPage(items=items, next_cursor=next_cursor))


def _instant(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError as exc:
        raise ApiProblem(400, "Bad Request", "malformed cursor") from exc


def _earnings(row: asyncpg.Record) -> DailyEarnings:
    return DailyEarnings(
        day=row["day"],
        orders=row["orders"],
        gross_minor=row["gross"],
        commission_minor=row["commission"],
        net_minor=row["net_earnings"],
        tips_minor=row["tips"],
        tolls_minor=row["tolls"],
        cash_minor=row["cash_gross"],
        in_app_minor=row["in_app_gross"],
        currency=row["currency"],
    )


def _totals(items: list[DailyEarnings]) -> EarningsTotals:
    return EarningsTotals(
        orders=sum(i.orders for i in items),
        gross_minor=sum(i.gross_minor for i in items),
        commission_minor=sum(i.commission_minor for i in items),
        net_minor=sum(i.net_minor for i in items),
        tips_minor=sum(i.tips_minor for i in items),
        tolls_minor=sum(i.tolls_minor for i in items),
        cash_minor=sum(i.cash_minor for i in items),
        in_app_minor=sum(i.in_app_minor for i in items),
        currency=next((i.currency for i in items), None),
    )


@router.get(
    "/drivers/{driver_id}/earnings",
    response_class=MsgspecResponse,
    responses={**ok(DailyEarningsList, csv=True), **problems(400, 401, 403, 404, 422)},
)
async def bolt_driver_earnings(
    driver_id: DriverId, days: Days, conn: TenantConn, csv: ExportCsv
) -> Response:
    """A driver's Bolt earnings per day: gross, commission, net, tips, tolls, cash vs in-app.

    Derived from order prices (Bolt has no earnings endpoint); a reviewed price updates its
    day. gross = ride price + cancellation fee, as in Bolt's weekly settlement.
    """
    await known_driver(conn, "bolt", driver_id)
    items = [_earnings(r) for r in await conn.fetch(_EARNINGS, driver_id, days.first, days.last)]
    if csv:
        return csv_of(items, DailyEarnings, f"bolt-earnings-{driver_id}.csv")
    return MsgspecResponse(DailyEarningsList(items=items, totals=_totals(items)))


def _state_log(row: asyncpg.Record) -> StateLog:
    return StateLog(
        created_at=row["created_at"],
        state=row["state"],
        company_id=row["company_id"],
        vehicle_uuid=row["vehicle_uuid"],
        lat=row["lat"],
        lng=row["lng"],
    )


# Served by the primary key (org_id, driver_uuid, created_at, state).
_STATE_LOGS = Timeline(
    provider="bolt",
    table="bolt_state_logs",
    driver="driver_uuid",
    columns="created_at, state, company_id, vehicle_uuid, lat, lng",
    time="created_at",
    tie="state",
    to_item=_state_log,
    item_type=StateLog,
    page_type=StateLogPage,
    csv_name="bolt-state-logs-{driver_id}.csv",
)


@router.get(
    "/drivers/{driver_id}/state-logs",
    response_class=MsgspecResponse,
    responses={**ok(StateLogPage, csv=True), **problems(400, 401, 403, 404, 422)},
)
async def bolt_driver_state_logs(
    driver_id: DriverId,
    days: Days,
    conn: TenantConn,
    csv: ExportCsv,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Response:
    """A Bolt driver's states over the days (inactive, waiting_orders, has_order), in order.

    Each log is the state the driver entered at ``created_at``, with the vehicle and where.
    """
    return await _STATE_LOGS.respond(conn, driver_id, days, csv, limit, cursor)
