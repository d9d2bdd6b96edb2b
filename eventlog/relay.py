"""The outbox relay: publishes the log on JetStream, in log order, exactly once.

Each event is published with ``Nats-Msg-Id`` = its event id (JetStream drops a repeat within
the duplicate window) and a ``Fleet-Position`` header. The relay's checkpoint lives in
``relay_checkpoints`` and only moves after JetStream acknowledged every event up to it.

Exactly once beyond the duplicate window: after a failure (and at start) the relay reads the
position of the last message in the stream and moves its checkpoint there if it is behind,
so a batch stored by JetStream but whose acks were lost is never published twice.

NATS being down never touches the writers: appends only write Postgres. The relay retries
with backoff and catches up when NATS is back.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

import asyncpg
from nats.aio.client import Client as NATS
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError

from contracts.envelope import EventEnvelope, encode_envelope
from contracts.subjects import EVENTS_STREAM, event_subject
from eventlog.bus import POSITION_HEADER, ensure_events_stream
from eventlog.metrics import RELAY_LAG, RELAY_PUBLISHED
from eventlog.store import NOTIFY_CHANNEL, head_position, read_after

log = logging.getLogger(__name__)

ACK_TIMEOUT_S = 10.0
API_TIMEOUT_S = 2.0
MAX_BACKOFF_S = 2.0


class Relay:
    """Moves events from the Postgres log to JetStream."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        nc: NATS,
        *,
        name: str = "jetstream",
        batch_size: int = 1000,
        idle_poll_s: float = 1.0,
        replicas: int = 1,
    ) -> None:
        self._pool = pool
        self._nc = nc
        # A short API timeout: after a leader dies the next request fails fast and is retried
        # once a new leader is elected, instead of waiting out nats-py's default 5 s.
        self._js: JetStreamContext = nc.jetstream(
            timeout=API_TIMEOUT_S, publish_async_max_pending=batch_size * 2
        )
        self._name = name
        self._replicas = replicas
        self._batch_size = batch_size
        self._idle_poll_s = idle_poll_s
        self._wake = asyncio.Event()
        self.published = 0

    async def checkpoint(self) -> int:
        async with self._pool.acquire() as conn:
            return await self._checkpoint(conn)

    async def _checkpoint(self, conn: asyncpg.Connection) -> int:
        await conn.execute(
            "INSERT INTO relay_checkpoints (name) VALUES ($1) ON CONFLICT DO NOTHING", self._name
        )
        return int(
            await conn.fetchval(
                "SELECT position FROM relay_checkpoints WHERE name = $1", self._name
            )
        )

    async def _save(self, conn: asyncpg.Connection, position: int) -> None:
        await conn.execute(
            "UPDATE relay_checkpoints SET position = $2, updated_at = now() "
            "WHERE name = $1 AND position < $2",
            self._name,
            position,
        )

    async def reconcile(self) -> None:
        """Move the checkpoint up to the last position JetStream already holds."""
        try:
            info = await self._js.stream_info(EVENTS_STREAM)
        except NotFoundError:  # the NATS volume was lost: start the stream again
            log.warning("relay: stream %s missing; creating it", EVENTS_STREAM)
            await ensure_events_stream(self._js, self._replicas)
            return
        if not info.state.last_seq:
            return
        msg = await self._js.get_msg(EVENTS_STREAM, seq=info.state.last_seq)
        stored = int((msg.headers or {}).get(POSITION_HEADER, "0"))
        async with self._pool.acquire() as conn:
            await self._save(conn, stored)

    async def publish_pending(self) -> int:
        """Publish one batch after the checkpoint; return how many events it held."""
        async with self._pool.acquire() as conn:
            events = await read_after(conn, await self._checkpoint(conn), self._batch_size)
            if not events:
                return 0
            await self._publish(events)
            await self._save(conn, events[-1].position)
        self.published += len(events)
        RELAY_PUBLISHED.inc(len(events))
        return len(events)

    async def _publish(self, events: list[EventEnvelope]) -> None:
        futures = []
        for event in events:
            headers = {"Nats-Msg-Id": str(event.event_id), POSITION_HEADER: str(event.position)}
            futures.append(
                await self._js.publish_async(
                    event_subject(event.org_id, event.event_type),
                    encode_envelope(event),
                    headers=headers,
                )
            )
        await asyncio.wait_for(asyncio.gather(*futures), ACK_TIMEOUT_S)

    async def drain(self) -> int:
        """Publish until the log is exhausted; return how many were published."""
        total = 0
        while n := await self.publish_pending():
            total += n
        await self._measure_lag()
        return total

    async def _measure_lag(self) -> None:
        async with self._pool.acquire() as conn:
            RELAY_LAG.set(await head_position(conn) - await self._checkpoint(conn))

    async def run(
        self, stop: asyncio.Event, on_error: Callable[[Exception], None] | None = None
    ) -> None:
        """Relay until ``stop`` is set, woken by NOTIFY or every ``idle_poll_s``."""
        listener = await self._pool.acquire()
        await listener.add_listener(NOTIFY_CHANNEL, self._notified)
        delay = 0.2
        needs_reconcile = True
        try:
            while not stop.is_set():
                self._wake.clear()
                try:
                    if needs_reconcile:
                        await self.reconcile()
                        needs_reconcile = False
                    await self.drain()
                    delay = 0.2
                except Exception as exc:  # retried: NATS or Postgres unavailable
                    needs_reconcile = True
                    if on_error:
                        on_error(exc)
                    log.warning("relay: %s: %s; retrying in %.1fs", type(exc).__name__, exc, delay)
                    await _sleep_or_stop(stop, delay)
                    delay = min(delay * 2, MAX_BACKOFF_S)
                    continue
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self._idle_poll_s)
        finally:
            with contextlib.suppress(Exception):
                await listener.remove_listener(NOTIFY_CHANNEL, self._notified)
            await self._pool.release(listener)

    def _notified(self, *_: object) -> None:
        self._wake.set()


async def _sleep_or_stop(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
