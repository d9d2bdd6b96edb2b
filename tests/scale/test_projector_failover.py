"""Two projector instances of one projection: one active, one standby, a clean take-over.

Injected: the active runner dies mid-stream (its lock connection is dropped, as when its
process is killed, and its task cancelled) while the relay keeps publishing. Verified: the
standby takes the projection's advisory lock and carries on; every event is applied exactly
once (a ledger written in the projection's own transaction counts each position), and the
read table equals a fresh rebuild from the log.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Sequence
from uuid import UUID

import asyncpg
import pytest

from contracts.envelope import EventEnvelope
from core.config import DatabaseSettings
from eventlog.bus import connect, ensure_events_stream
from eventlog.relay import Relay
from eventlog.store import head_position, read_after
from projector.feed import EventFeed
from projector.projections.drivers import DriversProjection
from projector.runner import ProjectionRunner
from tests.conftest import NatsServer
from tests.helpers import append_drivers, driver_observation

pytestmark = [pytest.mark.scale, pytest.mark.timeout(120)]

EVENTS = 400
APPEND_EVERY_S = 0.01

_LEDGER = """
CREATE TABLE IF NOT EXISTS scale_projection_ledger (
    projection  text NOT NULL,
    runner      text NOT NULL,
    org_id      uuid NOT NULL,
    position    bigint NOT NULL
);
GRANT SELECT, INSERT ON scale_projection_ledger TO fleet_writer;
"""


class LedgeredDrivers:
    """The drivers projection, also writing each applied position to a ledger.

    The ledger rows commit in the runner's transaction, with the read-table change and the
    checkpoint: a position applied twice would show up twice.
    """

    def __init__(self, name: str, runner: str) -> None:
        self._inner = DriversProjection(name)
        self.name = name
        self.event_types = self._inner.event_types
        self._runner = runner
        self.first_applied_at: float | None = None

    async def apply(self, conn: asyncpg.Connection, events: Sequence[EventEnvelope]) -> None:
        await self._inner.apply(conn, events)
        self.first_applied_at = self.first_applied_at or time.monotonic()
        await conn.executemany(
            "INSERT INTO scale_projection_ledger VALUES ($1, $2, $3, $4)",
            [(self.name, self._runner, e.org_id, e.position) for e in events],
        )


async def _from_head(pool: asyncpg.Pool, table: str, name: str) -> None:
    async with pool.acquire() as conn:
        head = await head_position(conn)
        await conn.execute(
            f"INSERT INTO {table} (name, position) VALUES ($1, $2)",  # noqa: S608 (constant)
            name,
            head,
        )


async def _rebuilt(
    owner_pool: asyncpg.Pool, org_id: UUID, positions: list[int]
) -> list[asyncpg.Record]:
    """The org's drivers rebuilt from its events alone, in a transaction rolled back."""
    async with owner_pool.acquire() as conn:
        tx = conn.transaction()
        await tx.start()
        try:
            await conn.execute("DELETE FROM drivers WHERE org_id = $1", org_id)
            span = await read_after(conn, positions[0] - 1, positions[-1] - positions[0] + 1)
            events = [e for e in span if e.org_id == org_id]
            await DriversProjection("rebuild").apply(conn, events)
            return await _drivers(conn, org_id)
        finally:
            await tx.rollback()


async def _drivers(conn: asyncpg.Connection | asyncpg.Pool, org_id: UUID) -> list[asyncpg.Record]:
    return await conn.fetch("SELECT * FROM drivers WHERE org_id = $1 ORDER BY driver_id", org_id)


async def _until(predicate, timeout_s: float) -> float:  # type: ignore[no-untyped-def]
    started = time.monotonic()
    while not await predicate():
        if time.monotonic() - started > timeout_s:
            raise TimeoutError("condition not met in time")
        await asyncio.sleep(0.02)
    return time.monotonic() - started


