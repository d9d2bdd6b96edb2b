"""Uber time windows, and the fixed-clock simulator the windowed Uber tests share.

The fixtures here (a simulator on a ``FixedClock``, pollers reading the same clock, and a
recorder of the requests sent) are imported by the other ``test_uber_*`` modules.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

import asyncpg
import httpx
import pytest

from core.config import UBER_DEFAULT_SCOPES
from ingest.http import ProviderHttp, RetryPolicy
from ingest.main import uber_http
from ingest.uber.client import UberClient
from ingest.uber.context import UberPollSettings
from ingest.uber.pollers import UberPollers
from ingest.uber.windows import buckets, chunk_days, paris_day, paris_days, slices
from simulator import FixedClock, SimulatorSettings
from tests.simserver import SimServer, serve_simulator

NOW = datetime(2025, 3, 10, 20, 0, 7, tzinfo=UTC)  # 21:00 in Paris, a Monday evening
DRIVERS = 25


class NoSleep:
    """Stands in for asyncio.sleep between retries: remembers each wait, waits for none."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@dataclasses.dataclass
class Sent:
    method: str
    path: str
    params: dict[str, str]
    body: Any


class RequestLog:
    """An httpx request hook keeping what was sent to the provider (token calls aside)."""

    def __init__(self) -> None:
        self.sent: list[Sent] = []

    async def __call__(self, request: httpx.Request) -> None:
        if request.url.path.startswith("/oauth"):
            return
        body = json.loads(request.content) if request.content else None
        self.sent.append(Sent(request.method, request.url.path, dict(request.url.params), body))

    def to(self, path_end: str) -> list[Sent]:
        return [s for s in self.sent if s.path.endswith(path_end)]

    def clear(self) -> None:
        self.sent.clear()


@pytest.fixture
def clock() -> FixedClock:
    """The simulator's clock, shared by the pollers (the same object, in this process)."""
    return FixedClock(NOW)


@pytest.fixture
def fixed_sim(clock: FixedClock) -> Iterator[SimServer]:
    with serve_simulator(SimulatorSettings(seed=7, uber_drivers=DRIVERS), clock) as server:
        yield server


@pytest.fixture
def sent() -> RequestLog:
    return RequestLog()


@pytest.fixture
async def fixed_http(fixed_sim: SimServer, sent: RequestLog) -> AsyncIterator[httpx.AsyncClient]:
    """Uber's httpx client with every scope a fleet asks for (metrics, payments too)."""
    settings = dataclasses.replace(fixed_sim.uber_settings(), scopes=UBER_DEFAULT_SCOPES)
    client = uber_http(settings)
    client.event_hooks["request"].append(sent)
    yield client
    await client.aclose()


class PollersFactory:
    """Builds the pollers of a tenant, as a fresh process would (nothing kept in memory)."""

    def __init__(
        self, pool: asyncpg.Pool, http: httpx.AsyncClient, sim: SimServer, org_id: UUID,
        clock: FixedClock,
    ) -> None:  # fmt: skip
        self.pool, self.http, self.sim, self.org_id, self.clock = pool, http, sim, org_id, clock
        self.sleep = NoSleep()

    def client(self) -> UberClient:
        provider = ProviderHttp(
            "uber", self.http, retry=RetryPolicy(attempts=4, base_s=0.01), sleep=self.sleep
        )
        return UberClient(provider, self.sim.url)

    def __call__(self, **settings: Any) -> UberPollers:
        return UberPollers(
            self.pool, self.client(), self.org_id, now=self.clock.now,
            settings=UberPollSettings(**settings),
        )  # fmt: skip


@pytest.fixture
def make_pollers(
    writer_pool: asyncpg.Pool,
    fixed_http: httpx.AsyncClient,
    fixed_sim: SimServer,
    org_id: UUID,
    clock: FixedClock,
) -> PollersFactory:
    return PollersFactory(writer_pool, fixed_http, fixed_sim, org_id, clock)


async def events_of(pool: asyncpg.Pool, org_id: UUID, event_type: str) -> list[asyncpg.Record]:
    """The tenant's events of one type, in log order."""
    return await pool.fetch(
        "SELECT position, entity_id, record, record_hash FROM event_log "
        "WHERE org_id = $1 AND event_type = $2 ORDER BY position",
        org_id,
        event_type,
    )


def ms(at: datetime) -> int:
    return int(at.timestamp() * 1000)


# -- the windows themselves (pure) ---------------------------------------------------------


def test_paris_days_follow_daylight_saving_time() -> None:
    spring, autumn, plain = (
        paris_day(date(2025, 3, 30)),
        paris_day(date(2025, 10, 26)),
        paris_day(date(2025, 3, 10)),
    )
    assert spring.window.span == timedelta(hours=23)
    assert autumn.window.span == timedelta(hours=25)
    assert plain.window.start == datetime(2025, 3, 9, 23, 0, tzinfo=UTC)


def test_day_chunks_never_span_more_than_8_days_even_across_an_autumn_day() -> None:
    days = paris_days(date(2025, 10, 20), date(2025, 11, 10))
    chunks = chunk_days(days)
    assert [d for chunk in chunks for d in chunk] == days
    for chunk in chunks:
        assert chunk[-1].window.end - chunk[0].window.start <= timedelta(days=8)
    assert len(chunks[0]) == 7  # the 25-hour day of 26 October leaves no room for an 8th


def test_buckets_are_aligned_and_cover_the_span_without_overlap() -> None:
    start = datetime(2025, 3, 9, 20, 10, tzinfo=UTC)
    end = datetime(2025, 3, 9, 23, 30, tzinfo=UTC)
    found = buckets(start, end, timedelta(hours=1))
    assert [b.hour for b, _ in found] == [20, 21, 22, 23]
    assert found[0][1].start == start and found[-1][1].end == end
    assert all(a[1].end == b[1].start for a, b in itertools.pairwise(found))


def test_slices_are_at_most_the_size_and_contiguous() -> None:
    start = datetime(2025, 3, 10, 19, 0, tzinfo=UTC)
    found = slices(start, start + timedelta(minutes=50), timedelta(minutes=15))
    assert [w.span for w in found] == [timedelta(minutes=15)] * 3 + [timedelta(minutes=5)]
    assert all(a.end == b.start for a, b in itertools.pairwise(found))
