"""The full replay of the year: ``fleet replay --jobs N --force``'s own functions, timed.

The live checkpoints are set at the log's head first, as a projector that had kept up would
have them: the swap then brings nothing up to date in its transaction. The live tables are
empty (nothing projected them during the load), so every swap is forced.

Baseline per unit, measured before the replay in the same run: the same events read with
the rebuild's own query (``read_types_after``, batches of ``REBUILD_BATCH``) into envelopes,
and nothing else, with the cycle collector paused as the rebuild pauses it: the ceiling of
a rebuild of that unit on one core. (With it running, it walked each batch's 600,000
objects again and again: 7 days of statuses read at 108,000 ev/s instead of 158,000.)
"""

from __future__ import annotations

import os
import time
from typing import Any

import asyncpg
from _harness import read_as_rebuild

from core.config import DatabaseSettings
from eventlog.store import head_position
from projector.parallel_replay import largest_first, replay_units
from projector.projections import all_projections
from projector.replay import TablePlan, plan

JOBS = int(os.environ.get("BENCH_YEAR_JOBS", str(min(os.cpu_count() or 1, 2))))


def _types(unit: TablePlan) -> list[str]:
    return sorted({t for p in unit.projections for t in p.event_types})


async def replay_all(db: DatabaseSettings) -> dict[str, Any]:
    """Replay every unit in ``JOBS`` processes; per unit its events, time and read baseline."""
    units = plan(all_projections())
    conn = await asyncpg.connect(db.owner_url)
    try:
        head = await head_position(conn)
        await conn.execute(
            "INSERT INTO projection_checkpoints (name, position) SELECT unnest($1::text[]), $2 "
            "ON CONFLICT (name) DO UPDATE SET position = excluded.position",
            [p.name for p in all_projections()], head,
        )  # fmt: skip
        reads = {u.table: await read_as_rebuild(conn, _types(u), head) for u in units}
    finally:
        await conn.close()
    started = time.perf_counter()
    ordered = await largest_first(db, units)
    done = list(replay_units(db, ordered, jobs=JOBS, force=True, fresh=True))
    total_s = time.perf_counter() - started
    out: dict[str, Any] = {"jobs": JOBS, "total_s": total_s, "head": head, "units": {}}
    for unit in done:
        events, read_s = reads[unit.table]
        out["units"][unit.table] = {
            "events": events, "seconds": unit.seconds, "rows": unit.rows, "error": unit.error,
            "eps": events / unit.seconds if unit.seconds else None,
            "read_eps": events / read_s if read_s else None,
        }  # fmt: skip
    out["events"] = sum(u["events"] for u in out["units"].values())
    out["read_s"] = sum(s for _, s in reads.values())
    return out
