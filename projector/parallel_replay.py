"""``fleet replay --jobs N``: independent units rebuilt at once, each in a process of its own.

Units (a table and the tables rebuilt with it, ``projector.replay.plan``) share nothing: each
writes its own shadow tables and checkpoints, reads its own event types from the log, and
swaps in its own transaction. So they may run side by side, and a unit's result does not
depend on what runs beside it (``tests/projector/test_parallel_replay.py`` checks that the
tables come out identical to a serial replay). Processes rather than tasks: decoding and
folding events is Python work, and one process uses one core whatever its connections do.

The biggest units start first (by their events in the log), so that the last one to finish
does not start last: with two jobs on a year of a fleet, the Bolt orders and the rest take
turns on the second process (docs/SCALING.md, "A year"). Before them all, the units whose
projection applies one event at a time (``ROUND_TRIP_BOUND``): their time is round trips
to PostgreSQL, not a core, so it overlaps the others' work when they start first, and ended
the replay alone when they started last (people: 30 s of a 47 s replay of 7 days).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from multiprocessing import get_context

from core.config import DatabaseSettings
from eventlog.db import create_pool
from projector.projections import all_projections
from projector.replay import ReplayError, TablePlan, plan, prepare, rebuild_position, replay

# Units applied one event at a time, in log order (projector/projections/people.py).
ROUND_TRIP_BOUND = frozenset({"people"})


@dataclass(frozen=True)
class UnitReplayed:
    """What one unit's replay did, as its process reports it."""

    table: str
    position: int = 0
    rows: int = 0
    identical: bool = True
    resumed_after: int | None = None
    seconds: float = 0.0
    error: str | None = None


async def largest_first(db: DatabaseSettings, units: Sequence[TablePlan]) -> list[TablePlan]:
    """``units`` by the number of events of their projections' types, most first, after
    those bound by round trips (see top)."""
    pool = await create_pool(db.owner_url, max_size=1)
    try:
        counts = dict(
            await pool.fetch("SELECT event_type, count(*) FROM event_log GROUP BY event_type")
        )
    finally:
        await pool.close()

    def events(unit: TablePlan) -> int:
        types = {t for p in unit.projections for t in p.event_types}
        return sum(counts.get(t, 0) for t in types)

    return sorted(units, key=lambda u: (u.table in ROUND_TRIP_BOUND, events(u)), reverse=True)


def replay_units(
    db: DatabaseSettings, units: Sequence[TablePlan], *, jobs: int, force: bool, fresh: bool
) -> Iterator[UnitReplayed]:
    """Replay ``units`` in ``jobs`` processes, in the order given; yield each as it ends."""
    context = get_context("spawn")  # a fresh interpreter: no event loop or pool inherited
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        running = [pool.submit(replay_unit, db, u.table, force, fresh) for u in units]
        for done in as_completed(running):
            yield done.result()


def replay_unit(db: DatabaseSettings, table: str, force: bool, fresh: bool) -> UnitReplayed:
    """One unit's replay, in the calling process (a worker of :func:`replay_units`)."""
    return asyncio.run(_replay_unit(db, table, force=force, fresh=fresh))


async def _replay_unit(
    db: DatabaseSettings, table: str, *, force: bool, fresh: bool
) -> UnitReplayed:
    started = time.perf_counter()
    pool = await create_pool(db.owner_url, max_size=3)
    try:
        [unit] = plan(all_projections(), table)
        resumed = (
            None if await prepare(pool, unit, fresh=fresh) else await rebuild_position(pool, unit)
        )
        result = await replay(pool, unit, force=force)
    except ReplayError as exc:
        return UnitReplayed(table, error=str(exc), seconds=time.perf_counter() - started)
    finally:
        await pool.close()
    return UnitReplayed(
        table, result.position, result.rebuilt.rows, result.live == result.rebuilt, resumed,
        time.perf_counter() - started,
    )  # fmt: skip
