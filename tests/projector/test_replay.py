"""Replays rebuild a table beside the live one, check it, and swap it in with its security."""

from __future__ import annotations

import asyncio
import gc
import io
import uuid
from datetime import UTC, datetime
from uuid import UUID

import asyncpg
import pytest

from fleet.cli import parser
from projector.checkpoints import read_checkpoint
from projector.progress import Progress
from projector.projections.bolt_orders import DRIVER_DAY_INDEX, BoltOrdersProjection
from projector.projections.drivers import DriversProjection
from projector.replay import (
    ReplayMismatch,
    TablePlan,
    as_of_schema,
    cyclic_gc_paused,
    plan,
    prepare,
    rebuild,
    rebuild_as_of,
    replay,
    swap,
)
from projector.runner import ProjectionRunner
from projector.shadow import copy_security, create_like, digest, table_exists
from tests.helpers import append_drivers, driver_observation


@pytest.fixture
async def live(owner_pool: asyncpg.Pool) -> DriversProjection:
    """A live drivers table of the test's own, secured like ``drivers``, and caught up."""
    table = f"drv_{uuid.uuid4().hex[:8]}"
    async with owner_pool.acquire() as conn, conn.transaction():
        await create_like(conn, "drivers", table)
        await copy_security(conn, "drivers", table)
    return DriversProjection(f"live-{table}", table=table)


async def _other_org(owner_pool: asyncpg.Pool) -> UUID:
    slug = f"o-{uuid.uuid4().hex[:12]}"
    org: UUID = await owner_pool.fetchval(
        "INSERT INTO orgs (slug, name) VALUES ($1, $1) RETURNING org_id", slug
    )
    return org


async def _seen_by_api(api: asyncpg.Pool, table: str, org: UUID | None) -> list[str]:
    async with api.acquire() as conn, conn.transaction():
        if org is not None:
            await conn.execute("SELECT set_config('app.org_id', $1, true)", str(org))
        rows = await conn.fetch(f"SELECT driver_id FROM {table} ORDER BY 1")  # noqa: S608
    return [r["driver_id"] for r in rows]


async def test_replay_swaps_in_an_identical_table_and_rls_still_holds(
    owner_pool: asyncpg.Pool,
    writer_pool: asyncpg.Pool,
    db_api_pool: asyncpg.Pool,
    org_id: UUID,
    live: DriversProjection,
) -> None:
    other = await _other_org(owner_pool)
    await append_drivers(writer_pool, org_id, [driver_observation("s1"), driver_observation("s2")])
    await append_drivers(writer_pool, other, [driver_observation("s3")])
    await ProjectionRunner(owner_pool, None, live).catch_up()
    table = TablePlan(live.table, (live,))

    result = await replay(owner_pool, table)

    assert result.swapped and result.live == result.rebuilt and result.rebuilt.rows > 0
    assert await read_checkpoint(owner_pool, live.name) == result.position
    assert await read_checkpoint(owner_pool, live.name + "__rebuild") == 0  # row gone
    async with owner_pool.acquire() as conn:
        assert await table_exists(conn, table.old)
        assert not await table_exists(conn, table.shadow)
        assert await digest(conn, live.table) == result.live
    assert await _seen_by_api(db_api_pool, live.table, org_id) == ["s1", "s2"]
    assert await _seen_by_api(db_api_pool, live.table, other) == ["s3"]
    assert await _seen_by_api(db_api_pool, live.table, None) == []
    await append_drivers(writer_pool, org_id, [driver_observation("s4")])
    await ProjectionRunner(writer_pool, None, live).catch_up()  # the writer keeps its grants
    assert "s4" in await _seen_by_api(db_api_pool, live.table, org_id)


async def test_a_table_that_differs_is_not_swapped_unless_forced(
    owner_pool: asyncpg.Pool, writer_pool: asyncpg.Pool, org_id: UUID, live: DriversProjection
) -> None:
    await append_drivers(writer_pool, org_id, [driver_observation("m1")])
    await ProjectionRunner(owner_pool, None, live).catch_up()
    await owner_pool.execute(
        f"UPDATE {live.table} SET first_name = 'tampered' WHERE org_id = $1",  # noqa: S608
        org_id,
    )
    table = TablePlan(live.table, (live,))

    with pytest.raises(ReplayMismatch, match="differs"):
        await replay(owner_pool, table)
    async with owner_pool.acquire() as conn:
        assert await table_exists(conn, table.shadow)  # kept for inspection
    result = await replay(owner_pool, table, force=True)

    assert result.swapped and result.live != result.rebuilt
    name = await owner_pool.fetchval(
        f"SELECT first_name FROM {live.table} WHERE org_id = $1",  # noqa: S608
        org_id,
    )
    assert name == "Rui"


