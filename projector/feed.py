"""One JetStream subscription per projector process, shared by all its projections.

Every projection wants the whole stream (each skips the event types it does not apply, and
moves its checkpoint past them). Giving each its own consumer made every message cross the
socket, get parsed, decoded and acknowledged once per projection: with fourteen projections
on one event loop that was most of the projector's CPU, and the commit → read model lag
grew with each projection added (docs/SCALING.md, "Lag"). The feed takes each message once,
decodes it once and appends the envelope to the inbox of every active runner.

The subscription is an ordered consumer: ephemeral, no acknowledgements, flow-controlled,
recreated by the client when it sees a gap. It starts at new messages: a runner reads what
came before from the log itself (``ProjectionRunner.catch_up``), and the log stays the
authority for anything the feed misses (a hole in a batch is read from the log). A runner
too slow for its inbox loses the inbox, not events: it is told so and catches up from the
log.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable

from nats.aio.client import Client as NATS
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import DeliverPolicy
from nats.js.errors import NotFoundError

from contracts.envelope import EventEnvelope, decode_envelope
from contracts.subjects import ALL_EVENTS, EVENTS_STREAM

log = logging.getLogger(__name__)


class Inbox:
    """Envelopes the feed delivered to one runner and it has not taken yet."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._events: list[EventEnvelope] = []
        self._ready = asyncio.Event()
        self.overflowed = False

    def put(self, event: EventEnvelope) -> None:
        if len(self._events) >= self._limit:  # the runner is behind: the log fills it in
            self._events.clear()
            self.overflowed = True
        self._events.append(event)
        self._ready.set()

    async def take(self, most: int, timeout_s: float) -> list[EventEnvelope]:
        """Up to ``most`` envelopes in delivery order, waiting up to ``timeout_s`` for one."""
        if not self._events:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._ready.wait(), timeout_s)
        taken, self._events = self._events[:most], self._events[most:]
        if not self._events:
            self._ready.clear()
        return taken

    def wake(self) -> None:
        """End a ``take`` waiting now (the runner is stopping)."""
        self._ready.set()

    def lost(self) -> bool:
        """Whether envelopes were dropped since the last call (then read the log)."""
        lost, self.overflowed = self.overflowed, False
        return lost


class EventFeed:
    """The process's one subscription to the events stream, fanned out to inboxes."""

    def __init__(self) -> None:
        self._inboxes: set[Inbox] = set()
        self._sub: JetStreamContext.PushSubscription | None = None
        self.undecodable = 0

    @classmethod
    async def subscribe(cls, nc: NATS) -> EventFeed:
        feed = cls()
        feed._sub = await nc.jetstream().subscribe(
            ALL_EVENTS,
            stream=EVENTS_STREAM,
            cb=feed._on_message,
            ordered_consumer=True,
            deliver_policy=DeliverPolicy.NEW,
        )
        return feed

    def join(self, limit: int) -> Inbox:
        """A new inbox receiving every envelope from now on, at most ``limit`` waiting."""
        inbox = Inbox(limit)
        self._inboxes.add(inbox)
        return inbox

    def leave(self, inbox: Inbox) -> None:
        self._inboxes.discard(inbox)

    async def _on_message(self, msg: Msg) -> None:
        try:
            event = decode_envelope(msg.data)
        except Exception as exc:  # the runners find the hole and read the event from the log
            self.undecodable += 1
            log.warning("event feed: message %s not decoded (%s)", msg.subject, exc)
            return
        for inbox in self._inboxes:
            inbox.put(event)

    async def close(self) -> None:
        if self._sub is not None:
            with contextlib.suppress(Exception):
                await self._sub.unsubscribe()
            self._sub = None


async def drop_projection_consumers(js: JetStreamContext, names: Iterable[str]) -> None:
    """Delete the durable consumers (``projector-<name>``) each projection had before the
    feed, so an upgraded deployment does not keep their delivery state forever."""
    for name in names:
        with contextlib.suppress(NotFoundError):
            await js.delete_consumer(EVENTS_STREAM, f"projector-{name}")
