"""Peers in the same run: dlt against our Bolt orders ingest, the eventsourcing library
against our append and our projection rebuild (docs/SCALING.md, "Peers").

Everything runs on one embedded PostgreSQL (fsync on) and, for the ingest, one simulator
(fixed clock, unpaced) in a process of its own (``_sim_serve.py``), the same for both
sides: served from this process, its rendering of each page took a third of the
interpreter's time, shared by both sides alike, and squeezed the ratio towards 1.

- **Ingest**: 30 days of Bolt orders of a ``DRIVERS``-driver fleet, as our orders poll reads
  them on a first run (the window filtered on creation, then the last 7 days on price
  review). Ours: ``BoltPollers.orders`` (decoding, change detection, the calls and their
  bytes, cursors; a new tenant each round so every order is new). dlt: its ``rest_api``
  source sending the same requests, loaded by its ``postgres`` destination
  (``_peer_dlt.py``). A first poll, not measured, leaves the simulator's answers computed,
  so both sides pay the same (small) cost of being served; the phases alternate over
  ``ROUNDS`` rounds.
- **Append**: ``ES_DRIVERS`` drivers observed in ``ES_ROUNDS`` rounds (each round changes
  every record), pages of 500, page by page alternately: ours (``append_observations``, one
  transaction a page, change detection included) and the library's ``Application.save`` of
  the page's aggregates, with each of its two batch inserts (``_peer_es.py``). It runs first,
  so that both sides start from an empty store.
- **Projection**: our drivers rebuild (``fleet replay``'s path, as ``bench_rebuild.py``)
  over that log, against the library's ``ProjectionRunner`` applying the first
  ``PROJECTED`` events of its log to a drivers table (an event at a time with its tracking
  row, as its runner does; fewer events because it is slow, and all of them inserts, the
  cheaper kind, where our rebuild also updates).
"""

from __future__ import annotations

import asyncio
import gc
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import _peer_dlt
import _peer_es as es
import _sim_serve
import asyncpg
import httpx
from _harness import append_driver_page, driver_observations, embedded, report, scaled
from bench_ingest import DAY_S, DAYS, NOW, settings_for

from core.config import DatabaseSettings
from fleet.runtime import free_port
from ingest.bolt.client import BoltClient
from ingest.bolt.pollers import BoltPollers, BoltPollSettings
from ingest.bolt.setup import bolt_http
from ingest.bolt.windows import unix
from ingest.http import ProviderHttp
from projector.projections.drivers import DriversProjection
from projector.replay import TablePlan, build_indexes, prepare, rebuild
from simulator import FixedClock, SimulatorSettings

DRIVERS = scaled(1500)
ROUNDS = 2
ES_DRIVERS = scaled(25_000)
ES_ROUNDS = 4
PAGE = 500
PROJECTED = scaled(5_000)
REVIEW_S = 7 * DAY_S  # BoltPollSettings.review_s
HERE = Path(__file__).resolve().parent


async def _org(conn: asyncpg.Connection) -> uuid.UUID:
    slug = f"peers-{uuid.uuid4().hex[:8]}"
    org: uuid.UUID = await conn.fetchval(
        "INSERT INTO orgs (slug, name) VALUES ($1, $1) RETURNING org_id", slug
    )
    return org


# ---------------------------------------------------------------- ingest: ours and dlt


async def _ours(
    pool: asyncpg.Pool, org: uuid.UUID, url: str, sim: SimulatorSettings, clock: FixedClock
) -> tuple[int, int, float, list[int]]:
    """Our orders poll on a new tenant: (records, calls, seconds, company ids)."""
    _, bolt_settings = settings_for(url, sim)
    http = bolt_http(bolt_settings)
    client = BoltClient(ProviderHttp("bolt", http), bolt_settings.api_base)
    pollers = BoltPollers(pool, client, org, BoltPollSettings(backfill_s=DAYS * DAY_S), clock.now)
    try:
        await pollers.companies()  # discovered before the clock starts: dlt is told them
        companies = [int(r["account_id"]) for r in await pool.fetch(
            "SELECT account_id FROM provider_accounts WHERE org_id = $1", org)]  # fmt: skip
        started = time.perf_counter()
        result = await pollers.orders()
        elapsed = time.perf_counter() - started
    finally:
        await http.aclose()
    return result.records, result.calls, elapsed, sorted(companies)


