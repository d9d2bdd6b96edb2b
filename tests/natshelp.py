"""Reading what JetStream holds, for assertions."""

from __future__ import annotations

import asyncio
import contextlib
from uuid import UUID

from nats.aio.client import Client as NATS
from nats.js import JetStreamContext
from nats.js.api import ConsumerConfig, DeliverPolicy

from contracts.envelope import EventEnvelope, decode_envelope
from contracts.subjects import EVENTS_STREAM


async def wait_connected(nc: NATS, timeout_s: float = 20.0) -> None:
    """Wait for the client to be connected again after a server restart."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    while not nc.is_connected:
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError("NATS client did not reconnect")
        await asyncio.sleep(0.05)


async def _reader(nc: NATS, org_id: UUID, deadline: float) -> JetStreamContext.PullSubscription:
    """An ephemeral reader of the tenant's events; creating it is retried while a cluster
    is still electing leaders (its API answers time out meanwhile)."""
    while True:
        try:
            return await nc.jetstream().pull_subscribe(
                f"fleet.events.{org_id}.>",
                stream=EVENTS_STREAM,
                config=ConsumerConfig(deliver_policy=DeliverPolicy.ALL, inactive_threshold=30),
            )
        except TimeoutError:  # nats.errors.TimeoutError is one
            if asyncio.get_running_loop().time() > deadline:
                raise
            await asyncio.sleep(0.5)


async def stream_events(
    nc: NATS, org_id: UUID, expect: int, timeout_s: float = 10.0
) -> list[EventEnvelope]:
    """Every event of tenant ``org_id`` in the stream, in stream order (waits for ``expect``)."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    sub = await _reader(nc, org_id, deadline)
    found: list[EventEnvelope] = []
    try:
        while asyncio.get_running_loop().time() < deadline:
            with contextlib.suppress(TimeoutError):
                for msg in await sub.fetch(100, timeout=0.3):
                    found.append(decode_envelope(msg.data))
                    await msg.ack()
            if len(found) >= expect:
                # one more fetch to catch any duplicate beyond what we expect
                with contextlib.suppress(TimeoutError):
                    found += [decode_envelope(m.data) for m in await sub.fetch(100, timeout=0.3)]
                break
    finally:
        await sub.unsubscribe()
    return found
