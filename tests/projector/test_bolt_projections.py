"""Bolt projections: from the log to drivers, bolt_* tables and daily earnings."""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import asyncpg

from contracts import bolt
from eventlog.store import (
    Observation,
    append_observations,
    canonical_hash,
    head_position,
    read_after,
)
from ingest.bolt.pollers import BoltPollers
from projector.projection import Projection
from projector.projections.bolt_drivers import BoltDriversProjection
from projector.projections.bolt_fleet import BoltCompaniesProjection, BoltVehiclesProjection
from projector.projections.bolt_orders import BoltOrdersProjection
from projector.projections.bolt_state_logs import BoltStateLogsProjection
from projector.runner import ProjectionRunner
from simulator import FixedClock, SimulatorSettings
from simulator.activity import DayPlans, History
from simulator.bolt_orders import prices
from simulator.bolt_world import BoltWorld
from tests.ingest.test_bolt_support import COMPANY, DAY, DRIVERS, SEED, PollersFactory, unix

pytest_plugins = ("tests.ingest.test_bolt_support",)  # its fixtures

PARIS = ZoneInfo("Europe/Paris")
DRIVER = "d-0000-bolt"


async def runner_from_head(pool: asyncpg.Pool, projection: Projection) -> ProjectionRunner:
    """A runner for a fresh copy of ``projection`` that starts after today's log."""
    async with pool.acquire() as conn:
        head = await head_position(conn)
        await conn.execute(
            "INSERT INTO projection_checkpoints (name, position) VALUES ($1, $2)",
            projection.name,
            head,
        )
    return ProjectionRunner(pool, None, projection)


def fresh(cls: Any) -> Projection:
    projection: Projection = cls(f"{cls.__name__}-{uuid.uuid4().hex[:8]}")
    return projection


async def project(pool: asyncpg.Pool, *classes: Any) -> list[ProjectionRunner]:
    runners = [await runner_from_head(pool, fresh(cls)) for cls in classes]
    return runners


def order(ref: str, *, ride: float, finished: int | None, created: int, **extra: Any) -> bytes:
    price = {
        "ride_price": ride,
        "commission": round(ride * 0.2, 2),
        "tip": 0.5,
        "cancellation_fee": 0,
        "toll_fee": 1.1,
        "net_earnings": round(ride * 0.8 + 0.5, 2),
    }
    record = {
        "order_reference": ref,
        "driver_uuid": DRIVER,
        "payment_method": "card",
        "order_status": "finished" if finished else "client_cancelled",
        "order_created_timestamp": created,
        "order_finished_timestamp": finished,
        "order_price": price,
        **extra,
    }
    return json.dumps(record).encode()


async def append_orders(pool: asyncpg.Pool, org_id: UUID, records: list[bytes]) -> None:
    observations = [
        Observation(
            json.loads(r)["order_reference"],
            bolt.ORDER_OBSERVED,
            bolt.ORDER_OBSERVED_VERSION,
            r,
            canonical_hash(r),
        )
        for r in records
    ]
    async with pool.acquire() as conn, conn.transaction():
        await append_observations(
            conn,
            org_id=org_id,
            provider="bolt",
            account_id=str(COMPANY),
            entity_type="order",
            observed_at=datetime.now(UTC),
            fetch_id=None,
            observations=observations,
        )


async def earnings(pool: asyncpg.Pool, org_id: UUID) -> dict[tuple[str, date], dict[str, Any]]:
    rows = await pool.fetch("SELECT * FROM bolt_daily_earnings WHERE org_id = $1", org_id)
    return {(r["driver_uuid"], r["day"]): dict(r) for r in rows}


# -- roster ----------------------------------------------------------------------------------


