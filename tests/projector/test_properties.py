"""Property: whatever JetStream delivers (duplicates, redeliveries, reordering, holes) and
however often the projector crashes between or inside batches, the live projection ends up
equal to a fresh rebuild of the same log."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Sequence
from typing import Any

import asyncpg
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contracts.envelope import EventEnvelope
from eventlog.store import head_position, read_after
from projector.checkpoints import set_checkpoint
from projector.projections.drivers import DriversProjection
from projector.runner import ProjectionRunner
from projector.shadow import create_like
from tests.helpers import append_drivers, driver_observation


class Crash(BaseException):
    """The process dying mid-transaction: not an error a projection parks."""


class CrashingProjection(DriversProjection):
    """Applies the batch, then dies before the transaction commits."""

    async def apply(self, conn: asyncpg.Connection, events: Sequence[EventEnvelope]) -> None:
        await super().apply(conn, events)
        raise Crash


append = st.tuples(
    st.just("append"),
    st.lists(st.tuples(st.integers(0, 3), st.integers(0, 2)), min_size=1, max_size=4),
)
deliver = st.tuples(st.just("deliver"), st.lists(st.integers(0, 40), max_size=8))
crash = st.tuples(st.just("crash"), st.just([]))
crash_mid_batch = st.tuples(st.just("crash_mid_batch"), st.lists(st.integers(0, 40), max_size=5))
catch_up = st.tuples(st.just("catch_up"), st.just([]))
operations = st.lists(
    st.one_of(append, deliver, deliver, crash, crash_mid_batch, catch_up), min_size=1, max_size=14
)


async def _table(pool: asyncpg.Pool) -> str:
    table = f"prop_{uuid.uuid4().hex[:10]}"
    async with pool.acquire() as conn:
        await create_like(conn, "drivers", table)
    return table


async def _start_at_head(pool: asyncpg.Pool, names: list[str]) -> None:
    async with pool.acquire() as conn:
        head = await head_position(conn)
        for name in names:
            await set_checkpoint(conn, name, head)


async def _rows(pool: asyncpg.Pool, table: str, org: uuid.UUID) -> list[asyncpg.Record]:
    sql = f"SELECT * FROM {table} WHERE org_id = $1 ORDER BY driver_id"  # noqa: S608
    return await pool.fetch(sql, org)


class Scenario:
    """One run of the operations against a live projection."""

    def __init__(self, pool: asyncpg.Pool, org: uuid.UUID, table: str) -> None:
        self.pool, self.org = pool, org
        self.live = DriversProjection(f"prop-{uuid.uuid4().hex[:8]}", table=table)
        self.runner = ProjectionRunner(pool, None, self.live, batch_size=3)
        self.log: list[EventEnvelope] = []

    def _pick(self, indices: list[int]) -> list[EventEnvelope]:
        return [self.log[i % len(self.log)] for i in indices] if self.log else []

    async def run(self, op: str, arg: list[Any]) -> None:
        if op == "append":
            page = [driver_observation(f"d{d}", phone=f"60{p}") for d, p in arg]
            positions = await append_drivers(self.pool, self.org, page)
            if positions:
                async with self.pool.acquire() as conn:
                    self.log += await read_after(conn, positions[0] - 1, len(positions))
        elif op == "deliver":
            await self.runner.handle(self._pick(arg))
        elif op == "crash":
            self.runner = ProjectionRunner(self.pool, None, self.live, batch_size=3)
        elif op == "crash_mid_batch":
            dying = CrashingProjection(self.live.name, table=self.live.table)
            with contextlib.suppress(Crash):
                await ProjectionRunner(self.pool, None, dying).handle(self._pick(arg))
        else:
            await self.runner.catch_up()


@settings(
    max_examples=25,
    deadline=None,
    database=None,  # no .hypothesis/ folder in the checkout
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=operations)
async def test_live_projection_equals_a_fresh_rebuild(
    owner_pool: asyncpg.Pool, ops: list[tuple[str, list[Any]]]
) -> None:
    org: uuid.UUID = await owner_pool.fetchval(
        "INSERT INTO orgs (slug, name) VALUES ($1, 'prop') RETURNING org_id",
        f"p-{uuid.uuid4().hex[:12]}",
    )
    live_table, fresh_table = await _table(owner_pool), await _table(owner_pool)
    scenario = Scenario(owner_pool, org, live_table)
    fresh = DriversProjection(f"fresh-{uuid.uuid4().hex[:8]}", table=fresh_table)
    await _start_at_head(owner_pool, [scenario.live.name, fresh.name])
    try:
        for op, arg in ops:
            await scenario.run(op, arg)
        await scenario.runner.catch_up()  # the projector eventually reads the log
        await ProjectionRunner(owner_pool, None, fresh).catch_up()

        live_rows = await _rows(owner_pool, live_table, org)
        assert live_rows == await _rows(owner_pool, fresh_table, org)
        assert len(live_rows) == len({e.entity_id for e in scenario.log})
    finally:
        await owner_pool.execute(f"DROP TABLE {live_table}, {fresh_table}")
