"""Every Uber and Bolt read table can be replayed; tables written together swap together."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from uuid import UUID

import asyncpg

from contracts import uber
from eventlog.store import Observation, append_observations, canonical_hash
from projector.projection import Projection, tables_of
from projector.projections import all_projections
from projector.projections.bolt_orders import BoltOrdersProjection
from projector.projections.uber_vehicles import UberVehiclesProjection
from projector.replay import plan, replay
from projector.runner import ProjectionRunner
from projector.shadow import copy_security, create_like, table_exists
from tests.ingest.test_bolt_support import unix
from tests.projector.test_bolt_projections import COMPANY, DRIVER, append_orders, order


async def _own_copy(pool: asyncpg.Pool, live: str) -> str:
    """A table of the test's own shaped and secured like ``live``."""
    table = f"{live[:20]}_{uuid.uuid4().hex[:8]}"
    async with pool.acquire() as conn, conn.transaction():
        await create_like(conn, live, table)
        await copy_security(conn, live, table)
    return table


async def _other_org(pool: asyncpg.Pool) -> UUID:
    slug = f"o-{uuid.uuid4().hex[:12]}"
    org: UUID = await pool.fetchval(
        "INSERT INTO orgs (slug, name) VALUES ($1, $1) RETURNING org_id", slug
    )
    return org


async def _seen_by_api(api: asyncpg.Pool, table: str, org: UUID, column: str) -> list[object]:
    async with api.acquire() as conn, conn.transaction():
        await conn.execute("SELECT set_config('app.org_id', $1, true)", str(org))
        rows = await conn.fetch(f"SELECT {column} FROM {table} ORDER BY 1")  # noqa: S608
    return [r[0] for r in rows]


async def _append_vehicles(pool: asyncpg.Pool, org: UUID, plates: dict[str, str]) -> None:
    records = {
        v: json.dumps({"vehicleId": v, "licensePlate": p}).encode() for v, p in plates.items()
    }
    observations = [
        Observation(v, uber.VEHICLE_OBSERVED, uber.VEHICLE_OBSERVED_VERSION, r, canonical_hash(r))
        for v, r in records.items()
    ]
    async with pool.acquire() as conn, conn.transaction():
        await append_observations(
            conn, org_id=org, provider="uber", account_id="acct", entity_type="vehicle",
            observed_at=datetime.now(UTC), fetch_id=None, observations=observations,
        )  # fmt: skip


def test_every_uber_and_bolt_projection_can_be_replayed() -> None:
    projections = all_projections()
    assert [p.name for p in projections if not tables_of(p)] == []
    units = {u.table: u for u in plan(projections)}
    assert units["bolt_orders"].tables == (
        "bolt_orders", "bolt_daily_earnings", "bolt_fleet_days", "bolt_active_months"
    )  # fmt: skip
    assert units["driver_daily_metrics"].tables == (
        "driver_daily_metrics", "uber_fleet_days", "uber_active_months"
    )  # fmt: skip
    status = plan(projections, "uber_driver_status")[0]  # one writer per table: not drivers
    assert set(status.tables) == {"uber_driver_status", "uber_driver_status_history"}
    assert {p.name for p in status.projections} == {"uber_driver_status"}
    drivers = plan(projections, "drivers")[0]
    assert {p.name for p in drivers.projections} == {"drivers", "bolt_drivers"}
    [rebuilder] = [r for r in status.rebuilders() if r.name == "uber_driver_status__rebuild"]
    assert set(tables_of(rebuilder)) == {t + "__rebuild" for t in status.tables}


async def test_an_uber_table_replays_and_keeps_its_row_level_security(
    owner_pool: asyncpg.Pool, writer_pool: asyncpg.Pool, db_api_pool: asyncpg.Pool, org_id: UUID
) -> None:
    table = await _own_copy(owner_pool, "uber_vehicles")
    live = UberVehiclesProjection(f"live-{table}", table=table)
    other = await _other_org(owner_pool)
    await _append_vehicles(writer_pool, org_id, {"v1": "AA-001-AA", "v2": "AA-002-AA"})
    await _append_vehicles(writer_pool, other, {"v3": "BB-003-BB"})
    await _append_vehicles(writer_pool, org_id, {"v1": "AA-011-AA"})
    await ProjectionRunner(owner_pool, None, live).catch_up()
    [unit] = plan([live], table)

    result = await replay(owner_pool, unit)

    assert result.swapped and result.live == result.rebuilt and result.rebuilt.rows >= 3
    assert await _seen_by_api(db_api_pool, table, org_id, "plate") == ["AA-002-AA", "AA-011-AA"]
    assert await _seen_by_api(db_api_pool, table, other, "plate") == ["BB-003-BB"]


