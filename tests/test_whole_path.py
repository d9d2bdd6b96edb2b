"""The whole path, every real part: simulator → poller → log → relay → JetStream →
projector → drivers table → API."""

from __future__ import annotations

import asyncio
import uuid
from uuid import UUID

import asyncpg
import httpx

from eventlog.bus import connect, ensure_events_stream
from eventlog.relay import Relay
from ingest.http import ProviderHttp
from ingest.main import uber_http
from ingest.uber.client import UberClient
from ingest.uber.pollers import UberPollers
from projector.feed import EventFeed
from projector.projections.drivers import DriversProjection
from projector.runner import ProjectionRunner
from tests.apihelp import login
from tests.conftest import NatsServer
from tests.simserver import SimServer


async def test_simulated_drivers_reach_the_api_through_every_layer(
    simulator: SimServer,
    writer_pool: asyncpg.Pool,
    nats_server: NatsServer,
    org_id: UUID,
    api: httpx.AsyncClient,
    make_user,
) -> None:
    nc = await connect(nats_server.url, "test-path", retry_for_s=10)
    await ensure_events_stream(nc.jetstream())
    feed = await EventFeed.subscribe(nc)
    stop = asyncio.Event()
    runner = ProjectionRunner(
        writer_pool, feed, DriversProjection(f"path-{uuid.uuid4().hex[:6]}"), fetch_timeout_s=0.2
    )
    tasks = [
        asyncio.create_task(Relay(writer_pool, nc, idle_poll_s=0.2).run(stop)),
        asyncio.create_task(runner.run(stop)),
    ]
    http = uber_http(simulator.uber_settings())
    try:
        pollers = UberPollers(
            writer_pool, UberClient(ProviderHttp("uber", http), simulator.url), org_id
        )
        await pollers.drivers()
        headers = await login(api, await make_user(org_id))
        items: list[dict[str, object]] = []
        for _ in range(100):
            items = (
                await api.get("/fleet/drivers", params={"limit": 100}, headers=headers)
            ).json()["items"]
            if len(items) == 25:
                break
            await asyncio.sleep(0.1)
    finally:
        stop.set()
        await asyncio.gather(*tasks)
        await http.aclose()
        await feed.close()
        await nc.close()

    served = simulator.control("/_sim/stats")
    assert len(items) == 25 == served["uber"]["drivers"]
    assert all(d["provider"] == "uber" and d["first_name"] for d in items)
    assert runner.applied >= 25