async def test_the_standby_projector_takes_over_and_applies_each_event_once(
    db: DatabaseSettings,
    writer_pool: asyncpg.Pool,
    owner_pool: asyncpg.Pool,
    org_id: UUID,
    nats_server: NatsServer,
) -> None:
    await owner_pool.execute(_LEDGER)
    name = f"drivers-scale-{uuid.uuid4().hex[:8]}"
    await _from_head(writer_pool, "projection_checkpoints", name)
    await _from_head(writer_pool, "relay_checkpoints", name)

    nc = await connect(nats_server.url, "scale-projector", retry_for_s=10)
    await ensure_events_stream(nc.jetstream())
    # Each instance has a pool of its own, as a process would: killing one drops its lock.
    pools = {
        label: await asyncpg.create_pool(db.writer_url, min_size=1, max_size=3)
        for label in ("a", "b")
    }
    projections = {label: LedgeredDrivers(name, label) for label in pools}
    feeds = {label: await EventFeed.subscribe(nc) for label in pools}  # one per process
    runners = {
        label: ProjectionRunner(pool, feeds[label], projections[label], fetch_timeout_s=0.2)
        for label, pool in pools.items()
    }
    stop = asyncio.Event()
    relay = Relay(writer_pool, nc, name=name, idle_poll_s=0.1)
    tasks = {"relay": asyncio.create_task(relay.run(stop))}
    try:
        tasks["a"] = asyncio.create_task(runners["a"].run(stop))
        await asyncio.sleep(0.3)  # a holds the lock first
        tasks["b"] = asyncio.create_task(runners["b"].run(stop))
        appended: list[int] = []
        killed_at = 0.0
        for i in range(EVENTS):
            if i == EVENTS // 3:
                await _until(lambda: _applied(runners["a"]), 10)
                killed_at = time.monotonic()
                pools["a"].terminate()  # the process dies: its sessions, and lock, go
                tasks.pop("a").cancel()
                print(
                    f"\n[scale] injected: active projector 'a' killed after it applied "
                    f"{runners['a'].applied} events ({i} appended)"
                )
            appended += await append_drivers(
                writer_pool, org_id, [driver_observation(f"p{i % 150}", phone=f"6{i:08d}")]
            )
            await asyncio.sleep(APPEND_EVERY_S)
        await _until(lambda: _caught_up(writer_pool, name, appended[-1]), 30)
    finally:
        stop.set()
        await asyncio.gather(*tasks.values(), return_exceptions=True)
        for feed in feeds.values():
            await feed.close()
        await nc.close()
        for pool in pools.values():
            pool.terminate()

    ledger = await owner_pool.fetch(
        "SELECT runner, position FROM scale_projection_ledger WHERE projection = $1 "
        "AND org_id = $2 ORDER BY position",
        name,
        org_id,
    )
    by_runner = {r: sum(1 for row in ledger if row["runner"] == r) for r in ("a", "b")}
    rows = await _drivers(owner_pool, org_id)
    rebuilt = await _rebuilt(owner_pool, org_id, appended)
    assert projections["b"].first_applied_at is not None
    takeover_s = projections["b"].first_applied_at - killed_at
    print(
        f"[scale] verified: {len(appended)} events, each applied once ({by_runner['a']} by a, "
        f"{by_runner['b']} by b); standby b active and applying {takeover_s:.2f}s after the "
        f"kill; {len(rows)} driver rows equal to a fresh rebuild from the log"
    )
    assert [row["position"] for row in ledger] == appended
    assert by_runner["a"] > 0 and by_runner["b"] > 0
    assert rows == rebuilt


async def _applied(runner: ProjectionRunner) -> bool:
    return runner.applied > 0


async def _caught_up(pool: asyncpg.Pool, name: str, position: int) -> bool:
    done = await pool.fetchval("SELECT position FROM projection_checkpoints WHERE name = $1", name)
    return int(done) >= position
