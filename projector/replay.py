"""Replays: rebuild a read table from the whole log beside the live one, check it, swap.

``fleet replay`` for one table (say ``drivers``), while the projector and the API run:

1. **prepare** ``drivers__rebuild`` (``LIKE drivers INCLUDING ALL``, less the indexes that are
   not unique: they are built after the load, in bulk) and a checkpoint row per projection
   writing the table (``drivers__rebuild``, ``bolt_drivers__rebuild``…), at 0;
2. **rebuild**: every projection of the table, retargeted at the shadow table, applies the
   log from its rebuild checkpoint, batch by batch, each batch committed with its checkpoint.
   Ctrl-C loses at most the batch in flight; running again resumes (``fresh`` starts over);
   then the indexes left out in step 1 are built and the tables analysed (``build_indexes``);
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

A projection writing several tables (``bolt_orders`` and ``bolt_daily_earnings``) declares
them all (:class:`projector.projection.RebuildableTables`); tables written by one projection
are one unit: prepared, rebuilt, checked and swapped together, in one transaction. Asking for
any of them (or any of their projections) replays the unit.

Rebuild batches are large (``REBUILD_BATCH`` events, one transaction with the checkpoint):
projections write a batch with set-based statements and fold it by row (only the latest
state of a row is written, see :func:`projector.projection.latest`), so a bigger batch means
fewer statements and commits and, above all, fewer writes of a row that the log changes
often: a row is written once per batch that touches it, and an update costs PostgreSQL more
than the read and decoding of the events. The batch's envelopes are all in memory at once
(docs/SCALING.md, "Rebuild", says how much); Ctrl-C loses at most one batch.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

import asyncpg

from contracts.upcasting import upcast_envelope
from eventlog.store import head_position
from projector.checkpoints import lock_checkpoint, read_checkpoint, set_checkpoint
from projector.parking import Upcast
from projector.progress import Progress
from projector.projection import Projection, indexes_read, quote_table, retargeted, tables_of
from projector.rebuild_reads import rebuild_through
from projector.runner import ProjectionRunner, advance
from projector.shadow import (
    Digest,
    add_missing_indexes,
    copy_security,
    create_like,
    digest,
    drop_secondary_indexes,
    grantees,
    swap_tables,
    table_exists,
)

REBUILD = "__rebuild"
OLD = "__old"
REBUILD_BATCH = 50_000

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
    """A read table (and the ones rebuilt with it), and every projection writing into them."""

    table: str
    projections: tuple[Projection, ...]
    others: tuple[str, ...] = field(default=())

    @property
    def tables(self) -> tuple[str, ...]:
        return (self.table, *self.others)

    @property
    def shadow(self) -> str:
        return self.table + REBUILD

    @property
    def old(self) -> str:
        return self.table + OLD

    def rebuilders(self) -> list[Projection]:
        """The projections pointed at the shadow tables, each with its own checkpoint."""
        shadows = {t: t + REBUILD for t in self.tables}
        return [retargeted(p, name=p.name + REBUILD, tables=shadows) for p in self.projections]


@dataclass(frozen=True)
class ReplayResult:
    """What a replay of one table found and did."""

    table: str
    position: int
    live: Digest
    rebuilt: Digest
    swapped: bool


def _units(projections: Sequence[Projection]) -> list[TablePlan]:
    """Rebuildable projections grouped into units: projections sharing a table, transitively."""
    units: list[tuple[list[str], list[Projection]]] = []
    for p in projections:
        mine = list(tables_of(p))
        if not mine:
            continue
        joined = [u for u in units if set(u[0]) & set(mine)]
        tables = [t for u in joined for t in u[0]]
        members = [m for u in joined for m in u[1]]
        units = [u for u in units if u not in joined]
        units.append((tables + [t for t in mine if t not in tables], [*members, p]))
    order = {id(p): n for n, p in enumerate(projections)}
    units.sort(key=lambda u: min(order[id(p)] for p in u[1]))
    return [
        TablePlan(t[0], tuple(sorted(ps, key=lambda p: order[id(p)])), tuple(t[1:]))
        for t, ps in units
    ]


def plan(projections: Sequence[Projection], name: str | None = None) -> list[TablePlan]:
    """The units to rebuild: every rebuildable one, or the one of projection/table ``name``."""
    units = _units(projections)
    if name is None:
        return units
    chosen = [u for u in units if name in u.tables or name in {p.name for p in u.projections}]
    if not chosen:
        raise ReplayError(f"no rebuildable projection or table named {name!r}")
    return chosen


async def prepare(pool: asyncpg.Pool, table: TablePlan, *, fresh: bool = False) -> bool:
    """Create the shadow table and its checkpoints; False when resuming an existing one."""
    async with pool.acquire() as conn, conn.transaction():
        if fresh:
            for name in table.tables:
                await conn.execute(f"DROP TABLE IF EXISTS {quote_table(name + REBUILD)}")
        if await table_exists(conn, table.shadow):
            return False
        keep = {t: d for r in table.rebuilders() for t, d in indexes_read(r).items()}
        for name in table.tables:
            await conn.execute(f"DROP TABLE IF EXISTS {quote_table(name + REBUILD)}")
            await create_like(conn, name, name + REBUILD)
            await drop_secondary_indexes(conn, name + REBUILD, keep.get(name + REBUILD, ()))
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
    batch_size: int = REBUILD_BATCH,
    upcast: Upcast = upcast_envelope,
) -> int:
    """Apply the log (up to ``until``, else the head now) through each projection; return it."""
    target = until if until is not None else await head_position(pool)
    with cyclic_gc_paused():
        for projection in projections:
            runner = ProjectionRunner(pool, None, projection, batch_size=batch_size, upcast=upcast)
            await _rebuild_one(pool, runner, target, batch_size, progress)
    return target


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Python's cycle collector off for a rebuild, on again (and run once) after it.

    A rebuild holds a batch of 50,000 envelopes, rows and records at a time: objects without
    reference cycles, freed by reference counting, but whose allocation keeps triggering the
    cycle collector, and whose survival into the older generations makes it walk them all
    again and again. That walk was half the rebuild's CPU (docs/SCALING.md, "Rebuild"). What
    little cyclic garbage a rebuild makes (asyncio tasks, caught exceptions) waits for the end.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.collect()


async def _rebuild_one(
    pool: asyncpg.Pool,
    runner: ProjectionRunner,
    target: int,
    batch_size: int,
    progress: ProgressFactory | None,
) -> None:
    """Rebuild one projection from the events of its own types (projector/rebuild_reads.py)."""
    start = await runner.checkpoint()
    bar = progress(runner.projection.name, max(target - start, 0)) if progress else None

    def report(position: int) -> None:
        if bar is not None:
            bar.update(position - start)

    await rebuild_through(pool, runner, target, batch_size, on_batch=report)
    if bar is not None:
        bar.update(target - start)
        bar.finish()


async def build_indexes(pool: asyncpg.Pool, table: TablePlan) -> None:
    """Build the shadow tables' indexes that ``prepare`` left out (any the live tables have),
    and gather their planner statistics.

    Before the swap, in a transaction of its own, so that the swap's locks are not held
    while they build; the swap checks again (nothing to do then).
    """
    await _finish_tables(pool, {name: name + REBUILD for name in table.tables})


async def _finish_tables(pool: asyncpg.Pool, targets: dict[str, str]) -> None:
    """Give each target table every index its live table (the key) has, then ``ANALYZE`` it,
    in one transaction.

    A rebuilt table is new to PostgreSQL, and renaming it keeps what it knows of it: its size
    (building an index counts the rows), nothing of its columns' values, until autovacuum
    analyses it (a minute or more after the swap; never, on a server stopped right after).
    Until then the planner guesses: after a year's replay it put a week of Uber transactions
    at 6 rows where there were 43,176 (docs/SCALING.md, "A year"). ANALYZE reads a sample of
    each table (30,000 rows), not the whole of it.
    """
    async with pool.acquire() as conn, conn.transaction():
        for live, target in targets.items():
            await add_missing_indexes(conn, live, target)
            await conn.execute(f"ANALYZE {quote_table(target)}")


async def swap(
    pool: asyncpg.Pool, table: TablePlan, *, force: bool = False, upcast: Upcast = upcast_envelope
) -> ReplayResult:
    """Check the rebuild against the live table at one position, and swap them (see top)."""
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("SET LOCAL lock_timeout = '30s'")
        pairs = list(zip(table.projections, table.rebuilders(), strict=True))
        positions = [await _align(conn, live, shadow, upcast) for live, shadow in pairs]
        digests = [(await digest(conn, t), await digest(conn, t + REBUILD)) for t in table.tables]
        for name, (live, rebuilt) in zip(table.tables, digests, strict=True):
            if live != rebuilt and not force:
                raise ReplayMismatch(name, live, rebuilt)
        for name in table.tables:
            await add_missing_indexes(conn, name, name + REBUILD)
            await conn.execute(f"DROP TABLE IF EXISTS {quote_table(name + OLD)}")
            await swap_tables(conn, name, name + REBUILD, name + OLD)
        for (projection, rebuilder), position in zip(pairs, positions, strict=True):
            await _hand_over(conn, projection.name, rebuilder.name, position)
        # Kept settlement drafts (migration 0025): watch the swapped-in tables, drop the drafts.
        await conn.execute("SELECT settlement_drafts_swapped($1::text[])", list(table.tables))
    live, rebuilt = digests[0]
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
    batch_size: int = REBUILD_BATCH,
    upcast: Upcast = upcast_envelope,
) -> ReplayResult:
    """Prepare (or resume), rebuild, check and swap one table."""
    await prepare(pool, table, fresh=fresh)
    await rebuild(pool, table.rebuilders(), progress=progress, batch_size=batch_size, upcast=upcast)
    await build_indexes(pool, table)
    return await swap(pool, table, force=force, upcast=upcast)


def as_of_schema(at: datetime) -> str:
    """The schema of an as-of rebuild, e.g. ``asof_20250310t080000``.

    UTC, in lower case so that auditors can name it in SQL without quotes.
    """
    return "asof_" + at.astimezone(UTC).strftime("%Y%m%dt%H%M%S")


async def _prepare_as_of(conn: asyncpg.Connection, table: str, schema: str) -> str:
    target = f"{schema}.{table.rpartition('.')[2]}"
    await conn.execute(f"CREATE SCHEMA IF NOT EXISTS {quote_table(schema)}")
    if not await table_exists(conn, target):
        await create_like(conn, table, target)
        await drop_secondary_indexes(conn, target)  # built after the load (rebuild_as_of)
        await copy_security(conn, table, target, read_only=True)
        for role in await grantees(conn, table):
            await conn.execute(f"GRANT USAGE ON SCHEMA {quote_table(schema)} TO {role}")
    return target


async def rebuild_as_of(
    pool: asyncpg.Pool,
    table: TablePlan,
    at: datetime,
    *,
    progress: ProgressFactory | None = None,
    batch_size: int = REBUILD_BATCH,
) -> tuple[str, int]:
    """Rebuild ``table`` (and its unit) as of ``at`` into its own schema; return (table,
    position)."""
    schema = as_of_schema(at)
    async with pool.acquire() as conn, conn.transaction():
        targets = {t: await _prepare_as_of(conn, t, schema) for t in table.tables}
        until = int(
            await conn.fetchval(
                "SELECT coalesce(max(position), 0) FROM event_log WHERE recorded_at <= $1", at
            )
        )
    projections = [
        retargeted(p, name=f"{p.name}@{schema}", tables=targets) for p in table.projections
    ]
    await rebuild(pool, projections, until=until, progress=progress, batch_size=batch_size)
    await _finish_tables(pool, targets)
    return targets[table.table], until


async def rebuild_position(pool: asyncpg.Pool, table: TablePlan) -> int:
    """Where a resumed rebuild of ``table`` starts (the lowest rebuild checkpoint)."""
    return min([await read_checkpoint(pool, r.name) for r in table.rebuilders()], default=0)
