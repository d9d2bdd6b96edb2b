"""``fleet replay`` and ``fleet parked …``: the projector's admin commands.

They print what they did on stdout, progress on stderr, and return an exit status. Replays
run as the owner role (they create, rename and drop tables); ``parked retry`` runs as the
writer role, like the projector.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import datetime

import asyncpg

from contracts.upcasting import upcast_envelope
from core.config import DatabaseSettings
from eventlog.db import create_pool
from projector.parallel_replay import UnitReplayed, largest_first, replay_units
from projector.parking import retry_parked
from projector.progress import Progress
from projector.projections import all_projections
from projector.replay import (
    ReplayError,
    TablePlan,
    plan,
    prepare,
    rebuild_as_of,
    rebuild_position,
    replay,
)


def parse_time(text: str) -> datetime:
    """An ISO 8601 moment; one without a zone is taken as Europe/Paris (the users' time)."""
    from zoneinfo import ZoneInfo

    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo("Europe/Paris"))


def _progress(label: str, total: int) -> Progress:
    return Progress(label, total)


async def _replay_table(pool: asyncpg.Pool, table: TablePlan, *, force: bool, fresh: bool) -> None:
    if not await prepare(pool, table, fresh=fresh):
        start = await rebuild_position(pool, table)
        print(f"{table.shadow}: resuming after position {start}", file=sys.stderr)
    result = await replay(pool, table, force=force, progress=_progress)
    print(
        f"{table.table}: rebuilt at position {result.position}, {result.rebuilt.rows} rows "
        f"({'identical to' if result.live == result.rebuilt else 'forced over'} the live table); "
        f"swapped in, previous table kept as {table.old}"
    )


def _replayed(done: UnitReplayed, old: str) -> str:
    """The line ``fleet replay`` prints for a unit replayed in a process of its own."""
    if done.error is not None:
        return f"fleet replay: {done.error}"
    resumed = f" (resumed after {done.resumed_after})" if done.resumed_after else ""
    return (
        f"{done.table}: rebuilt at position {done.position}, {done.rows} rows "
        f"({'identical to' if done.identical else 'forced over'} the live table){resumed}; "
        f"swapped in, previous table kept as {old} ({done.seconds:.1f} s)"
    )


async def _replay_parallel(
    db: DatabaseSettings, units: list[TablePlan], *, jobs: int, force: bool, fresh: bool
) -> int:
    """Each unit in a process of its own, ``jobs`` at a time, the biggest first."""
    ordered = await largest_first(db, units)
    olds = {u.table: u.old for u in units}

    def run() -> int:
        failed = 0
        for done in replay_units(db, ordered, jobs=jobs, force=force, fresh=fresh):
            failed += done.error is not None
            print(_replayed(done, olds[done.table]), file=sys.stderr if done.error else sys.stdout)
        return 1 if failed else 0

    return await asyncio.to_thread(run)


async def replay_command(
    db: DatabaseSettings,
    *,
    projection: str | None,
    as_of: datetime | None,
    force: bool,
    fresh: bool,
    jobs: int = 1,
) -> int:
    """Rebuild (and swap) the chosen tables, or build an as-of snapshot of them. ``jobs``
    above 1 rebuilds that many units at once, each in a process of its own (not as-of)."""
    if jobs > 1 and as_of is None:
        try:
            units = plan(all_projections(), projection)
        except ReplayError as exc:
            print(f"fleet replay: {exc}", file=sys.stderr)
            return 1
        return await _replay_parallel(db, units, jobs=jobs, force=force, fresh=fresh)
    pool = await create_pool(db.owner_url, max_size=4)
    try:
        for table in plan(all_projections(), projection):
            if as_of is not None:
                target, position = await rebuild_as_of(pool, table, as_of, progress=_progress)
                print(f"{target}: state as of {as_of.isoformat()} (log up to {position})")
            else:
                await _replay_table(pool, table, force=force, fresh=fresh)
    except ReplayError as exc:
        print(f"fleet replay: {exc}", file=sys.stderr)
        return 1
    finally:
        await pool.close()
    return 0


async def parked_retry_command(db: DatabaseSettings, *, projection: str | None) -> int:
    """Re-apply the open parked events of every projection (or the one named)."""
    projections = [p for p in all_projections() if projection in (None, p.name)]
    if not projections:
        print(f"fleet parked retry: no projection named {projection!r}", file=sys.stderr)
        return 1
    pool = await create_pool(db.writer_url, role=db.writer_role, max_size=2)
    try:
        for p in projections:
            result = await retry_parked(pool, p, upcast_envelope)
            print(f"{p.name}: {result.applied} applied, {result.still_parked} still parked")
    finally:
        await pool.close()
    return 0


async def parked_list_command(db: DatabaseSettings, *, projection: str | None) -> int:
    """Print the open parked events (projection, position, event type, reason)."""
    conn = await asyncpg.connect(db.owner_url)
    try:
        rows = await conn.fetch(
            "SELECT projection, position, event_type, org_id, retries, reason FROM parked_events "
            "WHERE resolved_at IS NULL AND ($1::text IS NULL OR projection = $1) "
            "ORDER BY projection, position",
            projection,
        )
    finally:
        await conn.close()
    for r in rows:
        print(
            f"{r['projection']}\t{r['position']}\t{r['event_type']}\t{r['org_id']}\t"
            f"retries={r['retries']}\t{r['reason']}"
        )
    print(f"{len(rows)} open parked event(s)", file=sys.stderr)
    return 0
