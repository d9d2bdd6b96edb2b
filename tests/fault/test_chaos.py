"""Provider chaos at high rates: every fault the simulator has, armed at once, for a full sync
of both providers; the read models must equal those of a clean run on the same seed."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import asyncpg
import httpx
import pytest

from core.config import DatabaseSettings
from ingest.schedule import Poll
from projector.projections import all_projections
from projector.runner import ProjectionRunner
from simulator import FixedClock, SimulatorSettings
from tests.fault.checks import READ_TABLES
from tests.fault.test_provider_down import _jobs
from tests.simserver import SimServer, serve_simulator

pytestmark = pytest.mark.fault

NOW = datetime(2025, 3, 10, 20, 0, 7, tzinfo=UTC)
SEED = 23
CHAOS_ROUNDS = 3
# Every fault at once; counters re-armed each round, delay and extra fields always on.
# With malformed records, a Bolt order quarantined in an old window is lost (see below).
CHAOS: dict[str, Any] = {
    "fail_next": 4,
    "status": 503,
    "retry_after": 0,
    "malformed_next": 3,
    "truncated_next": 3,
    "token_fail_next": 2,
    "delay_ms": 5,
    "extra_fields": True,
}
COUNTERS = ("fail_next", "malformed_next", "truncated_next", "transient_next", "token_fail_next")
# Which tenant, which log position, and when it was observed: not what the rows say.
NOT_CONTENT = ("org_id", "last_position", "position", "updated_at", "first_seen_at")


async def _sync(
    pool: asyncpg.Pool, sim: SimServer, org_id: UUID, chaos: dict[str, Any] | None
) -> int:
    """Full syncs of both providers: with ``chaos``, CHAOS_ROUNDS of them with every fault
    re-armed (and tokens expired, so token calls fail too), then until no fault is left
    armed, then one more. A failed poll is retried (the scheduler's retry); return how many
    poll runs failed."""
    https: list[httpx.AsyncClient] = []
    failed, round_ = 0, 0
    try:
        jobs = _jobs(pool, sim, org_id, FixedClock(NOW), https)
        while True:
            if chaos and round_ < CHAOS_ROUNDS:
                sim.chaos("uber", **chaos)
                sim.chaos("bolt", **chaos, transient_next=3)
            armed_at_start = _armed(sim)
            for name, poll in jobs.items():
                if chaos and round_ < CHAOS_ROUNDS and name.endswith("drivers"):
                    sim.control(f"/_sim/{name.split('.')[0]}/tokens/expire", {})
                failed += await _until_it_succeeds(name, poll)
            round_ += 1
            if not chaos or (round_ > CHAOS_ROUNDS and armed_at_start == 0):
                return failed
    finally:
        for http in https:
            await http.aclose()


async def _until_it_succeeds(name: str, poll: Poll) -> int:
    for attempt in range(20):
        try:
            await poll()
            return attempt
        except Exception:  # noqa: S112 (a provider fault: the poll is retried)
            continue
    raise AssertionError(f"{name} never succeeded under chaos")


def _armed(sim: SimServer) -> int:
    faults = sim.control("/_sim/chaos")
    return sum(int(faults[p][c]) for p in ("uber", "bolt") for c in COUNTERS)


async def _read_models(pool: asyncpg.Pool, org_id: UUID) -> dict[str, list[str]]:
    drop = " - ".join(f"'{c}'" for c in NOT_CONTENT)
    found = {}
    for table in READ_TABLES:
        rows = await pool.fetch(
            f"SELECT (to_jsonb(t) - {drop})::text AS r FROM {table} t WHERE org_id = $1",  # noqa: S608
            org_id,
        )
        found[table] = sorted(json.dumps(json.loads(r["r"]), sort_keys=True) for r in rows)
    return found


@pytest.mark.parametrize(
    "faults",
    [
        pytest.param(CHAOS, id="every-fault"),
        pytest.param({**CHAOS, "malformed_next": 0}, id="every-fault-but-malformed-records"),
    ],
)
async def test_every_chaos_fault_at_once_leaves_the_read_models_of_a_clean_run(
    fault_db: DatabaseSettings, faults: dict[str, Any]
) -> None:
    pool = await asyncpg.create_pool(fault_db.owner_url, min_size=1, max_size=6)
    assert pool is not None
    settings = SimulatorSettings(seed=SEED, uber_drivers=10, bolt_drivers=10)
    try:
        clean, chaotic = [
            await pool.fetchval(
                "INSERT INTO orgs (slug, name) VALUES ($1, $1) RETURNING org_id", slug
            )
            for slug in ("clean", "chaos")
        ]
        with serve_simulator(settings, FixedClock(NOW)) as sim:
            await _sync(pool, sim, clean, None)
        with serve_simulator(settings, FixedClock(NOW)) as sim:
            failed = await _sync(pool, sim, chaotic, faults)
            left = _armed(sim)
            stats = sim.control("/_sim/stats")
        quarantined = await pool.fetchval(
            "SELECT count(*) FROM quarantine WHERE org_id = $1", chaotic
        )
        for projection in all_projections():
            await ProjectionRunner(pool, None, projection, batch_size=1000).catch_up()
        expected, found = await _read_models(pool, clean), await _read_models(pool, chaotic)
    finally:
        await pool.close()

    errors = sum(
        n for route in stats["calls"].values() for code, n in route.items() if code >= "400"
    )
    print("\n[fault] injected: every chaos fault at once on both providers, re-armed for")
    print(f"        {CHAOS_ROUNDS} full syncs: {faults}, Bolt transient_next 3;")
    print(f"        {stats['total_calls']} calls, {errors} answered 4xx/5xx, {failed} poll runs")
    print(f"        failed and were retried, {quarantined} records quarantined")
    assert left == 0, "chaos counters not exhausted: the last sync was not clean"
    differing = {
        t: (
            sorted(set(expected[t]) - set(found[t]))[:2],
            sorted(set(found[t]) - set(expected[t]))[:2],
        )
        for t in READ_TABLES
        if expected[t] != found[t]
    }
    assert not differing, differing
    sizes = ", ".join(f"{t} {len(rows)}" for t, rows in expected.items() if rows)
    print(f"  verified: read models == the clean run with seed {SEED} ({sizes})")
    print(f"            (compared without {', '.join(NOT_CONTENT)})")