@contextmanager
def simulator_process() -> Iterator[str]:
    """The simulator served by a process of its own (``_sim_serve.py``); its base URL."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, str(HERE / "_sim_serve.py"), str(port), str(DRIVERS)]
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.post(f"{url}/token", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(30)


async def ingest_part(db: DatabaseSettings, work: Path) -> dict[str, Any]:
    sim = _sim_serve.settings(DRIVERS)
    clock = FixedClock(NOW)
    end = unix(NOW)
    windows = {
        "orders_created": (end - DAYS * DAY_S, end),
        "orders_reviewed": (end - REVIEW_S, end),
    }
    pool = await asyncpg.create_pool(db.writer_url, min_size=1, max_size=4)
    owner = await asyncpg.connect(db.owner_url)
    ours: list[tuple[int, int, float]] = []
    theirs: list[tuple[int, float]] = []
    try:
        with simulator_process() as url:
            # A first poll, not measured, leaves the simulator's answers computed (it keeps
            # them per query), so both sides then measure their own work, not its day plans.
            await _ours(pool, await _org(owner), url, sim, clock)
            for round_ in range(ROUNDS):
                org = await _org(owner)
                records, calls, seconds, companies = await _ours(pool, org, url, sim, clock)
                ours.append((records, calls, seconds))
                client = (sim.bolt_client_id, sim.bolt_client_secret)
                dataset = f"dlt_orders_{round_}"
                loaded = await asyncio.to_thread(
                    _peer_dlt.load, work, db.owner_url, dataset, url, client, companies, windows
                )
                theirs.append(loaded)
    finally:
        await owner.close()
        await pool.close()
    ours_rps = [r / s for r, _, s in ours]
    dlt_rps = [r / s for r, s in theirs]
    return {
        "drivers": DRIVERS, "days": DAYS, "rounds": ROUNDS,
        "records": ours[0][0], "calls": ours[0][1], "dlt_rows": theirs[0][0],
        "ours_rps": statistics.median(ours_rps), "dlt_rps": statistics.median(dlt_rps),
        "ours_rounds_rps": ours_rps, "dlt_rounds_rps": dlt_rps,
    }  # fmt: skip


# ---------------------------------------------------------------- event store: eventsourcing


async def append_part(db: DatabaseSettings) -> dict[str, Any]:
    """Pages appended alternately by us and by the library's two batch inserts."""
    conn = await asyncpg.connect(db.owner_url)
    appenders = {
        "pipeline": es.Appender(es.env_of(db, db_functions=False), "es_pipeline"),
        "function": es.Appender(es.env_of(db, db_functions=True), "es_function"),
    }
    ours_s, events = 0.0, 0
    # The library's aggregates stay in memory (ES_DRIVERS of them, with their events): the
    # cycle collector's passes over them would land on whichever side allocated last.
    gc.disable()
    try:
        org = await _org(conn)
        for round_ in range(ES_ROUNDS):
            observations = driver_observations(ES_DRIVERS, round_)
            for i in range(0, len(observations), PAGE):
                page = observations[i : i + PAGE]
                decoded = es.decoded(page)
                started = time.perf_counter()
                await append_driver_page(conn, org, page)
                ours_s += time.perf_counter() - started
                for appender in appenders.values():
                    appender.append(page, decoded)
                events += len(page)
    finally:
        gc.enable()
        for appender in appenders.values():
            appender.close()
        await conn.close()
    return {
        "events": events, "page": PAGE, "ours_eps": events / ours_s,
        **{f"es_{name}_eps": events / a.seconds for name, a in appenders.items()},
    }  # fmt: skip


async def projection_part(db: DatabaseSettings, events: int) -> dict[str, Any]:
    """Our drivers rebuild over the whole log; the library's runner over its first events."""
    pool = await asyncpg.create_pool(db.owner_url, min_size=1, max_size=4)
    try:
        table = TablePlan("drivers", (DriversProjection(),))
        await prepare(pool, table)
        started = time.perf_counter()
        await rebuild(pool, table.rebuilders())
        await build_indexes(pool, table)
        ours_s = time.perf_counter() - started
    finally:
        await pool.close()
    env = es.env_of(db, db_functions=False)
    es_s = await asyncio.to_thread(es.project, env, "es_pipeline", PROJECTED)
    return {
        "ours_events": events, "ours_eps": events / ours_s,
        "es_events": PROJECTED, "es_eps": PROJECTED / es_s,
    }  # fmt: skip


# ---------------------------------------------------------------- the run


async def main() -> None:
    with tempfile.TemporaryDirectory(prefix="fleet-bench-dlt-") as work:
        async with embedded() as (_, db):
            # The event store first: both sides append into a store holding nothing yet (run
            # after the ingest, ours held its 560,000 Bolt orders and the library's table none).
            append = await append_part(db)
            projection = await projection_part(db, append["events"])
            ingest = await ingest_part(db, Path(work))
    best_es = max(append["es_pipeline_eps"], append["es_function_eps"])
    ratios = {
        "ingest": ingest["ours_rps"] / ingest["dlt_rps"],
        "append": append["ours_eps"] / best_es,
        "projection": projection["ours_eps"] / projection["es_eps"],
    }
    lines = [
        f"ingest, Bolt orders of {DRIVERS:,} drivers over {DAYS} days (created + 7 days of "
        f"price review), median of {ROUNDS} alternating rounds:",
        f"  ours: {ingest['records']:,} records, {ingest['calls']} calls kept with their bytes, "
        f"change detection: {ingest['ours_rps']:,.0f} records/s {ingest['ours_rounds_rps']}",
        f"  dlt rest_api → postgres: {ingest['dlt_rows']:,} rows: {ingest['dlt_rps']:,.0f} "
        f"records/s {ingest['dlt_rounds_rps']}  (ours {ratios['ingest']:.1f}×, goal ≥ 3×)",
        f"append, {append['events']:,} driver events in pages of {PAGE}, pages alternating:",
        f"  ours: {append['ours_eps']:,.0f} ev/s; eventsourcing Application.save: "
        f"{append['es_pipeline_eps']:,.0f} ev/s (executemany, pipeline), "
        f"{append['es_function_eps']:,.0f} ev/s (db function)  "
        f"(ours {ratios['append']:.1f}× its best, goal ≥ 3×)",
        f"projection: our drivers rebuild {projection['ours_eps']:,.0f} ev/s "
        f"({projection['ours_events']:,} events); eventsourcing ProjectionRunner "
        f"{projection['es_eps']:,.0f} ev/s ({projection['es_events']:,} events)  "
        f"(ours {ratios['projection']:.0f}×, goal ≥ 5×)",
    ]
    report("peers", lines, {"ingest": ingest, "append": append, "projection": projection,
                            "ratios": ratios})  # fmt: skip


if __name__ == "__main__":
    asyncio.run(main())
