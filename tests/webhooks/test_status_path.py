"""The whole path of a push: Uber's signed webhook → API → log → relay → JetStream →
projector → the driver's status served by the API, with no poll running.

How fast (issue 18's "within a second") is measured by bench/bench_webhook.py, with the relay
and the projector in processes of their own as in production, and written into
bench/report.md: a timed assertion here measured the machine's load as much as the path."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from uuid import UUID

import asyncpg

from eventlog.bus import connect, ensure_events_stream
from eventlog.relay import Relay
from eventlog.store import head_position
from projector.feed import EventFeed
from projector.projection import Projection
from projector.projections.drivers import DriversProjection
from projector.projections.uber_driver_status import UberDriverStatusProjection
from projector.runner import ProjectionRunner
from tests.api.seed import seed_page
from tests.apihelp import ApiClient, login
from tests.conftest import NatsServer
from tests.webhooks.hooks import signed, status_change, uber_account


@asynccontextmanager
async def workers(pool: asyncpg.Pool, nats_url: str) -> AsyncIterator[list[ProjectionRunner]]:
    """The relay and the two projections the driver's page reads, running until exit."""
    nc = await connect(nats_url, "test-webhook-path", retry_for_s=10)
    await ensure_events_stream(nc.jetstream())
    stop = asyncio.Event()
    suffix = uuid.uuid4().hex[:6]
    projections: list[Projection] = [
        DriversProjection(f"drivers-{suffix}"),
        UberDriverStatusProjection(f"status-{suffix}"),
    ]
    feed = await EventFeed.subscribe(nc)
    runners = [ProjectionRunner(pool, feed, p, fetch_timeout_s=0.2) for p in projections]
    tasks = [asyncio.create_task(Relay(pool, nc, idle_poll_s=0.2).run(stop))]
    tasks += [asyncio.create_task(r.run(stop)) for r in runners]
    try:
        yield runners
    finally:
        stop.set()
        await asyncio.gather(*tasks)
        await feed.close()
        await nc.close()


async def _caught_up(pool: asyncpg.Pool, runners: list[ProjectionRunner], limit_s: float) -> None:
    """Wait until every fresh projection has replayed the shared log up to its head.

    The test database holds the whole session's log; a projection still replaying it when
    the push arrives would measure the replay, not the push."""
    async with pool.acquire() as conn:
        head = await head_position(conn)
    started = time.monotonic()
    while time.monotonic() - started < limit_s:
        if all([await r.checkpoint() >= head for r in runners]):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"the projections did not reach the log head {head} in {limit_s} s")


async def _status_when(
    api: ApiClient, headers: dict[str, str], driver_id: str, wanted: str | None, limit_s: float
) -> tuple[str | None, float]:
    """Poll the driver's page until its status is ``wanted``; (last status, seconds taken)."""
    started = time.monotonic()
    status = None
    while time.monotonic() - started < limit_s:
        response = await api.get(f"/fleet/drivers/{driver_id}", headers=headers)
        status = response.json().get("status") if response.status_code == 200 else None
        if status == wanted or (wanted is None and response.status_code == 200):
            break
        await asyncio.sleep(0.02)
    return status, time.monotonic() - started


async def test_a_signed_webhook_updates_the_drivers_served_status_without_a_poll(
    hooks_api: ApiClient,
    make_user,  # type: ignore[no-untyped-def]
    owner_pool: asyncpg.Pool,
    writer_pool: asyncpg.Pool,
    nats_server: NatsServer,
    org_id: UUID,
) -> None:
    account = await uber_account(owner_pool, org_id)
    driver = f"d-{uuid.uuid4().hex[:8]}"
    await seed_page(writer_pool, org_id, [driver])
    headers = await login(hooks_api, await make_user(org_id, "viewer"))
    body = status_change(account, driver, "DRIVER_STATUS_ONTRIP")

    async with workers(writer_pool, nats_server.url) as runners:
        await _caught_up(writer_pool, runners, limit_s=60)
        await _status_when(hooks_api, headers, driver, None, limit_s=30)  # the driver is served
        answer = await hooks_api.post("/webhooks/uber", content=body, headers=signed(body))
        status, _ = await _status_when(hooks_api, headers, driver, "DRIVER_STATUS_ONTRIP", 30)

    assert answer.status_code == 200
    assert status == "DRIVER_STATUS_ONTRIP"
