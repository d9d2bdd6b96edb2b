"""Concurrent appenders whose commits come late never make a reader skip an event.

Several appenders write pages in transactions that wait before committing (and some roll
back, leaving holes), while the relay publishes the log and a projection runner follows
JetStream. At the end every committed event is in the stream once and applied once.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import Awaitable, Callable, Sequence
from uuid import UUID

import asyncpg

from contracts.envelope import EventEnvelope
from contracts.uber import DRIVER_OBSERVED
from eventlog.bus import connect, ensure_events_stream
from eventlog.relay import Relay
from eventlog.store import append_observations, head_position
from projector.checkpoints import set_checkpoint
from projector.feed import EventFeed
from projector.runner import ProjectionRunner
from tests.conftest import NatsServer
from tests.helpers import driver_observation
from tests.natshelp import stream_events

APPENDERS, PAGES, PAGE = 4, 6, 3


class Ledger:
    """A projection writing one row per event it applies, to count applications."""

    event_types = frozenset({DRIVER_OBSERVED})

    def __init__(self, org_id: UUID, table: str) -> None:
        self.name = f"ledger-{uuid.uuid4().hex[:8]}"
        self.org_id, self.table = org_id, table

    async def apply(self, conn: asyncpg.Connection, events: Sequence[EventEnvelope]) -> None:
        mine = [(e.position,) for e in events if e.org_id == self.org_id]
        await conn.executemany(f"INSERT INTO {self.table} VALUES ($1)", mine)  # noqa: S608


async def _appender(pool: asyncpg.Pool, org_id: UUID, n: int, seed: int) -> list[int]:
    """Append pages that commit late (or roll back); return the committed positions."""
    rng, committed = random.Random(seed), []
    for page in range(PAGES):
        observations = [driver_observation(f"c{n}-{page}-{i}") for i in range(PAGE)]
        async with pool.acquire() as conn:
            tx = conn.transaction()
            await tx.start()
            await asyncio.sleep(rng.uniform(0, 0.02))  # other writes before the append
            positions = await append_observations(
                conn, org_id=org_id, provider="uber", account_id="acct", entity_type="driver",
                observed_at=await conn.fetchval("SELECT now()"), fetch_id=None,
                observations=observations,
            )  # fmt: skip
            await asyncio.sleep(rng.uniform(0, 0.05))  # a slow commit, the lock still held
            if rng.random() < 0.2:
                await tx.rollback()  # a hole in the positions
            else:
                await tx.commit()
                committed += positions
    return committed


async def _wait_until(check: Callable[[], Awaitable[bool]], timeout_s: float = 30.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, "readers did not catch up"
        await asyncio.sleep(0.05)


async def test_late_commits_are_published_once_and_applied_once(
    writer_pool: asyncpg.Pool, owner_pool: asyncpg.Pool, org_id: UUID, nats_server: NatsServer
) -> None:
    table = f"ledger_{uuid.uuid4().hex[:8]}"
    await owner_pool.execute(f"CREATE TABLE {table} (position bigint NOT NULL)")
    await owner_pool.execute(f"GRANT INSERT, SELECT ON {table} TO fleet_writer")
    ledger = Ledger(org_id, table)
    await set_checkpoint(owner_pool, ledger.name, await head_position(owner_pool))
    nc = await connect(nats_server.url, "test-concurrent", retry_for_s=10)
    await ensure_events_stream(nc.jetstream())
    relay = Relay(writer_pool, nc, name=f"relay-{uuid.uuid4().hex[:8]}", idle_poll_s=0.05)
    feed = await EventFeed.subscribe(nc)
    runner = ProjectionRunner(writer_pool, feed, ledger, batch_size=4, fetch_timeout_s=0.1)
    stop = asyncio.Event()
    readers = [asyncio.create_task(relay.run(stop)), asyncio.create_task(runner.run(stop))]
    try:
        results = await asyncio.gather(
            *(_appender(writer_pool, org_id, n, seed=n) for n in range(APPENDERS))
        )
        committed = sorted(p for positions in results for p in positions)
        head = await head_position(owner_pool)

        async def caught_up() -> bool:
            return await runner.checkpoint() >= head and await relay.checkpoint() >= head

        await _wait_until(caught_up)
        published = await stream_events(nc, org_id, expect=len(committed))
    finally:
        stop.set()
        await asyncio.gather(*readers)
        await feed.close()
        await nc.close()
    rows = await owner_pool.fetch(f"SELECT position FROM {table}")  # noqa: S608
    applied = [r[0] for r in rows]
    assert len(committed) > PAGE * APPENDERS  # most pages committed
    assert sorted(e.position for e in published) == committed  # each exactly once
    assert sorted(applied) == committed  # each exactly once
