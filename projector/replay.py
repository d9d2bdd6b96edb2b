"""Replays: rebuild a read table from the whole log beside the live one, check it, swap.

``fleet replay`` for one table (say ``drivers``), while the projector and the API run:

1. **prepare** ``drivers__rebuild`` (``LIKE drivers INCLUDING ALL``) and a checkpoint row per
   projection writing the table (``drivers__rebuild``, ``bolt_drivers__rebuild``…), at 0;
2. **rebuild**: every projection of the table, retargeted at the shadow table, applies the
   log from its rebuild checkpoint, batch by batch, each batch committed with its checkpoint.
   Ctrl-C loses at most the batch in flight; running again resumes (``fresh`` starts over);
3. **swap**, in one transaction: lock the live and rebuild checkpoint rows (the live runner
   waits), bring both to the same position, compare row counts and checksums (a difference
   refuses the swap unless forced: replaying after a fix is *meant* to differ, so look at the
   shadow table first), then rename ``drivers`` → ``drivers__old`` and the rebuild →
   ``drivers`` with its RLS, policies and grants re-created (``projector/shadow.py``), and set
   the live checkpoints to the rebuild's position. The API sees the old table or the new one,
   never neither. ``drivers__old`` stays until the next replay, for a manual rollback.

``fleet replay --as-of TIME`` rebuilds the state of the tables as of that moment into schema
``asof_<UTC time>`` (e.g. ``asof_20250310t080000``), for auditors: the log up to the last
position recorded at or before TIME (appends are serialised, so ``recorded_at`` grows with
position). The snapshot keeps the live table's row-level security and SELECT grants.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import asyncpg

from contracts.upcasting import upcast_envelope
from eventlog.store import head_position
from projector.checkpoints import lock_checkpoint, read_checkpoint, set_checkpoint
from projector.parking import Upcast
from projector.progress import Progress
from projector.projection import Projection, Rebuildable, quote_table
from projector.runner import ProjectionRunner, advance
from projector.shadow import (
    Digest,
    copy_security,
    create_like,
    digest,
    grantees,
    swap_tables,
    table_exists,
)

REBUILD = "__rebuild"
OLD = "__old"

ProgressFactory = Callable[[str, int], Progress]


class ReplayError(Exception):
    """A replay cannot go on (unknown projection, a table that differs…); nothing swapped."""


class ReplayMismatch(ReplayError):
    """The rebuilt table differs from the live one at the same position."""

    def __init__(self, table: str, live: Digest, rebuilt: Digest) -> None:
        super().__init__(
            f"{table}{REBUILD} differs from {table}: {rebuilt.rows} rows vs {live.rows} live "
            f"(checksums {rebuilt.checksum} vs {live.checksum}); inspect {table}{REBUILD}, then "
            "replay again with --force to swap it in, or --fresh to start over"
        )
        self.live = live
        self.rebuilt = rebuilt


@dataclass(frozen=True)
class TablePlan:
    """One read table and every rebuildable projection writing into it."""

    table: str
    projections: tuple[Rebuildable, ...]

    @property
    def shadow(self) -> str:
        return self.table + REBUILD

    @property
    def old(self) -> str:
        return self.table + OLD

    def rebuilders(self) -> list[Rebuildable]:
        """The projections pointed at the shadow table, each with its own checkpoint."""
        return [p.retarget(name=p.name + REBUILD, table=self.shadow) for p in self.projections]


@dataclass(frozen=True)
class ReplayResult:
    """What a replay of one table found and did."""

    table: str
    position: int
    live: Digest
    rebuilt: Digest
    swapped: bool


def plan(projections: Sequence[Projection], name: str | None = None) -> list[TablePlan]:
    """The tables to rebuild: every rebuildable one, or the one of projection/table ``name``."""
    rebuildable = [p for p in projections if isinstance(p, Rebuildable)]
    tables: dict[str, list[Rebuildable]] = {}
    for p in rebuildable:
        tables.setdefault(p.table, []).append(p)
    if name is not None:
        chosen = {p.table for p in rebuildable if name in (p.name, p.table)}
        if not chosen:
            raise ReplayError(f"no rebuildable projection or table named {name!r}")
        tables = {t: ps for t, ps in tables.items() if t in chosen}
    return [TablePlan(t, tuple(ps)) for t, ps in tables.items()]


async def prepare(pool: asyncpg.Pool, table: TablePlan, *, fresh: bool = False) -> bool:
    """Create the shadow table and its checkpoints; False when resuming an existing one."""
    async with pool.acquire() as conn, conn.transaction():
        if fresh:
            await conn.execute(f"DROP TABLE IF EXISTS {quote_table(table.shadow)}")
        if await table_exists(conn, table.shadow):
            return False
        await create_like(conn, table.table, table.shadow)
        for rebuilder in table.rebuilders():
            await set_checkpoint(conn, rebuilder.name, 0)
            await conn.execute(
                "DELETE FROM parked_events WHERE projection = $1 AND resolved_at IS NULL",
                rebuilder.name,
            )
    return True


async def rebuild(
    pool: asyncpg.Pool,
    projections: Sequence[Projection],
    *,
    until: int | None = None,
    progress: ProgressFactory | None = None,
    batch_size: int = 1000,
    upcast: Upcast = upcast_envelope,
) -> int:
    """Apply the log (up to ``until``, else the head now) through each projection; return it."""
    target = until if until is not None else await head_position(pool)
    for projection in projections:
        runner = ProjectionRunner(pool, None, projection, batch_size=batch_size, upcast=upcast)
        await _rebuild_one(runner, target, progress)
    return target


async def _rebuild_one(
    runner: ProjectionRunner, target: int, progress: ProgressFactory | None
) -> None:
    start = await runner.checkpoint()
    bar = progress(runner.projection.name, max(target - start, 0)) if progress else None

    def report(position: int) -> None:
        if bar is not None:
            bar.update(position - start)

    await runner.catch_up(until=target, on_batch=report)
    if bar is not None:
        bar.update(target - start)
        bar.finish()


async def swap(
    pool: asyncpg.Pool, table: TablePlan, *, force: bool = False, upcast: Upcast = upcast_envelope
) -> ReplayResult:
    """Check the rebuild against the live table at one position, and swap them (see top)."""
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("SET LOCAL lock_timeout = '30s'")
        pairs = list(zip(table.projections, table.rebuilders(), strict=True))
        positions = [await _align(conn, live, shadow, upcast) for live, shadow in pairs]
        live, rebuilt = await digest(conn, table.table), await digest(conn, table.shadow)
        if live != rebuilt and not force:
            raise ReplayMismatch(table.table, live, rebuilt)
        await conn.execute(f"DROP TABLE IF EXISTS {quote_table(table.old)}")
        await swap_tables(conn, table.table, table.shadow, table.old)
        for (projection, rebuilder), position in zip(pairs, positions, strict=True):
            await _hand_over(conn, projection.name, rebuilder.name, position)
    return ReplayResult(table.table, max(positions, default=0), live, rebuilt, swapped=True)


async def _align(
    conn: asyncpg.Connection, live: Projection, shadow: Projection, upcast: Upcast
) -> int:
    """Lock both checkpoints and bring the one behind up to the other; return the position."""
    target = max(await lock_checkpoint(conn, live.name), await lock_checkpoint(conn, shadow.name))
    await advance(conn, live, target, upcast)
    await advance(conn, shadow, target, upcast)
    return target


async def _hand_over(conn: asyncpg.Connection, live: str, rebuilt: str, position: int) -> None:
    """The rebuild's checkpoint and parked events become the live projection's."""
    await set_checkpoint(conn, live, position)
    await conn.execute("DELETE FROM projection_checkpoints WHERE name = $1", rebuilt)
    await conn.execute(
        "UPDATE parked_events SET resolved_at = now(), resolution = 'replayed' "
        "WHERE projection = $1 AND resolved_at IS NULL",
        live,
    )
    await conn.execute(
        "UPDATE parked_events SET projection = $1 WHERE projection = $2 AND resolved_at IS NULL",
        live,
        rebuilt,
    )


async def replay(
    pool: asyncpg.Pool,
    table: TablePlan,
    *,
    force: bool = False,
    fresh: bool = False,
    progress: ProgressFactory | None = None,
    batch_size: int = 1000,
    upcast: Upcast = upcast_envelope,
) -> ReplayResult:
    """Prepare (or resume), rebuild, check and swap one table."""
    await prepare(pool, table, fresh=fresh)
    await rebuild(pool, table.rebuilders(), progress=progress, batch_size=batch_size, upcast=upcast)
    return await swap(pool, table, force=force, upcast=upcast)


def as_of_schema(at: datetime) -> str:
    """The schema of an as-of rebuild, e.g. ``asof_20250310t080000``.

    UTC, in lower case so that auditors can name it in SQL without quotes.
    """
    return "asof_" + at.astimezone(UTC).strftime("%Y%m%dt%H%M%S")


async def _prepare_as_of(conn: asyncpg.Connection, table: TablePlan, schema: str) -> str:
    target = f"{schema}.{table.table.rpartition('.')[2]}"
    await conn.execute(f"CREATE SCHEMA IF NOT EXISTS {quote_table(schema)}")
    if not await table_exists(conn, target):
        await create_like(conn, table.table, target)
        await copy_security(conn, table.table, target, read_only=True)
        for role in await grantees(conn, table.table):
            await conn.execute(f"GRANT USAGE ON SCHEMA {quote_table(schema)} TO {role}")
    return target


async def rebuild_as_of(
    pool: asyncpg.Pool,
    table: TablePlan,
    at: datetime,
    *,
    progress: ProgressFactory | None = None,
    batch_size: int = 1000,
) -> tuple[str, int]:
    """Rebuild ``table`` as of ``at`` into its own schema; return (table, position)."""
    schema = as_of_schema(at)
    async with pool.acquire() as conn, conn.transaction():
        target = await _prepare_as_of(conn, table, schema)
        until = int(
            await conn.fetchval(
                "SELECT coalesce(max(position), 0) FROM event_log WHERE recorded_at <= $1", at
            )
        )
    projections = [p.retarget(name=f"{p.name}@{schema}", table=target) for p in table.projections]
    await rebuild(pool, projections, until=until, progress=progress, batch_size=batch_size)
    return target, until


async def rebuild_position(pool: asyncpg.Pool, table: TablePlan) -> int:
    """Where a resumed rebuild of ``table`` starts (the lowest rebuild checkpoint)."""
    return min([await read_checkpoint(pool, r.name) for r in table.rebuilders()], default=0)
