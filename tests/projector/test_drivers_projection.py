"""The drivers projection: applied once, in order, whatever JetStream delivers."""

from __future__ import annotations

import asyncio
import json
import uuid
from uuid import UUID

import asyncpg
import pytest

from contracts.uber import DRIVER_OBSERVED, DRIVER_OBSERVED_VERSION
from eventlog.bus import connect, ensure_events_stream
from eventlog.relay import Relay
from eventlog.store import Observation, canonical_hash, read_after
from projector.feed import EventFeed
from projector.projections.drivers import DriversProjection
from projector.runner import ProjectionRunner
from tests.conftest import NatsServer
from tests.helpers import append_drivers, driver_observation, driver_record


def fresh_runner(pool: asyncpg.Pool) -> ProjectionRunner:
    """A runner under a projection name of its own, so its checkpoint starts at 0."""
    return ProjectionRunner(pool, None, DriversProjection(f"drivers-{uuid.uuid4().hex[:8]}"))


async def _rows(pool: asyncpg.Pool, org_id: UUID) -> list[asyncpg.Record]:
    return await pool.fetch("SELECT * FROM drivers WHERE org_id = $1 ORDER BY driver_id", org_id)


async def test_redelivered_events_leave_the_read_table_unchanged(
    writer_pool: asyncpg.Pool, owner_pool: asyncpg.Pool, org_id: UUID
) -> None:
    positions = await append_drivers(
        writer_pool, org_id, [driver_observation("r1"), driver_observation("r2")]
    )
    runner = fresh_runner(writer_pool)
    await runner.catch_up()
    async with writer_pool.acquire() as conn:
        events = await read_after(conn, positions[0] - 1, 2)
    before = await _rows(owner_pool, org_id)
    checkpoint = await runner.checkpoint()

    applied_before = runner.applied
    await runner.handle(events)  # the same messages delivered again
    await runner.handle(list(reversed(events)))

    assert await _rows(owner_pool, org_id) == before
    assert await runner.checkpoint() == checkpoint
    assert runner.applied == applied_before
    assert [r["driver_id"] for r in before] == ["r1", "r2"]


async def test_latest_observation_wins(
    writer_pool: asyncpg.Pool, owner_pool: asyncpg.Pool, org_id: UUID
) -> None:
    await append_drivers(writer_pool, org_id, [driver_observation("w1", phone="611")])
    await append_drivers(writer_pool, org_id, [driver_observation("w1", phone="622")])
    await fresh_runner(writer_pool).catch_up()
    [row] = await _rows(owner_pool, org_id)
    assert row["phone"] == "+33622"


async def test_a_batch_after_a_hole_is_completed_from_the_log(
    writer_pool: asyncpg.Pool, owner_pool: asyncpg.Pool, org_id: UUID
) -> None:
    runner = fresh_runner(writer_pool)
    await runner.catch_up()
    positions = await append_drivers(
        writer_pool, org_id, [driver_observation(f"h{i}") for i in range(3)]
    )
    async with writer_pool.acquire() as conn:
        last = await read_after(conn, positions[-1] - 1, 1)

    await runner.handle(last)  # JetStream delivered only the last one

    assert [r["driver_id"] for r in await _rows(owner_pool, org_id)] == ["h0", "h1", "h2"]
    assert await runner.checkpoint() == positions[-1]


async def test_runner_applies_what_the_feed_delivers_and_keeps_one_active_instance(
    writer_pool: asyncpg.Pool, owner_pool: asyncpg.Pool, org_id: UUID, nats_server: NatsServer
) -> None:
    nc = await connect(nats_server.url, "test-projector", retry_for_s=10)
    await ensure_events_stream(nc.jetstream())
    feed = await EventFeed.subscribe(nc)
    projection = DriversProjection(f"drivers-{uuid.uuid4().hex[:8]}")
    # an idle read of the log only after a minute: what lands sooner came through the feed
    active = ProjectionRunner(writer_pool, feed, projection, fetch_timeout_s=60)
    standby = ProjectionRunner(writer_pool, feed, projection, fetch_timeout_s=60)
    stop = asyncio.Event()
    tasks = [asyncio.create_task(active.run(stop))]
    await asyncio.sleep(0.3)
    tasks.append(asyncio.create_task(standby.run(stop)))
    try:
        positions = await append_drivers(
            writer_pool, org_id, [driver_observation("j1"), driver_observation("j2")]
        )
        relay = Relay(writer_pool, nc)
        await relay.reconcile()
        await relay.drain()
        for _ in range(100):
            if await active.checkpoint() >= positions[-1]:
                break
            await asyncio.sleep(0.05)
        reached = await active.checkpoint()
    finally:
        stop.set()
        await asyncio.wait_for(asyncio.gather(*tasks), 10)  # the stop wakes a waiting inbox
        await feed.close()
        await nc.close()
    assert reached >= positions[-1]
    assert [r["driver_id"] for r in await _rows(owner_pool, org_id)] == ["j1", "j2"]
    assert standby.applied == 0


@pytest.mark.parametrize("table", ["event_log", "drivers"])
async def test_the_api_role_cannot_write(db_api_pool: asyncpg.Pool, table: str) -> None:
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await db_api_pool.execute(f"DELETE FROM {table}")  # noqa: S608 (constant names)


def _with_status(driver_id: str, status: str, phone: str) -> Observation:
    record = json.loads(driver_record(driver_id, phone=phone))
    raw = json.dumps({**record, "status": status}).encode()
    digest = canonical_hash(raw)
    return Observation(driver_id, DRIVER_OBSERVED, DRIVER_OBSERVED_VERSION, raw, digest)


async def test_a_record_without_status_keeps_the_status_an_earlier_record_gave(
    writer_pool: asyncpg.Pool, owner_pool: asyncpg.Pool, org_id: UUID
) -> None:
    runner = fresh_runner(writer_pool)
    await append_drivers(writer_pool, org_id, [_with_status("st1", "ACTIVE", phone="630")])
    await runner.catch_up()
    await append_drivers(writer_pool, org_id, [driver_observation("st1", phone="633")])
    await append_drivers(writer_pool, org_id, [_with_status("st2", "active", phone="641")])
    await append_drivers(writer_pool, org_id, [driver_observation("st2", phone="642")])
    await runner.catch_up()  # st2's two events in one batch: the status survives the second

    rows = {r["driver_id"]: r for r in await _rows(owner_pool, org_id)}
    assert (rows["st1"]["status"], rows["st1"]["phone"]) == ("ACTIVE", "+33633")
    assert (rows["st2"]["status"], rows["st2"]["phone"]) == ("active", "+33642")
    assert rows["st2"]["first_seen_at"] < rows["st2"]["updated_at"]