async def test_bolt_orders_and_their_daily_earnings_are_rebuilt_and_swapped_together(
    owner_pool: asyncpg.Pool, writer_pool: asyncpg.Pool, db_api_pool: asyncpg.Pool, org_id: UUID
) -> None:
    tables = {t: await _own_copy(owner_pool, t) for t in BoltOrdersProjection().tables}
    orders, daily = tables["bolt_orders"], tables["bolt_daily_earnings"]
    live: Projection = BoltOrdersProjection(f"live-{orders}", tables=tables)
    at = unix(datetime(2025, 3, 10, 12, tzinfo=UTC))
    other = await _other_org(owner_pool)
    await append_orders(writer_pool, org_id, [order("p1", ride=10.0, created=at, finished=at)])
    await append_orders(writer_pool, org_id, [order("p2", ride=5.0, created=at, finished=at)])
    await append_orders(writer_pool, other, [order("p9", ride=99.0, created=at, finished=at)])
    reviewed = order("p1", ride=14.0, created=at, finished=at, price_review_reason="route")
    await append_orders(writer_pool, org_id, [reviewed])
    await ProjectionRunner(owner_pool, None, live).catch_up()
    [unit] = plan([live], daily)  # asking for the earnings table replays both

    result = await replay(owner_pool, unit, batch_size=2)

    assert unit.tables == tuple(tables.values())
    assert result.swapped and result.live == result.rebuilt
    async with owner_pool.acquire() as conn:
        for table in unit.tables:
            assert await table_exists(conn, table + "__old")
            assert not await table_exists(conn, table + "__rebuild")
    assert await _seen_by_api(db_api_pool, orders, org_id, "order_reference") == ["p1", "p2"]
    assert await _seen_by_api(db_api_pool, daily, org_id, "gross") == [1400 + 500]
    assert await _seen_by_api(db_api_pool, daily, other, "driver_uuid") == [DRIVER]


async def test_a_rebuild_copying_its_new_orders_in_ends_with_the_rows_the_live_upserts_wrote(
    owner_pool: asyncpg.Pool, writer_pool: asyncpg.Pool, db_api_pool: asyncpg.Pool, org_id: UUID
) -> None:
    tables = {t: await _own_copy(owner_pool, t) for t in BoltOrdersProjection().tables}
    live: Projection = BoltOrdersProjection(f"live-{tables['bolt_orders']}", tables=tables)
    at = unix(datetime(2025, 3, 10, 12, tzinfo=UTC))
    other = await _other_org(owner_pool)  # a company with a currency of its own
    await owner_pool.execute(
        "INSERT INTO bolt_companies (org_id, company_id, currency, first_seen_at, updated_at, "
        "last_position) VALUES ($1, $2, 'PLN', now(), now(), 0)", other, COMPANY,
    )  # fmt: skip
    many = [order(f"c{n}", ride=n / 100, created=at + n, finished=at + n) for n in range(1200)]
    await append_orders(writer_pool, org_id, many)
    await append_orders(writer_pool, other, [order("z1", ride=3.0, created=at, finished=at)])
    reviewed = [order(f"c{n}", ride=n / 50, created=at + n, finished=at + n) for n in range(300)]
    await append_orders(writer_pool, org_id, reviewed)
    await ProjectionRunner(owner_pool, None, live).catch_up()  # batches of 500: upserts only
    [unit] = plan([live], tables["bolt_orders"])

    result = await replay(owner_pool, unit)  # one batch: 1,201 new orders at least, copied in

    assert result.swapped and result.live == result.rebuilt and result.rebuilt.rows >= 1201
    assert await _seen_by_api(db_api_pool, tables["bolt_orders"], other, "currency") == ["PLN"]
