"""An event a projection cannot apply is parked with its reason; the projection goes on."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from typing import Any
from uuid import UUID

import asyncpg
import msgspec
import pytest
from prometheus_client import CollectorRegistry

from contracts import catalog, uber
from contracts.envelope import EventEnvelope
from contracts.upcasting import UpcasterRegistry
from eventlog.store import Observation, canonical_hash, head_position
from projector.checkpoints import set_checkpoint
from projector.lag import projection_lag
from projector.metrics import ProjectorMetrics
from projector.parking import open_parked, retry_parked
from projector.projections.drivers import DriversProjection
from projector.runner import ProjectionRunner
from tests.helpers import append_drivers, driver_observation


def _name() -> str:
    return f"park-{uuid.uuid4().hex[:8]}"


async def from_head(pool: asyncpg.Pool, projection: Any) -> ProjectionRunner:
    """A runner whose checkpoint starts at the head: it sees only this test's events."""
    async with pool.acquire() as conn:
        await set_checkpoint(conn, projection.name, await head_position(conn))
    return ProjectionRunner(pool, None, projection)


def poison(driver_id: str) -> Observation:
    """A driver record without ``driverId``: the drivers projection cannot decode it."""
    record = json.dumps({"firstName": "No", "lastName": driver_id}).encode()
    return Observation(driver_id, uber.DRIVER_OBSERVED, 1, record, canonical_hash(record))


class Breakable:
    """The drivers projection, failing on the driver ids in ``broken`` until they are fixed."""

    def __init__(self, name: str, broken: set[str]) -> None:
        self.inner = DriversProjection(name)
        self.name = name
        self.event_types = self.inner.event_types
        self.broken = broken

    async def apply(self, conn: asyncpg.Connection, events: Sequence[EventEnvelope]) -> None:
        if bad := [e.entity_id for e in events if e.entity_id in self.broken]:
            raise ValueError(f"cannot project {bad}")
        await self.inner.apply(conn, events)


async def _drivers(pool: asyncpg.Pool, org_id: UUID) -> list[str]:
    rows = await pool.fetch("SELECT driver_id FROM drivers WHERE org_id = $1 ORDER BY 1", org_id)
    return [r["driver_id"] for r in rows]


async def test_an_undecodable_event_is_parked_and_the_batch_goes_on(
    writer_pool: asyncpg.Pool, owner_pool: asyncpg.Pool, org_id: UUID
) -> None:
    obs = [driver_observation("p1"), poison("p2"), driver_observation("p3")]
    positions = await append_drivers(writer_pool, org_id, obs)
    runner = ProjectionRunner(writer_pool, None, DriversProjection(_name()))

    await runner.catch_up()

    assert await _drivers(owner_pool, org_id) == ["p1", "p3"]
    assert await runner.checkpoint() >= positions[-1]
    [row] = await owner_pool.fetch(
        "SELECT * FROM parked_events WHERE projection = $1", runner.projection.name
    )
    assert (row["position"], row["org_id"], row["event_type"]) == (
        positions[1],
        org_id,
        uber.DRIVER_OBSERVED,
    )
    assert "driverId" in row["reason"]
    assert row["resolved_at"] is None
    assert runner.parked == 1


async def test_parked_events_are_reapplied_after_a_fix(
    writer_pool: asyncpg.Pool, owner_pool: asyncpg.Pool, org_id: UUID
) -> None:
    projection = Breakable(_name(), broken={"f1"})
    runner = await from_head(writer_pool, projection)
    await append_drivers(writer_pool, org_id, [driver_observation(f"f{i}") for i in range(3)])
    await runner.catch_up()
    assert await _drivers(owner_pool, org_id) == ["f0", "f2"]

    still = await retry_parked(writer_pool, projection, lambda e: e)
    projection.broken.clear()  # the fix
    fixed = await retry_parked(writer_pool, projection, lambda e: e)

    assert (still.applied, still.still_parked) == (0, 1)
    assert (fixed.applied, fixed.still_parked) == (1, 0)
    assert await _drivers(owner_pool, org_id) == ["f0", "f1", "f2"]
    assert await open_parked(owner_pool, projection.name) == []
    row = await owner_pool.fetchrow(
        "SELECT retries, resolution FROM parked_events WHERE projection = $1", projection.name
    )
    assert row is not None and (row["retries"], row["resolution"]) == (2, "applied")


