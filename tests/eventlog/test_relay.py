"""The relay publishes the log on JetStream in order, exactly once, through NATS outages."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from uuid import UUID

import asyncpg
import pytest
from nats.aio.client import Client as NATS

from eventlog.bus import connect, ensure_events_stream
from eventlog.relay import Relay
from tests.conftest import NatsServer
from tests.helpers import append_drivers, driver_observation
from tests.natshelp import stream_events, wait_connected


@pytest.fixture
async def nc(nats_server: NatsServer) -> AsyncIterator[NATS]:
    conn = await connect(nats_server.url, "test-relay", retry_for_s=10)
    await ensure_events_stream(conn.jetstream())
    yield conn
    await conn.close()


async def test_relay_publishes_each_event_once_in_log_order(
    writer_pool: asyncpg.Pool, nc: NATS, org_id: UUID
) -> None:
    positions = await append_drivers(
        writer_pool, org_id, [driver_observation(f"d{i}") for i in range(5)]
    )
    relay = Relay(writer_pool, nc)
    await relay.reconcile()
    await relay.drain()
    await relay.reconcile()
    await relay.drain()  # a second pass publishes nothing again

    events = await stream_events(nc, org_id, expect=5)
    assert [e.position for e in events] == positions
    assert [e.entity_id for e in events] == [f"d{i}" for i in range(5)]


async def test_relay_publishes_events_appended_while_nats_was_down(
    writer_pool: asyncpg.Pool, nc: NATS, nats_server: NatsServer, org_id: UUID
) -> None:
    relay = Relay(writer_pool, nc, idle_poll_s=0.2)
    stop = asyncio.Event()
    task = asyncio.create_task(relay.run(stop))
    try:
        before = await append_drivers(writer_pool, org_id, [driver_observation("before")])
        nats_server.stop()
        during = []
        for i in range(3):  # appends go on while NATS is down, and never wait for it
            during += await asyncio.wait_for(
                append_drivers(writer_pool, org_id, [driver_observation(f"during{i}")]), 5
            )
        await asyncio.sleep(0.5)
        nats_server.start()
        await wait_connected(nc)
        events = await stream_events(nc, org_id, expect=4, timeout_s=30)
    finally:
        stop.set()
        await task
    assert [e.position for e in events] == before + during
    assert len({e.event_id for e in events}) == 4


async def test_relay_recreates_a_lost_stream_and_goes_on_from_its_checkpoint(
    writer_pool: asyncpg.Pool, nc: NATS, org_id: UUID
) -> None:
    relay = Relay(writer_pool, nc)
    await relay.reconcile()
    await append_drivers(writer_pool, org_id, [driver_observation("lost1")])
    await relay.drain()
    await nc.jetstream().delete_stream("FLEET_EVENTS")  # the NATS volume is gone

    after = await append_drivers(writer_pool, org_id, [driver_observation("kept1")])
    await relay.reconcile()
    await relay.drain()

    events = await stream_events(nc, org_id, expect=1)
    assert [e.position for e in events] == after
