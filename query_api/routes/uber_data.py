"""Uber read models: orgs, reports, and a driver's daily metrics and payments."""

from __future__ import annotations

import asyncpg
import msgspec
from fastapi import Depends
from starlette.responses import Response

from query_api.days import Days
from query_api.deps import ANY_ROLE, TenantConn
from query_api.direct import DirectRouter
from query_api.listing import (
    Cursor,
    ExportCsv,
    Limit,
    csv_of,
    csv_response,
    decode_time_key,
    page_of,
)
from query_api.routes.drivers import DriverId, known_driver
from query_api.schemas import MsgspecResponse, ok, problems
from query_api.schemas_data import (
    DailyMetrics,
    DailyMetricsList,
    MetricsTotals,
    Payment,
    PaymentCategory,
    PaymentList,
    ProviderAccount,
    ProviderAccountList,
    UberReport,
    UberReportPage,
)

router = DirectRouter(prefix="/fleet", tags=["uber"], dependencies=[Depends(ANY_ROLE)])

_ORGS_SQL = (
    "SELECT account_id, name, parent_id FROM provider_accounts WHERE provider = 'uber' "
    "ORDER BY name, account_id"
)
# No row when the driver is unknown, so that one query answers the common case; an empty
# answer then asks known_driver whether to say 404 (see uber_driver_metrics).
_METRICS_SQL = """
SELECT day, trips, hours_online, hours_on_trip, earnings_minor, currency
FROM driver_daily_metrics
WHERE provider = 'uber' AND driver_id = $1 AND day BETWEEN $2 AND $3
  AND EXISTS (SELECT 1 FROM drivers d WHERE d.provider = 'uber' AND d.driver_id = $1)
ORDER BY day
"""
_PAYMENTS_SQL = """
SELECT payment_key, day, window_start, window_end, amount_minor, currency, breakdown::text
FROM driver_payments
WHERE provider = 'uber' AND driver_id = $1 AND day BETWEEN $2 AND $3
ORDER BY window_start, payment_key
"""
_BREAKDOWN = msgspec.json.Decoder(list[PaymentCategory])
# Reports by period, then id (a report without a period first), keyset on both: served by
# the index uber_reports_list (migration 0011).
_REPORTS = """
SELECT report_id, account_id, report_type, status, failed_reason, start_time, end_time,
       file_name, row_count, csv_sha256, fetch_id, created_at, completed_at, updated_at,
       coalesce(start_time, 'epoch'::timestamptz) AS k_time
FROM uber_reports {after}
ORDER BY coalesce(start_time, 'epoch'::timestamptz), report_id
LIMIT $1
"""
_REPORTS_ALL = _REPORTS.format(after="")
_REPORTS_NEXT = _REPORTS.format(
    after="WHERE coalesce(start_time, 'epoch'::timestamptz) >= $2 "  # the index's range start
    "AND (coalesce(start_time, 'epoch'::timestamptz), report_id) > ($2, $3)"
)


@router.get(
    "/orgs",
    response_class=MsgspecResponse,
    responses={**ok(ProviderAccountList, csv=True), **problems(401, 403, 422)},
)
async def uber_orgs(conn: TenantConn, csv: ExportCsv) -> Response:
    """The Uber organisations (fleet accounts) of the caller's tenant."""
    items = [
        ProviderAccount(r["account_id"], r["name"], r["parent_id"])
        for r in await conn.fetch(_ORGS_SQL)
    ]
    if csv:
        return csv_of(items, ProviderAccount, "uber-orgs.csv")
    return MsgspecResponse(ProviderAccountList(items=items))


def _metrics(row: asyncpg.Record) -> DailyMetrics:
    day, trips, online, on_trip, earnings, currency = row  # _METRICS_SQL's columns, in order
    return DailyMetrics(
        day=day,
        trips=trips,
        hours_online=None if online is None else float(online),
        hours_on_trip=None if on_trip is None else float(on_trip),
        earnings_minor=earnings,
        currency=currency,
    )


