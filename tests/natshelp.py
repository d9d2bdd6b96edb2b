"""Reading what JetStream holds, for assertions."""

from __future__ import annotations

import asyncio
import contextlib
from uuid import UUID

from nats.aio.client import Client as NATS
from nats.errors import NoRespondersError
from nats.js import JetStreamContext
from nats.js.api import ConsumerConfig, DeliverPolicy
from nats.js.errors import ServiceUnavailableError

from contracts.envelope import EventEnvelope, decode_envelope
from contracts.subjects import EVENTS_STREAM


async def wait_connected(nc: NATS, timeout_s: float = 20.0) -> None:
    """Wait for the client to be connected again after a server restart."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    while not nc.is_connected:
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError("NATS client did not reconnect")
        await asyncio.sleep(0.05)


# What a cluster answers while it elects a stream or consumer leader: the request times out,
# finds no responder, or gets a 503 "JetStream system temporarily unavailable".
ELECTING = (TimeoutError, NoRespondersError, ServiceUnavailableError)


async def _reader(nc: NATS, org_id: UUID, deadline: float) -> JetStreamContext.PullSubscription:
    """An ephemeral reader of the tenant's events; creating it is retried while a cluster
    is still electing leaders."""
    while True:
        try:
            return await nc.jetstream().pull_subscribe(
                f"fleet.events.{org_id}.>",
                stream=EVENTS_STREAM,
                config=ConsumerConfig(deliver_policy=DeliverPolicy.ALL, inactive_threshold=30),
            )
        except ELECTING:  # nats.errors.TimeoutError is a TimeoutError
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
            with contextlib.suppress(*ELECTING):
                for msg in await sub.fetch(100, timeout=0.3):
                    found.append(decode_envelope(msg.data))
                    await msg.ack()
            if len(found) >= expect:
                # one more fetch to catch any duplicate beyond what we expect
                with contextlib.suppress(*ELECTING):
                    found += [decode_envelope(m.data) for m in await sub.fetch(100, timeout=0.3)]
                break
    finally:
        await sub.unsubscribe()
    return found
