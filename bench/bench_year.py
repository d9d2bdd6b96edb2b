"""A year of a 1,500-driver fleet on Uber and Bolt: the log, its size, a full replay, the
dashboard's heavy reads (issue 19).

1. **Load.** A year (2025) of the simulator's fleet (``_year_world.py``: its rosters, day
   plans and renderers; 1,500 drivers per platform, 40 % of the people on both) polled
   hourly, each page decoded by ingest's code and stored as ingest stores it (provider
   call and body, then ``append_observations``), with the managers' decisions
   (``_year_people.py``: onboarding, weekly approvals and payments, lines, renames) through
   the decisions path. Baseline, in the same run: a binary COPY of the same rows, page by
   page, into a table shaped like the log (``_year_load.py``).
2. **Disk.** Every table's size, per year and per event, and TOAST compression (pglz, lz4)
   of the bodies and records (``_year_disk.py``).
3. **Replay.** ``fleet replay --jobs 2 --force`` of every table (the product's command), the
   live checkpoints set at the head first as if a projector had kept up (the tables are
   empty: forced swaps). Per unit: events of its types per second; baseline: the same
   events read with the rebuild's own query and nothing else.
4. **Reads.** Through the real API (``bench_api.py``'s server, one uvicorn worker) at 8
   concurrent users: the fleet overview for a month, a person's year, a week's settlements
   list, the audit list of an entity; p99 against 150 ms, beside the same requests from one
   user; and the SQL's EXPLAIN (ANALYZE, BUFFERS) (``_year_reads.py``).

``BENCH_YEAR_SCALE`` (default 1) scales the year: the first ``365 × scale`` days of it, the
fleet whole (the pages, transactions and rates are those of a 1,500-driver fleet at any
scale; per-year figures are scaled up by ``1 / scale``): ``BENCH_YEAR_SCALE=0.02`` (7 days,
~330,000 events) runs in about a minute. ``BENCH_YEAR_DRIVERS`` (default 1500) sets the
fleet, ``BENCH_YEAR_WORKERS`` (default 2) the processes building the days, ``BENCH_YEAR_JOBS``
(default 2) the replay's jobs, ``BENCH_YEAR_SECONDS`` (default 10) the measuring time of
each read. None of them is an app setting.

``BENCH_YEAR_KEEP=<folder>`` keeps the bench's database in that folder: the first run loads
the year there as usual and saves what the later steps need (``year_kept.pickle``); a later
run with the same folder and scale skips the load and the disk figures (the migrations
still run, so new tables appear), replays, and measures the reads. ``BENCH_YEAR_REPLAY=0``
then skips the replay too (the read tables as the last replay left them): to iterate on a
query. Delete the folder to start over. ``BENCH_YEAR_READS`` (comma-separated workload
names, e.g. ``overview_month,person_year``) measures only those reads. ``bench/year_replay.py
<folder>`` runs the replay alone on a kept database, and prints each unit's figures.
Writes ``bench/out/year.json`` and ``bench/out/year_plans.txt``.
"""

from __future__ import annotations

import asyncio
import json
import os
import pickle
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg
from _harness import OUT, embedded, new_org, report
from _year_disk import READ_TABLES, TABLES, compression, database_size, sizes
from _year_load import Loader, Tally
from _year_people import Managers
from _year_reads import measure_reads
from _year_replay import replay_all
from _year_world import YEAR_DAYS, RawPage, YearWorld, year_pages

from core.config import DatabaseSettings

SCALE = float(os.environ.get("BENCH_YEAR_SCALE", "1"))
DAYS = max(round(YEAR_DAYS * SCALE), 1)
DRIVERS = int(os.environ.get("BENCH_YEAR_DRIVERS", "1500"))
WORKERS = int(os.environ.get("BENCH_YEAR_WORKERS", "2"))
KEEP = Path(os.environ["BENCH_YEAR_KEEP"]).absolute() if os.environ.get("BENCH_YEAR_KEEP") else None
REPLAY = os.environ.get("BENCH_YEAR_REPLAY", "1") != "0"
KEPT = "year_kept.pickle"
GOAL_REPLAY_S = 300.0
GOAL_P99_MS = 150.0


async def _accounts(world: YearWorld) -> dict[str, str]:
    return {"uber": world.uber.orgs()[0].org_id,
            "bolt": str(world.bolt.companies()[0].company_id)}  # fmt: skip


