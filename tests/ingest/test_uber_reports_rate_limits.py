"""The simulator's per-endpoint rate limits against our client: paced, or backed off.

Real HTTP and real time (token buckets refill with the wall clock); 13 driver pages of 2.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from core.config import UBER_DEFAULT_SCOPES
from ingest.http import ProviderHttp, RateLimiter, RetryPolicy
from ingest.main import uber_http
from ingest.uber.client import UberClient
from simulator import SimulatorSettings
from tests.simserver import SimServer, serve_simulator

RATE = 5


class SleepLog:
    """asyncio.sleep that remembers each wait (the buckets refill with real time)."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        await asyncio.sleep(seconds)


async def serve(**overrides: Any) -> Any:
    settings = SimulatorSettings(seed=7, rate_limits=True, uber_rate_per_s=RATE, **overrides)
    return serve_simulator(settings)


async def all_drivers(sim: SimServer, provider: ProviderHttp) -> tuple[int, dict[str, Any]]:
    client = UberClient(provider, sim.url)
    org = (await client.organizations()).body
    assert org.organizations
    org_id = str(json.loads(bytes(org.organizations[0]))["id"])
    sim.control("/_sim/stats/reset", {})
    count = 0
    async for page in client.driver_pages(org_id, page_size=2):
        count += len(page.body.driverInformation or [])
    return count, sim.control("/_sim/stats")["calls"]["GET /v1/vehicle-suppliers/drivers"]


@pytest.fixture
async def http_for() -> AsyncIterator[Any]:
    opened: list[httpx.AsyncClient] = []

    def make(sim: SimServer) -> httpx.AsyncClient:
        client = uber_http(dataclasses.replace(sim.uber_settings(), scopes=UBER_DEFAULT_SCOPES))
        opened.append(client)
        return client

    yield make
    for client in opened:
        await client.aclose()


async def test_our_rate_limiter_keeps_under_the_providers_limit(http_for: Any) -> None:
    with await serve() as sim:
        limiter = RateLimiter(RATE, RATE)
        provider = ProviderHttp("uber", http_for(sim), limiter=limiter)
        count, statuses = await all_drivers(sim, provider)
    assert count == 25 and statuses == {"200": 13}
    assert limiter.waits > 0


async def test_without_pacing_429s_are_backed_off_and_the_listing_completes(
    http_for: Any,
) -> None:
    with await serve() as sim:
        sleep = SleepLog()
        retry = RetryPolicy(attempts=8, base_s=0.2, cap_s=1.0)
        provider = ProviderHttp("uber", http_for(sim), retry=retry, sleep=sleep)
        count, statuses = await all_drivers(sim, provider)
    assert count == 25 and statuses["200"] == 13
    assert int(statuses.get("429", 0)) == len(sleep.waits) > 0


async def test_retry_after_is_honoured_when_the_provider_sends_it(http_for: Any) -> None:
    with await serve(uber_emit_retry_after=True) as sim:
        sleep = SleepLog()
        provider = ProviderHttp("uber", http_for(sim), retry=RetryPolicy(attempts=4), sleep=sleep)
        count, statuses = await all_drivers(sim, provider)
    assert count == 25 and statuses["200"] == 13
    assert sleep.waits and all(w == 1.0 for w in sleep.waits)