async def test_a_broken_table_is_an_error_not_a_flood_of_parked_events(
    writer_pool: asyncpg.Pool, owner_pool: asyncpg.Pool, org_id: UUID
) -> None:
    name = _name()
    runner = await from_head(writer_pool, DriversProjection(name, table="no_such_table"))
    start = await runner.checkpoint()
    await append_drivers(writer_pool, org_id, [driver_observation("t1")])

    with pytest.raises(asyncpg.UndefinedTableError):
        await runner.catch_up()

    assert await runner.checkpoint() == start
    assert await open_parked(owner_pool, name) == []


async def test_the_api_role_sees_parked_events_of_its_own_org_only(
    writer_pool: asyncpg.Pool, db_api_pool: asyncpg.Pool, org_id: UUID
) -> None:
    await append_drivers(writer_pool, org_id, [poison("v1")])
    name = _name()
    await ProjectionRunner(writer_pool, None, DriversProjection(name)).catch_up()
    async with db_api_pool.acquire() as conn, conn.transaction():
        await conn.execute("SELECT set_config('app.org_id', $1, true)", str(uuid.uuid4()))
        assert await conn.fetchval("SELECT count(*) FROM parked_events") == 0
        await conn.execute("SELECT set_config('app.org_id', $1, true)", str(org_id))
        seen = await conn.fetch("SELECT org_id FROM parked_events WHERE projection = $1", name)
    assert [r["org_id"] for r in seen] == [org_id]


async def test_lag_counts_events_and_seconds_behind_then_zero_when_caught_up(
    writer_pool: asyncpg.Pool, db_api_pool: asyncpg.Pool, org_id: UUID
) -> None:
    runner = await from_head(writer_pool, DriversProjection(_name()))
    await append_drivers(writer_pool, org_id, [driver_observation("l1"), poison("l2")])
    registry = CollectorRegistry()
    metrics = ProjectorMetrics(registry)

    [behind] = await projection_lag(db_api_pool, [runner.projection.name])
    await runner.catch_up()
    [caught_up] = await projection_lag(db_api_pool, [runner.projection.name])
    await metrics.refresh(writer_pool, [runner.projection.name])

    assert behind.events_behind == 2 and behind.head == behind.checkpoint + 2
    assert behind.seconds_behind > 0
    assert (caught_up.events_behind, caught_up.seconds_behind, caught_up.parked) == (0, 0.0, 1)
    labels = {"projection": runner.projection.name}
    assert registry.get_sample_value("fleet_projection_lag_events", labels) == 0
    assert registry.get_sample_value("fleet_projection_lag_seconds", labels) == 0
    assert registry.get_sample_value("fleet_parked_events", labels) == 1


class LegacyDriver(msgspec.Struct, frozen=True):
    driverId: str
    name: str


def upcast_v1_v2(record: dict[str, Any]) -> dict[str, Any]:
    first, _, last = record.pop("name").partition(" ")
    return {**record, "firstName": first, "lastName": last}


async def test_the_runner_upcasts_old_records_before_the_projection_sees_them(
    writer_pool: asyncpg.Pool, owner_pool: asyncpg.Pool, org_id: UUID
) -> None:
    contracts = catalog.Catalog()
    contracts.register(uber.DRIVER_OBSERVED, 1, LegacyDriver)
    contracts.register(uber.DRIVER_OBSERVED, 2, uber.UberDriver)
    upcasters = UpcasterRegistry(contracts)
    upcasters.register(uber.DRIVER_OBSERVED, 1, upcast_v1_v2)
    record = b'{"driverId": "u1", "name": "Ana Lima"}'
    old = Observation("u1", uber.DRIVER_OBSERVED, 1, record, canonical_hash(record))
    await append_drivers(writer_pool, org_id, [old])

    runner = ProjectionRunner(
        writer_pool, None, DriversProjection(_name()), upcast=upcasters.upcast_envelope
    )
    await runner.catch_up()

    row = await owner_pool.fetchrow(
        "SELECT first_name, last_name FROM drivers WHERE org_id = $1", org_id
    )
    assert row is not None and (row["first_name"], row["last_name"]) == ("Ana", "Lima")
