"""Mixed API reads at the highest rate the machine sustains, while ingestion runs.

The API is `fleet api` in a process of its own on loopback (uvicorn, one worker), the
ingest, relay and projector processes poll the simulator every second, and ~32 concurrent
httpx workers read drivers (list, search, detail), Uber metrics, Bolt trips and earnings.
``LOAD_SECONDS`` (default 60) sets the duration, ``LOAD_WORKERS`` (32) the concurrency.
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from collections import Counter, defaultdict
from pathlib import Path

import asyncpg
import httpx
import pytest

from core.config import DatabaseSettings
from fleet.accounts import create_user
from fleet.runtime import EmbeddedNats, free_port
from simulator import SimulatorSettings
from tests.apiproc import running_api
from tests.fault.checks import wait_for_drivers
from tests.fault.stack import ORG_SLUG, Sim, running_workers, serve_sim, worker_env

pytestmark = pytest.mark.load

SECONDS = float(os.environ.get("LOAD_SECONDS", "60"))
WORKERS = int(os.environ.get("LOAD_WORKERS", "32"))
PASSWORD = "load-test-password-long-enough"
EVERY_SECOND = {
    name: "1"
    for name in (
        "UBER_DRIVERS_INTERVAL_S",
        "UBER_VEHICLES_INTERVAL_S",
        "UBER_DRIVER_STATUS_INTERVAL_S",
        "UBER_DAILY_METRICS_INTERVAL_S",
        "UBER_PAYMENTS_INTERVAL_S",
        "BOLT_DRIVERS_INTERVAL_S",
        "BOLT_VEHICLES_INTERVAL_S",
        "BOLT_ORDERS_INTERVAL_S",
        "BOLT_STATE_LOGS_INTERVAL_S",
    )
}


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(share * len(ordered)), len(ordered) - 1)] if ordered else float("nan")


def _requests(uber: list[str], bolt: list[str]) -> list[tuple[str, str, dict[str, str]]]:
    """(route, path, params) of the mix, one entry per unit of weight."""
    u, b = random.choice(uber), random.choice(bolt)
    return [
        ("GET /fleet/drivers", "/fleet/drivers", {"limit": "50"}),
        ("GET /fleet/drivers?q=", "/fleet/drivers", {"q": random.choice("aeiou"), "limit": "20"}),
        ("GET /bolt/drivers", "/bolt/drivers", {"limit": "50"}),
        ("GET /fleet/drivers/{id}", f"/fleet/drivers/{u}", {}),
        ("GET /bolt/drivers/{id}", f"/bolt/drivers/{b}", {}),
        ("GET /fleet/drivers/{id}/metrics", f"/fleet/drivers/{u}/metrics", {}),
        ("GET /bolt/drivers/{id}/trips", f"/bolt/drivers/{b}/trips", {"limit": "50"}),
        ("GET /bolt/drivers/{id}/earnings", f"/bolt/drivers/{b}/earnings", {}),
    ]


async def _reader(
    client: httpx.AsyncClient,
    ids: tuple[list[str], list[str]],
    until: float,
    times: dict[str, list[float]],
    statuses: Counter[tuple[str, int]],
) -> None:
    while time.monotonic() < until:
        route, path, params = random.choice(_requests(*ids))
        started = time.perf_counter()
        response = await client.get(path, params=params)
        times[route].append((time.perf_counter() - started) * 1000)
        statuses[(route, response.status_code)] += 1


async def _churn(sim: Sim, until: float) -> None:
    """Change two drivers of each provider every second, so that polls append."""
    while time.monotonic() < until:
        for provider in ("uber", "bolt"):
            await asyncio.to_thread(
                sim.server.control, f"/_sim/{provider}/drivers/mutate", {"count": 2}
            )
        await asyncio.sleep(1)


async def _ids(db: DatabaseSettings) -> tuple[list[str], list[str]]:
    conn = await asyncpg.connect(db.owner_url)
    try:
        rows = await conn.fetch("SELECT provider, driver_id FROM drivers")
    finally:
        await conn.close()
    return (
        [r["driver_id"] for r in rows if r["provider"] == "uber"],
        [r["driver_id"] for r in rows if r["provider"] == "bolt"],
    )


async def _login(url: str, db: DatabaseSettings) -> dict[str, str]:
    conn = await asyncpg.connect(db.owner_url)
    try:
        await create_user(
            conn, email="load@example.test", password=PASSWORD, org=ORG_SLUG, role="viewer"
        )
    finally:
        await conn.close()
    async with httpx.AsyncClient(base_url=url) as client:
        answer = await client.post(
            "/auth/login", json={"email": "load@example.test", "password": PASSWORD}
        )
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


async def test_mixed_reads_at_full_rate_during_ingestion_never_answer_5xx(
    fault_db: DatabaseSettings, own_nats: EmbeddedNats, tmp_path: Path
) -> None:
    settings = SimulatorSettings(seed=3, uber_drivers=40, bolt_drivers=40)
    with serve_sim(settings) as sim:
        env = worker_env(fault_db, own_nats.url, sim.server, tmp_path / "state")
        env.update(EVERY_SECOND)
        api_env = {**env, "FLEET_API_PORT": str(free_port()), "JWT_SECRET": "load-" + "s" * 40}
        with (
            running_workers(env, tmp_path / "logs") as workers,
            running_api(api_env, tmp_path / "api.log") as api,
        ):
            workers.start_all()
            url = api.url
            await wait_for_drivers(fault_db.owner_url, sim.served_drivers(), 60)
            headers = await _login(url, fault_db)
            ids = await _ids(fault_db)
            head_before = await _head(fault_db)
            times: dict[str, list[float]] = defaultdict(list)
            statuses: Counter[tuple[str, int]] = Counter()
            limits = httpx.Limits(max_connections=WORKERS, max_keepalive_connections=WORKERS)
            async with httpx.AsyncClient(
                base_url=url, headers=headers, timeout=30, limits=limits
            ) as client:
                started = time.monotonic()
                until = started + SECONDS
                calls_before = sim.server.control("/_sim/stats")["total_calls"]
                await asyncio.gather(
                    _churn(sim, until),
                    *(_reader(client, ids, until, times, statuses) for _ in range(WORKERS)),
                )
                calls = sim.server.control("/_sim/stats")["total_calls"] - calls_before
                elapsed = time.monotonic() - started
            head_after = await _head(fault_db)
            alive = workers.dead() == [] and api.alive()

    total = sum(statuses.values())
    errors = {k: n for k, n in statuses.items() if k[1] >= 500}
    print(f"\n[load] injected: {WORKERS} concurrent readers for {elapsed:.0f}s against `fleet api`")
    print("       (one uvicorn worker) while ingest, relay and projector polled every second")
    print(f"  {total} requests, {total / elapsed:.0f} req/s; meanwhile ingest made {calls}")
    print(f"  provider calls, the log grew {head_before} → {head_after} (2 drivers changed/s)")
    for route, values in sorted(times.items()):
        codes = {c: n for (r, c), n in statuses.items() if r == route}
        print(
            f"  {route:34s} {len(values):6d}  p50 {_percentile(values, 0.5):6.1f} ms"
            f"  p99 {_percentile(values, 0.99):6.1f} ms  {codes}"
        )
    assert errors == {}, errors
    assert alive, "a process died under load"
    assert head_after > head_before, "ingestion did not run during the load"
    print("  verified: no 5xx; ingestion appended throughout; every process alive")


async def _head(db: DatabaseSettings) -> int:
    conn = await asyncpg.connect(db.owner_url)
    try:
        return int(await conn.fetchval("SELECT coalesce(max(position), 0) FROM event_log"))
    finally:
        await conn.close()