async def test_bolt_roster_and_state_logs_reach_their_read_tables(
    make_pollers: PollersFactory, writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    runners = await project(
        writer_pool,
        BoltDriversProjection,
        BoltCompaniesProjection,
        BoltVehiclesProjection,
        BoltStateLogsProjection,
    )
    pollers: BoltPollers = make_pollers(backfill_s=DAY)
    await pollers.companies()
    await pollers.drivers()
    await pollers.vehicles()
    logs = await pollers.state_logs()
    for runner in runners:
        await runner.catch_up()

    drivers = await writer_pool.fetch(
        "SELECT * FROM drivers WHERE org_id = $1 AND provider = 'bolt'", org_id
    )
    assert len(drivers) == DRIVERS
    assert all(d["account_id"] == str(COMPANY) and d["status"] == "active" for d in drivers)
    assert all(d["phone"] and len(d["vehicle_ids"]) == 1 for d in drivers)
    [company] = await writer_pool.fetch("SELECT * FROM bolt_companies WHERE org_id = $1", org_id)
    assert (company["company_id"], company["currency"]) == (COMPANY, "EUR")
    vehicles = await writer_pool.fetch("SELECT * FROM bolt_vehicles WHERE org_id = $1", org_id)
    assert len(vehicles) == DRIVERS and all(v["plate"] and v["year"] for v in vehicles)
    assert {v["vehicle_uuid"] for v in vehicles} == {d["vehicle_ids"][0] for d in drivers}
    count = await writer_pool.fetchval(
        "SELECT count(*) FROM bolt_state_logs WHERE org_id = $1", org_id
    )
    assert count == logs.appended > 0


# -- orders and earnings ---------------------------------------------------------------------


async def test_orders_are_kept_in_cents_and_summed_per_paris_day(
    writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    [runner] = await project(writer_pool, BoltOrdersProjection)
    late = unix(datetime(2025, 3, 9, 23, 30, tzinfo=UTC))  # 00:30 on the 10th in Paris
    await append_orders(
        writer_pool,
        org_id,
        [
            order("o1", ride=12.35, created=late - 1800, finished=late),
            order("o2", ride=20.0, created=late + 600, finished=late + 2400, payment_method="cash"),
            order(
                "o3",
                ride=0,
                created=late + 3600,
                finished=None,
                order_price={"cancellation_fee": 5.0, "commission": 1.0},
            ),
        ],
    )
    await runner.catch_up()

    o1 = await writer_pool.fetchrow(
        "SELECT * FROM bolt_orders WHERE org_id = $1 AND order_reference = 'o1'", org_id
    )
    assert (o1["ride_price"], o1["commission"], o1["toll_fee"], o1["currency"]) == (
        1235,
        247,
        110,
        "EUR",
    )
    assert o1["earnings_day"] == date(2025, 3, 10)
    [day] = (await earnings(writer_pool, org_id)).values()
    assert day["day"] == date(2025, 3, 10) and day["orders"] == 2
    assert day["gross"] == 1235 + 2000 + 500
    assert (day["cash_gross"], day["in_app_gross"]) == (2000, 1235 + 500)
    assert (day["commission"], day["tips"], day["tolls"]) == (247 + 400 + 100, 100, 220)


async def test_a_reviewed_price_moves_the_driver_day_exactly_once(
    writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    [runner] = await project(writer_pool, BoltOrdersProjection)
    at = unix(datetime(2025, 3, 10, 12, tzinfo=UTC))
    await append_orders(writer_pool, org_id, [order("r1", ride=10.0, created=at, finished=at)])
    await runner.catch_up()
    reviewed = order("r1", ride=14.0, created=at, finished=at, price_review_reason="route")
    await append_orders(writer_pool, org_id, [reviewed])
    await runner.catch_up()
    async with writer_pool.acquire() as conn:
        replay = await read_after(conn, 0, 10**9)
    await runner.handle([e for e in replay if e.org_id == org_id])  # redelivered: no effect

    [day] = (await earnings(writer_pool, org_id)).values()
    assert (day["orders"], day["gross"], day["commission"]) == (1, 1400, 280)
    row = await writer_pool.fetchrow(
        "SELECT price_review_reason, ride_price FROM bolt_orders WHERE org_id = $1", org_id
    )
    assert tuple(row) == ("route", 1400)


async def test_daily_earnings_reconcile_with_what_the_simulator_generated(
    make_pollers: PollersFactory, writer_pool: asyncpg.Pool, org_id: UUID, clock: FixedClock
) -> None:
    [runner] = await project(writer_pool, BoltOrdersProjection)
    await make_pollers(backfill_s=31 * DAY).orders()
    await runner.catch_up()

    expected = simulated_earnings(unix(clock.now()), 31 * DAY)
    found = {
        key: (
            r["orders"],
            r["gross"],
            r["commission"],
            r["net_earnings"],
            r["tips"],
            r["cash_gross"],
        )
        for key, r in (await earnings(writer_pool, org_id)).items()
    }
    assert found == expected
    assert sum(v[1] for v in found.values()) > 0


def simulated_earnings(now: int, back_s: int) -> dict[tuple[str, date], tuple[int, ...]]:
    """Per driver and Paris day, the sums of the simulator's own trips (integer cents)."""
    history = History(DayPlans(SEED), "bolt", now, 35)
    sums: dict[tuple[str, date], list[int]] = defaultdict(lambda: [0] * 6)
    share = SimulatorSettings().both_platforms_share  # the pollers' simulator's
    for driver in BoltWorld(SEED, DRIVERS, 1, share).drivers(COMPANY):
        for trip in history.trips(driver.person_index, now - back_s, now, "created_at"):
            if trip.closed_at > now:
                continue  # not listed yet
            when = trip.finished_at or trip.created_at
            day = datetime.fromtimestamp(when, PARIS).date()
            price = prices(trip, now)  # as Bolt shows it now: price reviews included
            gross = price["ride_price"] + price["cancellation_fee"]
            cash = gross if trip.payment_method == "cash" else 0
            add = (
                int(trip.status == "finished"),
                gross,
                price["commission"],
                price["net_earnings"],
                price["tip"],
                cash,
            )
            key = (driver.driver_uuid, day)
            sums[key] = [a + b for a, b in zip(sums[key], add, strict=True)]
    return {key: tuple(v) for key, v in sums.items()}


async def test_the_api_role_sees_only_its_tenants_bolt_rows(
    writer_pool: asyncpg.Pool, db_api_pool: asyncpg.Pool, org_id: UUID, owner_pool: asyncpg.Pool
) -> None:
    [runner] = await project(writer_pool, BoltOrdersProjection)
    other = await owner_pool.fetchval(
        "INSERT INTO orgs (slug, name) VALUES ($1, 'other') RETURNING org_id",
        f"t-{uuid.uuid4().hex[:12]}",
    )
    at = unix(datetime(2025, 3, 10, 12, tzinfo=UTC))
    await append_orders(writer_pool, org_id, [order("mine", ride=9.0, created=at, finished=at)])
    await append_orders(writer_pool, other, [order("theirs", ride=9.0, created=at, finished=at)])
    await runner.catch_up()

    async with db_api_pool.acquire() as conn, conn.transaction():
        await conn.execute("SELECT set_config('app.org_id', $1, true)", str(org_id))
        refs = await conn.fetch("SELECT order_reference FROM bolt_orders")
        days = await conn.fetch("SELECT org_id FROM bolt_daily_earnings")
    assert [r["order_reference"] for r in refs] == ["mine"]
    assert {d["org_id"] for d in days} == {org_id}
