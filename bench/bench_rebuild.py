"""Projection rebuild rate (``fleet replay``'s path), beside the raw read rate of the log.

The log holds ``EVENTS`` driver observations: ``DRIVERS`` drivers observed in successive
rounds, each round changing every phone number, so a rebuild inserts then updates. Baseline:
the same events read with a server-side cursor and nothing else, the ceiling of a rebuild.
The rebuild's time includes building the indexes ``prepare`` leaves out until after the load
(``build_indexes``): the table is not usable without them.
"""

from __future__ import annotations

import asyncio
import time

import asyncpg
from _harness import append_driver_page, driver_observations, embedded, new_org, report, scaled

from projector.projections.drivers import DriversProjection
from projector.replay import REBUILD_BATCH, TablePlan, build_indexes, prepare, rebuild, swap

EVENTS = scaled(100_000)
DRIVERS = max(EVENTS // 4, 1)


async def _load(conn: asyncpg.Connection) -> int:
    org = await new_org(conn)
    rounds = (EVENTS + DRIVERS - 1) // DRIVERS
    for round_ in range(rounds):
        obs = driver_observations(min(DRIVERS, EVENTS - round_ * DRIVERS), round_)
        for i in range(0, len(obs), 1000):
            await append_driver_page(conn, org, obs[i : i + 1000])
    return int(await conn.fetchval("SELECT count(*) FROM event_log"))


async def _cursor_read(conn: asyncpg.Connection) -> float:
    started = time.perf_counter()
    count = 0
    async with conn.transaction():
        async for _ in conn.cursor(
            "SELECT position, event_id, event_type, schema_version, provider, org_id, "
            "account_id, entity_id, observed_at, recorded_at, fetch_id, record "
            "FROM event_log ORDER BY position",
            prefetch=1000,
        ):
            count += 1
    return time.perf_counter() - started


async def main() -> None:
    async with embedded() as (_, db):
        conn = await asyncpg.connect(db.owner_url)
        pool = await asyncpg.create_pool(db.owner_url, min_size=1, max_size=4)
        assert pool is not None
        try:
            events = await _load(conn)
            read_s = await _cursor_read(conn)
            table = TablePlan("drivers", (DriversProjection(),))
            await prepare(pool, table)
            started = time.perf_counter()
            await rebuild(pool, table.rebuilders())  # fleet replay's batches
            await build_indexes(pool, table)  # the secondary indexes, left out until now
            rebuild_s = time.perf_counter() - started
            started = time.perf_counter()
            await swap(pool, table, force=True)  # the live table was never projected here
            swap_s = time.perf_counter() - started
        finally:
            await pool.close()
            await conn.close()
    rebuild_eps, read_eps = events / rebuild_s, events / read_s
    report(
        "rebuild",
        [
            f"drivers rebuild: {events:,} events ({DRIVERS:,} drivers, batches of "
            f"{REBUILD_BATCH:,}, secondary indexes built after): {rebuild_eps:,.0f} ev/s",
            f"  baseline, raw cursor read of the same events: {read_eps:,.0f} ev/s "
            f"(rebuild at {rebuild_eps / read_eps:.0%} of it)",
            f"  check + swap (live table empty, so a full catch-up of it): {swap_s:.2f} s",
        ],
        {
            "events": events,
            "drivers": DRIVERS,
            "batch": REBUILD_BATCH,
            "rebuild_eps": rebuild_eps,
            "cursor_read_eps": read_eps,
            "swap_s": swap_s,
        },
    )


if __name__ == "__main__":
    asyncio.run(main())
