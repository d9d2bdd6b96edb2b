"""Runs one projection: JetStream for speed, the Postgres log as the authority.

Exactly-once effects come from Postgres: each batch is applied in one transaction that
locks the projection's checkpoint row, skips every event at or below it, applies the rest
and moves the checkpoint. A redelivered or duplicated message changes nothing.

The JetStream message stream may miss events (stream lost, relay behind) or carry them
around a hole left by a rolled-back append. So when a batch does not start right after the
checkpoint, the runner reads that range from the log itself instead. It also reads the log
at start and whenever JetStream is idle while the log is ahead, so the projection is
complete even with NATS down.

One active instance per projection: the runner holds a session advisory lock keyed on the
projection's name; a second projector process waits on it as a standby.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence

import asyncpg
from nats.aio.client import Client as NATS
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from contracts.envelope import EventEnvelope, decode_envelope
from contracts.subjects import ALL_EVENTS, EVENTS_STREAM
from eventlog.store import head_position, read_after
from projector.projection import Projection

log = logging.getLogger(__name__)


class ProjectionRunner:
    """Keeps one projection up to date."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        nc: NATS | None,
        projection: Projection,
        *,
        batch_size: int = 500,
        fetch_timeout_s: float = 1.0,
    ) -> None:
        self._pool = pool
        self._nc = nc
        self.projection = projection
        self._batch_size = batch_size
        self._fetch_timeout_s = fetch_timeout_s
        self.applied = 0

    @property
    def durable(self) -> str:
        return f"projector-{self.projection.name}"

    async def checkpoint(self) -> int:
        return int(
            await self._pool.fetchval(
                "SELECT coalesce((SELECT position FROM projection_checkpoints WHERE name = $1), 0)",
                self.projection.name,
            )
        )

    async def handle(self, events: Sequence[EventEnvelope]) -> int:
        """Apply a batch once; return the checkpoint after it."""
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute(
                "INSERT INTO projection_checkpoints (name) VALUES ($1) ON CONFLICT DO NOTHING",
                self.projection.name,
            )
            done = int(
                await conn.fetchval(
                    "SELECT position FROM projection_checkpoints WHERE name = $1 FOR UPDATE",
                    self.projection.name,
                )
            )
            fresh = sorted(
                {e.position: e for e in events if e.position > done}.values(),
                key=lambda e: e.position,
            )
            if not fresh:
                return done
            if fresh[0].position != done + 1:  # a hole: the log says what is in it
                span = min(fresh[-1].position - done, 10 * self._batch_size)
                fresh = await read_after(conn, done, span)
            wanted = [e for e in fresh if e.event_type in self.projection.event_types]
            if wanted:
                await self.projection.apply(conn, wanted)
            await conn.execute(
                "UPDATE projection_checkpoints SET position = $2, updated_at = now() "
                "WHERE name = $1",
                self.projection.name,
                fresh[-1].position,
            )
        self.applied += len(wanted)
        return fresh[-1].position

    async def catch_up(self) -> int:
        """Apply everything the log holds after the checkpoint; return the new checkpoint."""
        position = await self.checkpoint()
        while True:
            async with self._pool.acquire() as conn:
                events = await read_after(conn, position, self._batch_size)
            if not events:
                return position
            position = await self.handle(events)

    async def run(self, stop: asyncio.Event) -> None:
        """Hold the projection's lock, catch up from the log, then follow JetStream."""
        async with self._pool.acquire() as lock_conn:
            await self._wait_for_lock(lock_conn, stop)
            if stop.is_set():
                return
            log.info(
                "projection %s active from position %d",
                self.projection.name,
                await self.checkpoint(),
            )
            await self.catch_up()
            await self._follow(stop)

    async def _wait_for_lock(self, conn: asyncpg.Connection, stop: asyncio.Event) -> None:
        key = f"projection:{self.projection.name}"
        while not stop.is_set():
            if await conn.fetchval("SELECT pg_try_advisory_lock(hashtext($1))", key):
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 2.0)

    async def _follow(self, stop: asyncio.Event) -> None:
        if self._nc is None:
            return await self._poll_log(stop)
        js = self._nc.jetstream()
        sub = await js.pull_subscribe(
            ALL_EVENTS,
            durable=self.durable,
            stream=EVENTS_STREAM,
            config=ConsumerConfig(
                ack_policy=AckPolicy.EXPLICIT,
                deliver_policy=DeliverPolicy.ALL,
                ack_wait=30,
                max_ack_pending=self._batch_size * 4,
            ),
        )
        while not stop.is_set():
            try:
                msgs = await sub.fetch(self._batch_size, timeout=self._fetch_timeout_s)
            except TimeoutError:
                await self._catch_up_if_behind()
                continue
            except Exception as exc:  # NATS away: keep the projection fed from the log
                log.warning("projection %s: JetStream fetch failed (%s)", self.projection.name, exc)
                await self._catch_up_if_behind()
                await asyncio.sleep(0.5)
                continue
            await self.handle([decode_envelope(m.data) for m in msgs])
            for msg in msgs:
                await msg.ack()

    async def _catch_up_if_behind(self) -> None:
        async with self._pool.acquire() as conn:
            head = await head_position(conn)
        if head > await self.checkpoint():
            await self.catch_up()

    async def _poll_log(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await self._catch_up_if_behind()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self._fetch_timeout_s)