class Interrupted(BaseException):
    """Stands for Ctrl-C (a KeyboardInterrupt would stop pytest itself)."""


class CtrlCAfter3(Progress):
    """A progress bar whose user presses Ctrl-C once three events are done."""

    def update(self, done: int) -> None:
        if done >= 3:
            raise Interrupted
        super().update(done)


async def test_an_interrupted_rebuild_resumes_from_its_own_checkpoint(
    owner_pool: asyncpg.Pool, writer_pool: asyncpg.Pool, org_id: UUID, live: DriversProjection
) -> None:
    await append_drivers(writer_pool, org_id, [driver_observation(f"i{n}") for n in range(5)])
    await ProjectionRunner(owner_pool, None, live).catch_up()
    table = TablePlan(live.table, (live,))
    assert await prepare(owner_pool, table)
    [rebuilder] = table.rebuilders()
    head = await read_checkpoint(owner_pool, live.name)

    with pytest.raises(Interrupted):
        await rebuild(owner_pool, [rebuilder], batch_size=1, progress=CtrlCAfter3)
    stopped = await read_checkpoint(owner_pool, rebuilder.name)

    assert 3 <= stopped < head
    assert not await prepare(owner_pool, table)  # resumes: nothing recreated
    assert await read_checkpoint(owner_pool, rebuilder.name) == stopped
    result = await replay(owner_pool, table)
    assert result.swapped and result.live == result.rebuilt


async def test_swap_brings_the_rebuild_up_to_the_live_position(
    owner_pool: asyncpg.Pool, writer_pool: asyncpg.Pool, org_id: UUID, live: DriversProjection
) -> None:
    table = TablePlan(live.table, (live,))
    await prepare(owner_pool, table)
    await rebuild(owner_pool, table.rebuilders())
    positions = await append_drivers(writer_pool, org_id, [driver_observation("late")])
    await ProjectionRunner(owner_pool, None, live).catch_up()  # the live one moved on

    result = await swap(owner_pool, table)

    assert result.position == positions[-1]
    assert result.live == result.rebuilt


async def test_as_of_rebuilds_a_past_state_into_its_own_schema(
    owner_pool: asyncpg.Pool, writer_pool: asyncpg.Pool, db_api_pool: asyncpg.Pool, org_id: UUID
) -> None:
    await append_drivers(writer_pool, org_id, [driver_observation("a1", phone="601")])
    moment = await owner_pool.fetchval("SELECT clock_timestamp()")
    await asyncio.sleep(0.01)
    await append_drivers(writer_pool, org_id, [driver_observation("a1", phone="602")])
    await append_drivers(writer_pool, org_id, [driver_observation("a2")])
    projection = DriversProjection(f"asof-{uuid.uuid4().hex[:8]}")

    target, _ = await rebuild_as_of(owner_pool, TablePlan("drivers", (projection,)), moment)

    assert target == f"{as_of_schema(moment)}.drivers"
    async with db_api_pool.acquire() as conn, conn.transaction():
        await conn.execute("SELECT set_config('app.org_id', $1, true)", str(org_id))
        rows = await conn.fetch(f"SELECT driver_id, phone FROM {target}")  # noqa: S608
    assert [(r["driver_id"], r["phone"]) for r in rows] == [("a1", "+33601")]


_INDEXES = """
SELECT c.relname, i.indisunique, regexp_replace(pg_get_indexdef(i.indexrelid),
                                                '^CREATE (UNIQUE )?INDEX \\S+ ON \\S+ ', '') AS def
FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
WHERE i.indrelid = $1::regclass ORDER BY 1
"""


async def _indexes(pool: asyncpg.Pool, table: str) -> list[tuple[str, bool, str]]:
    return [tuple(r) for r in await pool.fetch(_INDEXES, table)]


async def test_the_rebuild_builds_secondary_indexes_after_the_load_and_keeps_their_names(
    owner_pool: asyncpg.Pool, writer_pool: asyncpg.Pool, org_id: UUID, live: DriversProjection
) -> None:
    await append_drivers(writer_pool, org_id, [driver_observation(f"x{n}") for n in range(3)])
    await ProjectionRunner(owner_pool, None, live).catch_up()
    before = await _indexes(owner_pool, live.table)
    table = TablePlan(live.table, (live,))

    await prepare(owner_pool, table)
    during = await _indexes(owner_pool, table.shadow)
    await rebuild(owner_pool, table.rebuilders())
    result = await swap(owner_pool, table)  # swap builds them when nothing did before

    assert result.swapped
    assert {d for _, unique, d in before if not unique}  # the search's GIN indexes among them
    assert [(u, d) for _, u, d in during] == [(u, d) for _, u, d in before if u]
    assert await _indexes(owner_pool, live.table) == before


