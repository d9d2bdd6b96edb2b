"""A provider down for hours: the catch-up keeps to each provider's windows, loses nothing.

The simulator runs on a fixed clock that the (in-process) pollers read too; ``POST
/_sim/clock {"advance_s": …}`` moves it 20 hours while both providers answer 503.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta
from uuid import UUID

import asyncpg
import httpx
import pytest

from contracts import resources
from core.config import UBER_DEFAULT_SCOPES
from ingest.bolt.client import BoltClient
from ingest.bolt.pollers import BoltPollers
from ingest.bolt.setup import bolt_http, bolt_jobs
from ingest.http import ProviderHttp, RetryPolicy
from ingest.main import uber_http
from ingest.schedule import Poll
from ingest.uber.client import UberClient
from ingest.uber.pollers import UberPollers
from ingest.uber.setup import uber_jobs
from ingest.uber.windows import epoch_ms
from simulator import FixedClock, SimulatorSettings
from tests.fault.payments import (
    HOUR,
    bucket_floor,
    logged_payments,
    missing_or_different,
    payments_cursor,
    provider_payments,
)
from tests.simserver import SimServer, serve_simulator

pytestmark = pytest.mark.fault

NOW = datetime(2025, 3, 10, 20, 0, 7, tzinfo=UTC)
DOWN = timedelta(hours=20)
# The windowed Uber resources and the listings; Uber reports (being written) are left out.
UBER_RESOURCES = tuple(r for r in resources.UBER_RESOURCES if r != "reports")


async def _no_sleep(_: float) -> None:
    """Retries back off in simulated time only."""


def _jobs(
    pool: asyncpg.Pool,
    sim: SimServer,
    org_id: UUID,
    clock: FixedClock,
    https: list[httpx.AsyncClient],
) -> dict[str, Poll]:
    """Every poll of both providers, on the simulator's clock, unpaced, quick retries."""
    uber = uber_http(dataclasses.replace(sim.uber_settings(), scopes=UBER_DEFAULT_SCOPES))
    bolt = bolt_http(sim.bolt_settings())
    https += [uber, bolt]
    retry = RetryPolicy(attempts=3, base_s=0.01)
    uber_client = UberClient(ProviderHttp("uber", uber, retry=retry, sleep=_no_sleep), sim.url)
    bolt_client = BoltClient(
        ProviderHttp("bolt", bolt, retry=retry, sleep=_no_sleep), sim.bolt_settings().api_base
    )
    uber_polls = uber_jobs(UberPollers(pool, uber_client, org_id, now=clock.now))
    bolt_polls = bolt_jobs(BoltPollers(pool, bolt_client, org_id, now=clock.now))
    return {
        **{f"uber.{n}": p for n, p in uber_polls.items() if n in UBER_RESOURCES},
        **{f"bolt.{n}": p for n, p in bolt_polls.items()},
    }


async def _cursors(pool: asyncpg.Pool, org_id: UUID) -> dict[tuple[str, str, str], str]:
    rows = await pool.fetch(
        "SELECT provider, resource, account_id, cursor::text AS c FROM poll_cursors "
        "WHERE org_id = $1",
        org_id,
    )
    return {(r["provider"], r["resource"], r["account_id"]): r["c"] for r in rows}


async def _calls_since(pool: asyncpg.Pool, org_id: UUID, after: int) -> list[asyncpg.Record]:
    """The provider calls recorded for the tenant after fetch ``after``."""
    rows: list[asyncpg.Record] = await pool.fetch(
        "SELECT endpoint, params::text AS params, status FROM provider_fetches "
        "WHERE org_id = $1 AND fetch_id > $2",
        org_id,
        after,
    )
    return rows


async def test_a_20_hour_provider_outage_is_caught_up_within_windows_and_loses_no_payment(
    writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    clock = FixedClock(NOW)
    https: list[httpx.AsyncClient] = []
    settings = SimulatorSettings(seed=7, uber_drivers=10, bolt_drivers=10)
    with serve_simulator(settings, clock) as sim:
        try:
            jobs = _jobs(writer_pool, sim, org_id, clock, https)
            for poll in jobs.values():
                await poll()
            cursors = await _cursors(writer_pool, org_id)
            for provider in ("uber", "bolt"):
                sim.chaos(provider, fail_next=1_000_000, status=503)
            failed = 0
            for _ in range(2):  # the scheduler's retries at +10 h and +20 h
                sim.control("/_sim/clock", {"advance_s": DOWN.total_seconds() / 2})
                for poll in jobs.values():
                    try:
                        await poll()
                    except Exception:  # every poll is meant to fail
                        failed += 1
            cursors_during = await _cursors(writer_pool, org_id)
            sim.control("/_sim/chaos/reset", {})
            mark = int(
                await writer_pool.fetchval(
                    "SELECT coalesce(max(fetch_id), 0) FROM provider_fetches"
                )
            )
            for poll in jobs.values():
                await poll()
            calls = await _calls_since(writer_pool, org_id, mark)
            async with writer_pool.acquire() as conn:
                account, cursor = await payments_cursor(conn, org_id)
                logged = await logged_payments(conn, org_id)
            reported = await provider_payments(
                sim.uber_settings(), account, bucket_floor(NOW), cursor
            )
        finally:
            for http in https:
                await http.aclose()

    now = clock.now()
    refused = [(c["endpoint"], c["status"]) for c in calls if 400 <= (c["status"] or 0) < 500]
    payments = [json.loads(c["params"]) for c in calls if c["endpoint"].endswith("payments")]
    earliest = min(int(p["start_time"]) for p in payments)
    widest = max(int(p["end_time"]) - int(p["start_time"]) for p in payments)
    missing = missing_or_different(reported, logged)
    print(f"\n[fault] injected: both providers 503 for {DOWN.total_seconds() / 3600:.0f} h of")
    print(f"        simulated time (clock jumped via POST /_sim/clock); {failed} polls failed")
    assert failed == 2 * len(jobs) and cursors_during == cursors
    print(f"  verified: no cursor moved during the outage ({len(cursors)} cursors)")
    assert refused == [], refused
    print(f"  verified: catch-up made {len(calls)} calls, none refused (each provider's windows")
    print("            kept: Uber metrics ≤ 8 days, transactions ≤ 15 min, Bolt ≤ 31 days)")
    assert earliest >= epoch_ms(now - timedelta(hours=24)) and widest <= HOUR.total_seconds() * 1000
    print(f"  verified: payments asked from {(epoch_ms(now) - earliest) / 3.6e6:.1f} h ago at most")
    print("            (never past Uber's 24 h), in buckets of at most 1 h")
    assert reported and missing == [], missing[:5]
    print(f"  verified: all {len(reported)} (driver, hour) payments since the outage began, up")
    print("            to the cursor, are in the log with the provider's amounts")