def _metrics_totals(items: list[DailyMetrics]) -> MetricsTotals:
    return MetricsTotals(
        trips=sum(i.trips or 0 for i in items),
        hours_online=round(sum(i.hours_online or 0.0 for i in items), 2),
        hours_on_trip=round(sum(i.hours_on_trip or 0.0 for i in items), 2),
        earnings_minor=sum(i.earnings_minor or 0 for i in items),
        currency=next((i.currency for i in items if i.currency), None),
    )


@router.get(
    "/drivers/{driver_id}/metrics",
    response_class=MsgspecResponse,
    responses={**ok(DailyMetricsList, csv=True), **problems(400, 401, 403, 404, 422)},
)
async def uber_driver_metrics(
    driver_id: DriverId, days: Days, conn: TenantConn, csv: ExportCsv
) -> Response:
    """A driver's Uber figures per day (trips, hours online and on trip, earnings)."""
    rows = await conn.fetch(_METRICS_SQL, driver_id, days.first, days.last)
    if not rows:
        await known_driver(conn, "uber", driver_id)
    items = [_metrics(r) for r in rows]
    if csv:
        return csv_of(items, DailyMetrics, f"uber-metrics-{driver_id}.csv")
    return MsgspecResponse(DailyMetricsList(items=items, totals=_metrics_totals(items)))


def _payment(row: asyncpg.Record) -> Payment:
    return Payment(
        payment_id=row["payment_key"],
        day=row["day"],
        window_start=row["window_start"],
        window_end=row["window_end"],
        amount_minor=row["amount_minor"],
        currency=row["currency"],
        breakdown=_BREAKDOWN.decode(row["breakdown"]),
    )


@router.get(
    "/drivers/{driver_id}/payments",
    response_class=MsgspecResponse,
    responses={**ok(PaymentList, csv=True), **problems(400, 401, 403, 404, 422)},
)
async def uber_driver_payments(
    driver_id: DriverId, days: Days, conn: TenantConn, csv: ExportCsv
) -> Response:
    """What Uber paid a driver over the days, with the category breakdown."""
    await known_driver(conn, "uber", driver_id)
    items = [_payment(r) for r in await conn.fetch(_PAYMENTS_SQL, driver_id, days.first, days.last)]
    if csv:
        return csv_of(items, Payment, f"uber-payments-{driver_id}.csv")
    currency = next((p.currency for p in items if p.currency), None)
    return MsgspecResponse(
        PaymentList(items=items, total_minor=sum(p.amount_minor for p in items), currency=currency)
    )


def _report(row: asyncpg.Record) -> UberReport:
    return UberReport(
        report_id=row["report_id"],
        account_id=row["account_id"],
        report_type=row["report_type"],
        status=row["status"],
        failed_reason=row["failed_reason"],
        period_start=row["start_time"],
        period_end=row["end_time"],
        file_name=row["file_name"],
        row_count=row["row_count"],
        csv_sha256=row["csv_sha256"],
        fetch_id=row["fetch_id"],
        created_at=row["created_at"],
        completed_at=row["completed_at"],
        updated_at=row["updated_at"],
    )


@router.get(
    "/reports",
    response_class=MsgspecResponse,
    responses={**ok(UberReportPage, csv=True), **problems(400, 401, 403, 422)},
)
async def uber_reports(
    conn: TenantConn, csv: ExportCsv, limit: Limit = 50, cursor: Cursor = None
) -> Response:
    """The Uber reports fetched for the caller's fleet, by period: type, status, rows, times.

    The file itself is not served here: it is the recorded body of the provider call
    ``fetch_id``, which auditors read byte for byte at ``GET /audit/fetches/{fetch_id}/body``
    and check against ``csv_sha256``. It holds every driver's payment lines, which is why it
    stays behind the audit role while this summary is for every role.
    """
    if csv:
        return csv_response(conn, _REPORTS_ALL, (None,), _report, UberReport, "uber-reports.csv")
    if cursor:
        rows = await conn.fetch(_REPORTS_NEXT, limit + 1, *decode_time_key(cursor))
    else:
        rows = await conn.fetch(_REPORTS_ALL, limit + 1)
    items, next_cursor = page_of(
        rows, limit, _report, lambda r: (r["k_time"].isoformat(), r["report_id"])
    )
    return MsgspecResponse(UberReportPage(items=items, next_cursor=next_cursor))
