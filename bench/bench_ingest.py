"""Ingest rate: 30 days of history of a 1,500-driver fleet from the simulator, over HTTP.

The simulator (both providers, fixed clock) serves on a uvicorn thread of this process. The
mix, printed with the figures: Uber drivers, vehicles, 30 days of daily metrics and the last
24 h of payments; Bolt drivers, 30 days of orders (created and price-review passes) and the
last day of state logs. Clients are unpaced (the simulator's rate limits are off).

Baseline, in the same run: a plain loop replaying exactly the requests the pollers sent
(recorded by an httpx hook) with the same authenticated httpx clients, taking the records
out of each page with ``json.loads`` and COPYing them into a scratch table, one COPY per
page. The difference is the price of the ingest path: decoding and validating each record,
change detection, the provider history, quarantine checks, cursors, a transaction per page.
Both pay the simulator's own time (its day plans and kept answers are dropped before each
phase).
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import asyncpg
import httpx
import uvicorn
from _harness import embedded, new_org, report, scaled
from starlette.applications import Starlette

from core.config import UBER_DEFAULT_SCOPES, BoltSettings, UberSettings
from fleet.runtime import free_port
from ingest.bolt.client import BoltClient
from ingest.bolt.pollers import BoltPollers, BoltPollSettings
from ingest.bolt.setup import bolt_http
from ingest.http import ProviderHttp
from ingest.main import uber_http
from ingest.pages import PollResult
from ingest.uber.client import UberClient
from ingest.uber.context import UberPollSettings
from ingest.uber.pollers import UberPollers
from simulator import FixedClock, SimulatorSettings, create_app
from simulator.state import SimState

DRIVERS = scaled(1500)
DAYS = 30
DAY_S = 86400
NOW = datetime(2025, 3, 10, 20, 0, tzinfo=UTC)
RECORD_KEYS = {
    "driverInformation", "vehicleInformation", "earnerPaymentBreakdowns", "rows", "organizations",
    "drivers", "vehicles", "orders", "state_logs", "companies",
}  # fmt: skip


@dataclass(frozen=True)
class Sent:
    provider: str
    method: str
    url: str
    content: bytes


class Recorder:
    """An httpx request hook keeping every API request (token calls aside)."""

    def __init__(self, provider: str) -> None:
        self.provider = provider
        self.sent: list[Sent] = []

    async def __call__(self, request: httpx.Request) -> None:
        if not request.url.path.endswith("token"):
            self.sent.append(Sent(self.provider, request.method, str(request.url), request.content))


@contextmanager
def simulator(app: Starlette) -> Iterator[str]:
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


def settings_for(url: str, sim: SimulatorSettings) -> tuple[UberSettings, BoltSettings]:
    uber = UberSettings(
        sim.uber_client_id, sim.uber_client_secret, f"{url}/oauth/v2/token", url,
        UBER_DEFAULT_SCOPES, simulated=True,
    )  # fmt: skip
    bolt = BoltSettings(
        sim.bolt_client_id, sim.bolt_client_secret, f"{url}/token",
        f"{url}/fleet-integration-gateway", None, rate_rps=1e6, rate_burst=10**6, simulated=True,
    )  # fmt: skip
    return uber, bolt


async def ingest(
    pool: asyncpg.Pool, org: UUID, url: str, sim: SimulatorSettings, clock: FixedClock
) -> tuple[dict[str, PollResult], list[Sent], float]:
    """Run the mix through the real pollers; return per-resource results and the requests."""
    uber_settings, bolt_settings = settings_for(url, sim)
    uber, bolt = uber_http(uber_settings), bolt_http(bolt_settings)
    recorders = [Recorder("uber"), Recorder("bolt")]
    uber.event_hooks["request"].append(recorders[0])
    bolt.event_hooks["request"].append(recorders[1])
    u = UberPollers(
        pool, UberClient(ProviderHttp("uber", uber), url), org, now=clock.now,
        settings=UberPollSettings(metrics_days=DAYS, metrics_max_catchup_days=DAYS),
    )  # fmt: skip
    client = BoltClient(ProviderHttp("bolt", bolt), bolt_settings.api_base)
    orders = BoltPollers(pool, client, org, BoltPollSettings(backfill_s=DAYS * DAY_S), clock.now)
    logs = BoltPollers(pool, client, org, BoltPollSettings(backfill_s=DAY_S), clock.now)
    mix = {
        "uber.organizations": u.organizations, "uber.drivers": u.drivers,
        "uber.vehicles": u.vehicles, "uber.daily_metrics": u.daily_metrics,
        "uber.payments": u.payments, "bolt.companies": orders.companies,
        "bolt.drivers": orders.drivers, "bolt.orders": orders.orders,
        "bolt.state_logs": logs.state_logs,
    }  # fmt: skip
    results: dict[str, PollResult] = {}
    started = time.perf_counter()
    try:
        for name, poll in mix.items():
            results[name] = await poll()
    finally:
        elapsed = time.perf_counter() - started
        await uber.aclose()
        await bolt.aclose()
    return results, recorders[0].sent + recorders[1].sent, elapsed


def records_of(body: Any) -> list[Any]:
    """Every record of a page: the items of its known record lists, at any depth."""
    found: list[Any] = []
    if isinstance(body, dict):
        for key, value in body.items():
            if key in RECORD_KEYS and isinstance(value, list):
                found += value
            else:
                found += records_of(value)
    elif isinstance(body, list):
        for value in body:
            found += records_of(value)
    return found


async def plain_loop(
    conn: asyncpg.Connection, url: str, sim: SimulatorSettings, sent: list[Sent]
) -> tuple[int, float]:
    """The same requests, parsed with json.loads and COPYed raw; return (records, seconds)."""
    await conn.execute("CREATE TABLE bench_ingest_scratch (kind text, record bytea)")
    uber_settings, bolt_settings = settings_for(url, sim)
    clients = {"uber": uber_http(uber_settings), "bolt": bolt_http(bolt_settings)}
    records = 0
    started = time.perf_counter()
    try:
        for request in sent:
            response = await clients[request.provider].request(
                request.method, request.url, content=request.content or None,
                headers={"Content-Type": "application/json"} if request.content else None,
            )  # fmt: skip
            response.raise_for_status()
            rows = [(request.provider, json.dumps(r).encode()) for r in records_of(response.json())]
            if rows:
                await conn.copy_records_to_table("bench_ingest_scratch", records=rows)
            records += len(rows)
    finally:
        elapsed = time.perf_counter() - started
        for client in clients.values():
            await client.aclose()
    return records, elapsed


async def main() -> None:
    sim = SimulatorSettings(seed=5, uber_drivers=DRIVERS, bolt_drivers=DRIVERS)
    clock = FixedClock(NOW)
    async with embedded() as (_, db):
        pool = await asyncpg.create_pool(db.writer_url, min_size=1, max_size=4)
        owner = await asyncpg.connect(db.owner_url)
        try:
            app = create_app(sim, clock)
            state: SimState = app.state.sim
            with simulator(app) as url:
                org = await new_org(owner)
                state.drop_caches()  # both phases start with the simulator's caches cold
                results, sent, ingest_s = await ingest(pool, org, url, sim, clock)
                state.drop_caches()
                plain_records, plain_s = await plain_loop(owner, url, sim, sent)
        finally:
            await owner.close()
            await pool.close()
    summarise(results, sent, ingest_s, plain_records, plain_s)


def summarise(
    results: dict[str, PollResult], sent: list[Sent], ingest_s: float, plain_records: int,
    plain_s: float,
) -> None:  # fmt: skip
    records = sum(r.records for r in results.values())
    calls = sum(r.calls for r in results.values())
    by_endpoint = Counter(httpx.URL(s.url).path.rsplit("/", 1)[-1] for s in sent)
    ingest_rps, plain_rps = records / ingest_s, plain_records / plain_s
    lines = [
        f"ingest: {DRIVERS:,} drivers per provider, {DAYS} days, mix (records / calls):",
        *(f"  {name:<20} {r.records:>9,} / {r.calls:>5,}" for name, r in results.items()),
        f"  total: {records:,} records, {calls:,} provider calls stored "
        f"({len(sent):,} API requests sent) in {ingest_s:.1f} s: {ingest_rps:,.0f} records/s",
        f"  baseline, plain httpx loop + COPY of the same {len(sent):,} requests: "
        f"{plain_records:,} records in {plain_s:.1f} s: {plain_rps:,.0f} records/s "
        f"(ingest at {ingest_rps / plain_rps:.2f}x of it)",
        f"  requests by endpoint: {dict(by_endpoint.most_common())}",
    ]
    report(
        "ingest",
        lines,
        {
            "drivers": DRIVERS, "days": DAYS, "records": records, "calls": calls,
            "requests": len(sent), "ingest_s": ingest_s, "ingest_rps": ingest_rps,
            "plain_records": plain_records, "plain_s": plain_s, "plain_rps": plain_rps,
            "ratio": ingest_rps / plain_rps,
            "mix": {name: {"records": r.records, "calls": r.calls} for name, r in results.items()},
        },
    )  # fmt: skip


if __name__ == "__main__":
    asyncio.run(main())
