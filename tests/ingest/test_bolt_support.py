"""Fixtures and helpers shared by the Bolt tests (imported by them; no tests here).

The simulator runs over real HTTP on a fixed clock that the pollers read too, so windows,
cursors, price reviews and token expiry are exact.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import asyncpg
import httpx
import pytest

from ingest.bolt.client import BoltClient
from ingest.bolt.pollers import BoltPollers, BoltPollSettings
from ingest.bolt.setup import bolt_http
from ingest.http import ProviderHttp, RetryPolicy
from simulator import FixedClock, SimulatorSettings
from tests.simserver import SimServer, serve_simulator

# 2025-03-10 13:30 UTC: with seed 11 and 8 drivers, two finished orders await their review.
NOW = datetime(2025, 3, 10, 13, 30, tzinfo=UTC)
SEED = 11
DRIVERS = 8
COMPANY = 70001
DAY = 86400

PollersFactory = Callable[..., BoltPollers]


class RecordingSleep:
    """Stands in for asyncio.sleep: remembers each wait, waits for none."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def sim_settings(**overrides: Any) -> SimulatorSettings:
    values: dict[str, Any] = {"seed": SEED, "uber_drivers": 1, "bolt_drivers": DRIVERS}
    return SimulatorSettings(**{**values, **overrides})


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def bolt_sim(clock: FixedClock) -> Iterator[SimServer]:
    with serve_simulator(sim_settings(), clock) as server:
        yield server


@pytest.fixture
async def bolt_https(bolt_sim: SimServer) -> AsyncIterator[httpx.AsyncClient]:
    client = bolt_http(bolt_sim.bolt_settings())
    yield client
    await client.aclose()


@pytest.fixture
def sleep() -> RecordingSleep:
    return RecordingSleep()


@pytest.fixture
def bolt_client(
    bolt_https: httpx.AsyncClient, bolt_sim: SimServer, sleep: RecordingSleep
) -> BoltClient:
    return client_for(bolt_https, bolt_sim, sleep)


def client_for(
    http: httpx.AsyncClient, sim: SimServer, sleep: RecordingSleep, page_size: int | None = None
) -> BoltClient:
    provider = ProviderHttp("bolt", http, retry=RetryPolicy(attempts=4, base_s=0.01), sleep=sleep)
    return BoltClient(provider, sim.bolt_settings().api_base, page_size=page_size)


@pytest.fixture
def make_pollers(
    writer_pool: asyncpg.Pool,
    bolt_https: httpx.AsyncClient,
    bolt_sim: SimServer,
    org_id: UUID,
    clock: FixedClock,
    sleep: RecordingSleep,
) -> PollersFactory:
    """New pollers (a fresh process, as far as state goes) on the shared clock."""

    def make(page_size: int | None = None, **settings: Any) -> BoltPollers:
        client = client_for(bolt_https, bolt_sim, sleep, page_size)
        return BoltPollers(writer_pool, client, org_id, BoltPollSettings(**settings), clock.now)

    return make


@pytest.fixture
def pollers(make_pollers: PollersFactory) -> BoltPollers:
    return make_pollers()


def unix(moment: datetime) -> int:
    return int(moment.timestamp())


async def events(pool: asyncpg.Pool, org_id: UUID, event_type: str) -> list[asyncpg.Record]:
    """The tenant's events of one type, in log order."""
    return await pool.fetch(
        "SELECT entity_id, account_id, record, record_hash, fetch_id FROM event_log "
        "WHERE org_id = $1 AND event_type = $2 ORDER BY position",
        org_id,
        event_type,
    )


async def fetch_params(pool: asyncpg.Pool, org_id: UUID, endpoint: str) -> list[dict[str, Any]]:
    """The parameters of each recorded successful call to ``endpoint``, in order."""
    rows = await pool.fetch(
        "SELECT params FROM provider_fetches WHERE org_id = $1 AND endpoint LIKE '%' || $2 "
        "AND status = 200 ORDER BY fetch_id",
        org_id,
        endpoint,
    )
    return [json.loads(row["params"]) for row in rows]
