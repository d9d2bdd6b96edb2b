"""Uber ingestion against the simulator over real HTTP: pages in, events out, nothing lost."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from uuid import UUID

import asyncpg
import httpx
import msgspec
import pytest

from ingest.auth import ClientCredentials
from ingest.errors import ProviderAuthError
from ingest.http import ProviderHttp, RetryPolicy
from ingest.main import uber_http
from ingest.uber.client import UberClient
from ingest.uber.pollers import UberPollers
from tests.simserver import SimServer


class RecordingSleep:
    """Stands in for asyncio.sleep: remembers each wait, waits for none."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
async def http(simulator: SimServer) -> AsyncIterator[httpx.AsyncClient]:
    client = uber_http(simulator.uber_settings())
    yield client
    await client.aclose()


@pytest.fixture
def sleep() -> RecordingSleep:
    return RecordingSleep()


@pytest.fixture
def pollers(
    writer_pool: asyncpg.Pool,
    http: httpx.AsyncClient,
    simulator: SimServer,
    org_id: UUID,
    sleep: RecordingSleep,
) -> UberPollers:
    provider = ProviderHttp("uber", http, retry=RetryPolicy(attempts=4, base_s=0.01), sleep=sleep)
    return UberPollers(writer_pool, UberClient(provider, simulator.url), org_id)


async def _events(pool: asyncpg.Pool, org_id: UUID, event_type: str) -> list[asyncpg.Record]:
    return await pool.fetch(
        "SELECT entity_id, fetch_id FROM event_log WHERE org_id = $1 AND event_type = $2 "
        "ORDER BY position",
        org_id,
        event_type,
    )


async def test_drivers_poll_appends_one_event_per_driver_and_nothing_when_unchanged(
    pollers: UberPollers, writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    first = await pollers.drivers()
    again = await pollers.drivers()

    events = await _events(writer_pool, org_id, "uber.driver.observed")
    assert first.appended == 25 and first.records == 25
    assert again.appended == 0 and again.records == 25
    assert len({e["entity_id"] for e in events}) == 25 == len(events)


async def test_a_changed_driver_appends_exactly_one_event(
    pollers: UberPollers, simulator: SimServer, writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    await pollers.drivers()
    changed = simulator.control("/_sim/uber/drivers/mutate", {"count": 2})["changed"]
    result = await pollers.drivers()

    events = await _events(writer_pool, org_id, "uber.driver.observed")
    assert result.appended == 2
    assert sorted(e["entity_id"] for e in events[-2:]) == sorted(changed)


async def test_provider_503_is_retried_logged_and_the_poll_completes(
    pollers: UberPollers,
    simulator: SimServer,
    writer_pool: asyncpg.Pool,
    org_id: UUID,
    sleep: RecordingSleep,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await pollers.organizations()
    simulator.chaos(fail_next=2, status=503)
    with caplog.at_level(logging.WARNING, logger="ingest.http"):
        result = await pollers.drivers()

    assert result.appended == 25
    assert len(sleep.waits) == 2
    assert sum("answered 503; retry" in r.getMessage() for r in caplog.records) == 2
    failed = await writer_pool.fetch(
        "SELECT status FROM provider_fetches WHERE org_id = $1 AND status = 503", org_id
    )
    assert len(failed) == 2  # the failed attempts are in the provider history too


async def test_retry_after_from_a_429_is_honoured(
    pollers: UberPollers, simulator: SimServer, sleep: RecordingSleep
) -> None:
    await pollers.organizations()
    simulator.chaos(fail_next=1, status=429, retry_after=7)
    result = await pollers.drivers()
    assert result.appended == 25
    assert sleep.waits == [7.0]


async def test_truncated_json_is_retried_not_ingested(
    pollers: UberPollers,
    simulator: SimServer,
    writer_pool: asyncpg.Pool,
    org_id: UUID,
    sleep: RecordingSleep,
) -> None:
    await pollers.organizations()
    simulator.chaos(truncated_next=1)
    result = await pollers.drivers()
    assert result.appended == 25 and result.quarantined == 0
    assert len(sleep.waits) == 1


async def test_malformed_record_is_quarantined_and_the_rest_of_the_page_ingested(
    pollers: UberPollers, simulator: SimServer, writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    await pollers.organizations()
    simulator.chaos(malformed_next=1)
    result = await pollers.drivers()

    assert result.quarantined == 1
    assert result.appended == 24
    [row] = await writer_pool.fetch(
        "SELECT reason, raw, fetch_id FROM quarantine WHERE org_id = $1", org_id
    )
    assert "driverId" in row["reason"]
    assert b"firstName" in row["raw"] and row["fetch_id"] is not None


async def test_token_expired_mid_pagination_is_minted_again_once(
    simulator: SimServer, http: httpx.AsyncClient
) -> None:
    client = UberClient(ProviderHttp("uber", http), simulator.url)
    [org] = (await client.organizations()).body.organizations or []
    org_id = msgspec.json.decode(org)["id"]
    pages = client.driver_pages(org_id, page_size=10)
    first = await anext(pages)
    simulator.control("/_sim/uber/tokens/expire", {})
    rest = [page async for page in pages]

    assert isinstance(http.auth, ClientCredentials)
    assert http.auth.mints == 2
    seen = [d for p in [first, *rest] for d in p.body.driverInformation or []]
    assert len(seen) == 25


async def test_refused_credentials_raise_an_auth_error_without_the_secret(
    simulator: SimServer,
) -> None:
    settings = simulator.uber_settings()
    bad = uber_http(settings.__class__(**{**settings.__dict__, "client_secret": "wrong-s3cret"}))
    client = UberClient(ProviderHttp("uber", bad), simulator.url)
    try:
        with pytest.raises(ProviderAuthError) as info:
            await client.organizations()
    finally:
        await bad.aclose()
    assert "invalid_client" in str(info.value)
    assert "wrong-s3cret" not in str(info.value)


async def test_recorded_calls_never_hold_the_secret_or_the_token(
    pollers: UberPollers,
    simulator: SimServer,
    writer_pool: asyncpg.Pool,
    org_id: UUID,
    http: httpx.AsyncClient,
) -> None:
    await pollers.drivers()
    assert isinstance(http.auth, ClientCredentials)
    token = http.auth._token
    rows = await writer_pool.fetch(
        "SELECT f.params::text AS params, coalesce(f.error, '') AS error, r.body "
        "FROM provider_fetches f "
        "LEFT JOIN provider_responses r ON r.content_hash = f.response_hash "
        "WHERE f.org_id = $1",
        org_id,
    )
    assert rows and token
    for row in rows:
        for secret in (simulator.settings.uber_client_secret, token):
            assert secret not in row["params"] and secret not in row["error"]
            assert secret.encode() not in (row["body"] or b"")