async def test_an_as_of_snapshot_has_every_index_of_the_live_table(
    owner_pool: asyncpg.Pool, writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    await append_drivers(writer_pool, org_id, [driver_observation("s1")])
    moment = await owner_pool.fetchval("SELECT clock_timestamp()")
    projection = DriversProjection(f"asof-{uuid.uuid4().hex[:8]}")

    target, _ = await rebuild_as_of(owner_pool, TablePlan("drivers", (projection,)), moment)

    live = sorted((u, d) for _, u, d in await _indexes(owner_pool, "drivers"))
    assert sorted((u, d) for _, u, d in await _indexes(owner_pool, target)) == live


# The planner's row count of a table, and whether an ANALYZE (not autovacuum) gave it.
_STATISTICS = """
SELECT s.last_analyze IS NOT NULL AS analysed, c.reltuples
FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
WHERE s.relid = $1::regclass
"""


async def _statistics(pool: asyncpg.Pool, table: str) -> tuple[bool, float]:
    row = await pool.fetchrow(_STATISTICS, table)
    return bool(row["analysed"]), float(row["reltuples"])


async def test_a_replayed_table_and_an_as_of_snapshot_come_with_planner_statistics(
    owner_pool: asyncpg.Pool, writer_pool: asyncpg.Pool, org_id: UUID, live: DriversProjection
) -> None:
    await append_drivers(writer_pool, org_id, [driver_observation(f"st{n}") for n in range(4)])
    await ProjectionRunner(owner_pool, None, live).catch_up()
    moment = await owner_pool.fetchval("SELECT clock_timestamp()")
    table = TablePlan(live.table, (live,))

    await replay(owner_pool, table)
    snapshot, _ = await rebuild_as_of(owner_pool, table, moment)

    for name in (live.table, snapshot):
        rows = await owner_pool.fetchval(f"SELECT count(*) FROM {name}")  # noqa: S608
        assert rows >= 4
        assert await _statistics(owner_pool, name) == (True, rows)


def test_the_plan_groups_projections_by_table_and_knows_names() -> None:
    a, b = DriversProjection("drivers"), DriversProjection("other", table="other_table")
    assert [t.table for t in plan([a, b])] == ["drivers", "other_table"]
    assert plan([a, b], "other")[0].projections == (b,)
    assert plan([a, b], "drivers")[0].shadow == "drivers__rebuild"
    assert as_of_schema(datetime(2025, 3, 10, 8, 0, tzinfo=UTC)) == "asof_20250310t080000"


def test_the_progress_line_shows_rate_and_eta() -> None:
    out = io.StringIO()
    bar = Progress("drivers__rebuild", 1000, out)
    bar.update(250)
    bar.finish()
    assert "250/1,000 events" in out.getvalue() and "ev/s" in out.getvalue()
    assert "ETA" in out.getvalue()


def test_the_cli_knows_replay_and_parked_retry() -> None:
    args = parser().parse_args(["replay", "--projection", "drivers", "--as-of", "2025-03-10"])
    assert (args.projection, args.as_of) == ("drivers", "2025-03-10")
    assert parser().parse_args(["parked", "retry"]).parked == "retry"


def test_a_rebuild_pauses_the_cycle_collector_and_restores_it_even_on_failure() -> None:
    assert gc.isenabled()
    with pytest.raises(RuntimeError), cyclic_gc_paused():
        assert not gc.isenabled()
        raise RuntimeError("a batch failed")
    assert gc.isenabled()
    gc.disable()  # a process that runs without it keeps it off
    try:
        with cyclic_gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


async def test_the_rebuild_keeps_the_indexes_its_projection_reads_while_it_writes(
    owner_pool: asyncpg.Pool,
) -> None:
    orders, earnings = (f"{t}_{uuid.uuid4().hex[:8]}" for t in ("bo", "bde"))
    async with owner_pool.acquire() as conn, conn.transaction():
        await create_like(conn, "bolt_orders", orders)
        await create_like(conn, "bolt_daily_earnings", earnings)
    projection = BoltOrdersProjection(
        f"live-{orders}", tables={"bolt_orders": orders, "bolt_daily_earnings": earnings}
    )
    table = TablePlan(orders, (projection,), (earnings,))

    await prepare(owner_pool, table)

    during = {d for _, unique, d in await _indexes(owner_pool, table.shadow) if not unique}
    live = {d for _, unique, d in await _indexes(owner_pool, orders) if not unique}
    assert during == {DRIVER_DAY_INDEX}  # read by recompute_days: kept
    assert len(live) > 1  # the others, built after the load
