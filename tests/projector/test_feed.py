"""The projector's one JetStream subscription, fanned out to every runner's inbox."""

from __future__ import annotations

import asyncio
from uuid import UUID

import asyncpg

from contracts.envelope import EventEnvelope
from contracts.subjects import ALL_EVENTS, EVENTS_STREAM, event_subject
from eventlog.bus import connect, ensure_events_stream
from eventlog.relay import Relay
from eventlog.store import read_after
from projector.feed import EventFeed, Inbox, drop_projection_consumers
from tests.conftest import NatsServer
from tests.helpers import append_drivers, driver_observation


async def _taken_until(inbox: Inbox, position: int) -> list[EventEnvelope]:
    taken: list[EventEnvelope] = []
    for _ in range(50):
        taken += await inbox.take(100, 0.1)
        if taken and taken[-1].position >= position:
            break
    return taken


async def test_every_inbox_receives_each_relayed_event_once_decoded_in_log_order(
    writer_pool: asyncpg.Pool, org_id: UUID, nats_server: NatsServer
) -> None:
    nc = await connect(nats_server.url, "test-feed", retry_for_s=10)
    await ensure_events_stream(nc.jetstream())
    feed = await EventFeed.subscribe(nc)
    first, second = feed.join(limit=1000), feed.join(limit=1000)
    relay = Relay(writer_pool, nc)
    try:
        await relay.reconcile()
        await relay.drain()  # what earlier tests left unpublished goes before our events
        await first.take(1000, 0.2), await second.take(1000, 0.2)
        positions = await append_drivers(
            writer_pool, org_id, [driver_observation(f"f{i}") for i in range(5)]
        )
        await relay.drain()
        taken = [await _taken_until(inbox, positions[-1]) for inbox in (first, second)]
        async with writer_pool.acquire() as conn:
            logged = await read_after(conn, positions[0] - 1, 5)
    finally:
        await feed.close()
        await nc.close()

    for events in taken:
        assert [e.position for e in events] == positions
        assert events == logged
        assert [e.entity_id for e in events] == [f"f{i}" for i in range(5)]


async def test_a_message_that_is_not_an_envelope_is_counted_and_reaches_no_inbox(
    nats_server: NatsServer, org_id: UUID
) -> None:
    nc = await connect(nats_server.url, "test-feed-bad", retry_for_s=10)
    js = nc.jetstream()
    await ensure_events_stream(js)
    feed = await EventFeed.subscribe(nc)
    inbox = feed.join(limit=10)
    try:
        await js.publish(event_subject(org_id, "uber.driver.observed"), b"not msgpack{")
        for _ in range(50):
            if feed.undecodable:
                break
            await asyncio.sleep(0.05)
        taken = await inbox.take(10, 0.1)
    finally:
        await feed.close()
        await nc.close()
    assert feed.undecodable == 1
    assert taken == []


async def test_an_inbox_past_its_limit_says_it_lost_events_once_and_keeps_the_newest(
    writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    positions = await append_drivers(
        writer_pool, org_id, [driver_observation(f"o{i}") for i in range(3)]
    )
    async with writer_pool.acquire() as conn:
        events = await read_after(conn, positions[0] - 1, 3)
    inbox = Inbox(limit=2)
    for event in events:
        inbox.put(event)

    assert inbox.lost() is True
    assert inbox.lost() is False  # told once: the runner reads the log, then goes on
    assert [e.position for e in await inbox.take(10, 0.1)] == [positions[2]]


async def test_the_consumers_projections_had_before_the_feed_are_deleted_on_start(
    nats_server: NatsServer,
) -> None:
    nc = await connect(nats_server.url, "test-feed-upgrade", retry_for_s=10)
    js = nc.jetstream()
    await ensure_events_stream(js)
    try:
        old = await js.pull_subscribe(
            ALL_EVENTS, durable="projector-upgraded", stream=EVENTS_STREAM
        )
        await old.unsubscribe()
        before = [c.name for c in await js.consumers_info(EVENTS_STREAM)]
        await drop_projection_consumers(js, ["upgraded", "never-had-one"])
        names = [c.name for c in await js.consumers_info(EVENTS_STREAM)]
    finally:
        await nc.close()
    assert "projector-upgraded" in before
    assert "projector-upgraded" not in names