async def load(conn: asyncpg.Connection, org: UUID) -> tuple[Loader, Managers, float]:
    """The year, appended; the loader (its tally), the managers and the seconds it took."""
    world = YearWorld(DRIVERS, DAYS)
    loader = Loader(conn, org, await _accounts(world))
    await loader.create_scratch()
    managers = Managers(org, world.uber_drivers, world.bolt_drivers)
    started = time.perf_counter()
    uber, bolt = world.rosters()
    for page in uber:
        await loader.page(page)
    await loader.decide(managers.onboard_uber(), uber[0].at)
    for page in bolt:
        await loader.page(page)
    await loader.decide(managers.onboard_bolt(), bolt[0].at + 60)
    hour = uber[0].at
    for day in year_pages(DRIVERS, DAYS, WORKERS):
        for page in day:
            hour = await _decisions_until(loader, managers, hour, page.at)
            managers.counted(page.money, await _stored(loader, page))
        if loader.tally.pages and day:
            print(f"  {loader.tally.appended:,} events, {time.gmtime(day[-1].at).tm_yday} days",
                  end="\r", flush=True)  # fmt: skip
    print()
    return loader, managers, time.perf_counter() - started


async def _stored(loader: Loader, page: RawPage) -> list[int]:
    positions = await loader.page(page)
    return positions if len(positions) == len(page.records) else [0] * len(page.records)


async def _decisions_until(loader: Loader, managers: Managers, hour: int, until: int) -> int:
    """The managers' decisions of every hour from ``hour`` up to ``until``."""
    while hour + 3600 <= until:
        hour += 3600
        await loader.decide(managers.due(hour, loader.head), hour)
    return hour


def _per(total: int, events: int) -> float:
    return total / events if events else 0.0


async def disk(conn: asyncpg.Connection, events: int) -> dict[str, Any]:
    """Sizes after a VACUUM ANALYZE, then the compression trial (the scratch table dropped)."""
    await conn.execute("VACUUM ANALYZE")
    found = await sizes(conn, TABLES)
    whole = await database_size(conn)
    await conn.execute("DROP TABLE bench_scratch")
    trial = await compression(conn, sample=min(events, 500_000))
    return {"tables": found, "database": whole, "database_less_scratch": whole - found.get(
        "bench_scratch", {}).get("total", 0), "compression": trial}  # fmt: skip


async def _read_tables(db: DatabaseSettings) -> dict[str, dict[str, int]]:
    """The read tables' sizes once the replay has filled them."""
    conn = await asyncpg.connect(db.owner_url)
    try:
        await conn.execute("VACUUM ANALYZE")
        return await sizes(conn, READ_TABLES)
    finally:
        await conn.close()


@dataclass
class Year:
    """What the reads and the summary need of a loaded year (kept with ``BENCH_YEAR_KEEP``)."""

    days: int
    org: UUID
    tally: Tally
    load_s: float
    managers: Managers
    found: dict[str, Any]
    replayed: dict[str, Any] = field(default_factory=dict)


async def _load_year(db: DatabaseSettings) -> Year:
    conn = await asyncpg.connect(db.owner_url)
    try:
        org = await new_org(conn)
        loader, managers, load_s = await load(conn, org)
        found = await disk(conn, loader.tally.appended + loader.tally.decisions)
    finally:
        await conn.close()
    return Year(DAYS, org, loader.tally, load_s, managers, found)


def _kept(keep: Path | None) -> Year | None:
    """The year kept in ``keep`` by an earlier run of the same scale, if any."""
    if keep is None or not (keep / KEPT).exists():
        return None
    year: Year = pickle.loads((keep / KEPT).read_bytes())  # noqa: S301 (written by this bench)
    if year.days != DAYS:
        raise SystemExit(f"{keep} holds {year.days} days, not {DAYS}: delete it or change scale")
    return year


async def main() -> None:
    keep = KEEP
    async with embedded(keep=keep) as (_, db):
        year = _kept(keep)
        fresh = year is None
        if year is None:
            year = await _load_year(db)
        if fresh or REPLAY:
            year.replayed = await replay_all(db)
            year.found["read_tables"] = await _read_tables(db)
        if keep is not None:
            (keep / KEPT).write_bytes(pickle.dumps(year))
        partial = {"replay": year.replayed, "disk": year.found, "tally": vars(year.tally)}
        OUT.mkdir(exist_ok=True)
        (OUT / "year_partial.json").write_text(json.dumps(partial, default=str))
        reads = await measure_reads(db, year.org, year.managers, DAYS)
    summarise(year.tally, year.load_s, year.found, year.replayed, reads)


def summarise(tally: Tally, load_s: float, found: dict[str, Any], replayed: dict[str, Any],
              reads: dict[str, Any]) -> None:  # fmt: skip
    from _year_summary import lines_and_figures

    lines, figures = lines_and_figures(DRIVERS, DAYS, SCALE, tally, load_s, found, replayed, reads)
    report("year", lines, figures)


if __name__ == "__main__":
    asyncio.run(main())
