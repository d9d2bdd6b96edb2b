"""The original's orders fill the orders read model where Bolt does not; Bolt's always win."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import asyncpg

from ingest.legacy.importer import import_legacy
from projector.projections.bolt_orders import BoltOrdersProjection
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
