"""Uber histories of a driver: transactions (money in minor units) and status changes."""

from __future__ import annotations

import asyncpg
import msgspec
from fastapi import APIRouter, Depends
from starlette.responses import Response

from query_api.days import Days
from query_api.deps import ANY_ROLE, TenantConn
from query_api.listing import Cursor, ExportCsv, Limit
from query_api.routes.drivers import DriverId
from query_api.routes.timeline import Timeline
from query_api.schemas import MsgspecResponse, ok, problems
from query_api.schemas_data import (
    PaymentCategory,
    StatusChange,
    StatusChangePage,
    Transaction,
    TransactionPage,
)

router = APIRouter(prefix="/fleet", tags=["uber"], dependencies=[Depends(ANY_ROLE)])

_BREAKDOWN = msgspec.json.Decoder(list[PaymentCategory])
_RESPONSES = problems(400, 401, 403, 404, 422)


def _transaction(row: asyncpg.Record) -> Transaction:
    return Transaction(
        transaction_id=row["transaction_id"],
        account_id=row["account_id"],
        trip_id=row["trip_id"],
        processed_at=row["processed_at"],
        description=row["description"],
        amount_minor=row["amount_minor"],
        currency=row["currency"],
        breakdown=_BREAKDOWN.decode(row["breakdown"]),
    )


# Served by uber_transactions_driver_time (org_id, driver_id, processed_at, transaction_id).
_TRANSACTIONS = Timeline(
    provider="uber",
    table="uber_transactions",
    driver="driver_id",
    columns="transaction_id, account_id, trip_id, processed_at, description, amount_minor, "
    "currency, breakdown::text",
    time="processed_at",
    tie="transaction_id",
    to_item=_transaction,
    item_type=Transaction,
    page_type=TransactionPage,
    csv_name="uber-transactions-{driver_id}.csv",
)
# Served by the primary key (org_id, driver_id, status_at, status).
_STATUSES = Timeline(
    provider="uber",
    table="uber_driver_status_history",
    driver="driver_id",
    columns="status_at, status",
    time="status_at",
    tie="status",
    to_item=lambda row: StatusChange(status_at=row["status_at"], status=row["status"]),
    item_type=StatusChange,
    page_type=StatusChangePage,
    csv_name="uber-status-history-{driver_id}.csv",
)


@router.get(
    "/drivers/{driver_id}/transactions",
    response_class=MsgspecResponse,
    responses={**ok(TransactionPage, csv=True), **_RESPONSES},
)
async def uber_driver_transactions(
    driver_id: DriverId,
    days: Days,
    conn: TenantConn,
    csv: ExportCsv,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Response:
    """A driver's Uber transactions processed over the days, oldest first, by keyset pages.

    ``amount_minor`` is the sum of the top-level categories of ``breakdown`` (fare, fees,
    tip…), in minor units of ``currency``, as Uber sent them (no float on the way).
    """
    return await _TRANSACTIONS.respond(conn, driver_id, days, csv, limit, cursor)


@router.get(
    "/drivers/{driver_id}/status-history",
    response_class=MsgspecResponse,
    responses={**ok(StatusChangePage, csv=True), **_RESPONSES},
)
async def uber_driver_status_history(
    driver_id: DriverId,
    days: Days,
    conn: TenantConn,
    csv: ExportCsv,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Response:
    """A driver's Uber realtime statuses over the days, each with the time it began, in order.

    Each status is kept once per (time, status) that Uber reported; a driver Uber did not
    track has no row here (their current status is on ``GET /fleet/drivers/{driver_id}``).
    """
    return await _STATUSES.respond(conn, driver_id, days, csv, limit, cursor)
