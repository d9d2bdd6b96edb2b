"""The original's rows fill the read models where the providers no longer serve the data;
a provider's own observation of the same record always wins."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID

import asyncpg

from contracts import bolt, uber
from eventlog.store import Observation, append_observations, canonical_hash
from ingest.legacy.importer import import_legacy
from projector.projections.bolt_drivers import BoltDriversProjection
from projector.projections.bolt_orders import BoltOrdersProjection
from projector.projections.drivers import DriversProjection
from projector.projections.uber_metrics import UberDailyMetricsProjection
from projector.projections.uber_payments import UberPaymentsProjection
from tests.projector.test_bolt_projections import append_orders, order, runner_from_head


async def orders(pool: asyncpg.Pool, org_id: UUID) -> dict[str, asyncpg.Record]:
    rows = await pool.fetch("SELECT * FROM bolt_orders WHERE org_id = $1", org_id)
    return {r["order_reference"]: r for r in rows}


async def test_legacy_orders_reach_the_orders_and_daily_earnings_in_cents(
    head_source: str, writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    runner = await runner_from_head(writer_pool, BoltOrdersProjection(f"lo-{org_id}"))
    await import_legacy(head_source, writer_pool, org_id)
    await runner.catch_up()

    found = await orders(writer_pool, org_id)
    first = found["ORD-1"]
    assert (first["source"], first["company_id"], first["driver_uuid"]) == (
        "legacy",
        4242,
        "8f1c-uuid",
    )
    assert (first["ride_price"], first["tip"], first["commission"], first["net_earnings"]) == (
        1790,
        200,
        430,
        1310,
    )
    assert (first["ride_distance"], first["earnings_day"]) == (6200, date(2024, 3, 1))
    assert found["ORD-2"]["status"] == "client_cancelled"
    day = await writer_pool.fetchrow(
        "SELECT orders, gross, tips, cash_gross FROM bolt_daily_earnings "
        "WHERE org_id = $1 AND driver_uuid = '8f1c-uuid' AND day = '2024-03-01'",
        org_id,
    )
    assert dict(day) == {"orders": 1, "gross": 1790 + 500, "tips": 200, "cash_gross": 1790}


async def test_bolts_own_observation_of_an_order_replaces_the_legacy_row_for_good(
    head_source: str, writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    runner = await runner_from_head(writer_pool, BoltOrdersProjection(f"lp-{org_id}"))
    await import_legacy(head_source, writer_pool, org_id)
    await append_orders(
        writer_pool, org_id,
        [order("ORD-1", ride=20.0, finished=1709288400, created=1709287200)],
    )  # fmt: skip
    source = await asyncpg.connect(head_source)
    try:  # the original's row changes afterwards: a later legacy event, still not Bolt's
        await source.execute(
            "UPDATE bolt_orders SET ride_price = 99 WHERE order_reference = 'ORD-1'"
        )
    finally:
        await source.close()
    again = await import_legacy(head_source, writer_pool, org_id)
    await runner.catch_up()

    assert sum(t.appended for t in again.tables) == 1
    first = (await orders(writer_pool, org_id))["ORD-1"]
    assert (first["source"], first["ride_price"]) == ("provider", 2000)


async def append_uber(
    pool: asyncpg.Pool, org_id: UUID, event_type: str, entity_id: str, record: dict[str, object]
) -> None:
    body = json.dumps(record).encode()
    async with pool.acquire() as conn, conn.transaction():
        await append_observations(
            conn, org_id=org_id, provider="uber", account_id="org-enc-1", entity_type="x",
            observed_at=datetime.now(UTC), fetch_id=None,
            observations=[Observation(entity_id, event_type, 1, body, canonical_hash(body))],
        )  # fmt: skip


async def test_legacy_metrics_fill_days_uber_does_not_serve_and_uber_replaces_its_own_day(
    alembic_source: str, writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    runner = await runner_from_head(writer_pool, UberDailyMetricsProjection(f"lm-{org_id}"))
    await import_legacy(alembic_source, writer_pool, org_id)
    row = {"dimensionId": "u-2", "metricValues": [5, "4.5", "3.25", "88.10"]}
    await append_uber(writer_pool, org_id, uber.DAILY_METRICS_OBSERVED, "u-2:2024-03-02", {
        "day": "2024-03-02", "row": row,
        "metrics": ["TotalTrips", "HoursOnline", "HoursOnTrip", "TotalEarnings"],
    })  # fmt: skip
    await runner.catch_up()

    found = await writer_pool.fetch(
        "SELECT driver_id, day, trips, hours_online, earnings_minor, source "
        "FROM driver_daily_metrics WHERE org_id = $1 ORDER BY driver_id",
        org_id,
    )
    assert [tuple(r) for r in found] == [
        ("u-1", date(2024, 3, 1), 12, Decimal("8.50"), 23140, "legacy"),  # two rows, one day
        ("u-2", date(2024, 3, 2), 5, Decimal("4.50"), 8810, "provider"),
    ]


async def test_legacy_payments_count_only_on_driver_days_uber_did_not_cover(
    alembic_source: str, writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    runner = await runner_from_head(writer_pool, UberPaymentsProjection(f"lpay-{org_id}"))
    await import_legacy(alembic_source, writer_pool, org_id)
    await runner.catch_up()
    payment = {"earnerInfo": {"uuid": "u-2"}, "paymentBreakdowns": [
        {"categoryName": "earnings", "amount": {"amountE5": 1000000, "currencyCode": "EUR"}}
    ]}  # fmt: skip
    start = int(datetime(2024, 3, 2, 7, tzinfo=UTC).timestamp() * 1000)
    await append_uber(writer_pool, org_id, uber.PAYMENT_OBSERVED, "u-2:x", {
        "start_time": start, "end_time": start + 3_600_000, "payment": payment,
    })  # fmt: skip
    await runner.catch_up()

    found = await writer_pool.fetch(
        "SELECT payment_key, driver_id, day, amount_minor, source, breakdown "
        "FROM driver_payments WHERE org_id = $1 ORDER BY payment_key",
        org_id,
    )
    assert [tuple(r)[:5] for r in found] == [
        ("legacy:p-1", "u-1", date(2024, 3, 2), 4510, "legacy"),  # 23:30 UTC: 00:30 in Paris
        ("u-2:x", "u-2", date(2024, 3, 2), 1000, "provider"),  # replaced legacy:p-2 that day
    ]
    assert json.loads(found[0]["breakdown"])[0]["category"] == "trip fare"


async def test_legacy_drivers_are_listed_until_the_providers_own_record_replaces_them(
    head_source: str, writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    uber_runner = await runner_from_head(writer_pool, DriversProjection(f"ld-{org_id}"))
    bolt_runner = await runner_from_head(writer_pool, BoltDriversProjection(f"lbd-{org_id}"))
    await import_legacy(head_source, writer_pool, org_id)
    body = json.dumps({"driver_uuid": "8f1c-uuid", "first_name": "Laurent",
                       "last_name": "Martin-Bolt", "state": "active"}).encode()  # fmt: skip
    async with writer_pool.acquire() as conn, conn.transaction():
        await append_observations(
            conn, org_id=org_id, provider="bolt", account_id="4242", entity_type="driver",
            observed_at=datetime.now(UTC), fetch_id=None,
            observations=[Observation("8f1c-uuid", bolt.DRIVER_OBSERVED, 1, body,
                                      canonical_hash(body))],
        )  # fmt: skip
    await uber_runner.catch_up()  # legacy and Bolt's events of one driver in one batch
    await bolt_runner.catch_up()

    rows = await writer_pool.fetch(
        "SELECT provider, driver_id, first_name, last_name, source FROM drivers "
        "WHERE org_id = $1 ORDER BY provider, driver_id",
        org_id,
    )
    assert [tuple(r) for r in rows] == [
        ("bolt", "8f1c-uuid", "Laurent", "Martin-Bolt", "provider"),
        ("uber", "u-1", "Laurent", "Martin", "legacy"),
    ]
