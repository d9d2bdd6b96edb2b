"""Runs one projection: JetStream for speed, the Postgres log as the authority.

Live events come from the process's feed (``projector/feed.py``: one JetStream subscription
decoded once for every projection), taken from the runner's inbox in batches.

Exactly-once effects come from Postgres: each batch is applied in one transaction that
locks the projection's checkpoint row, skips every event at or below it, applies the rest
and moves the checkpoint. A redelivered or duplicated message changes nothing.

The JetStream message stream may miss events (stream lost, relay behind, a redelivery
mixed with newer messages) or carry them around a hole left by a rolled-back append. So when
a batch is not exactly the positions right after the checkpoint, the runner reads that range
from the log itself instead (the property test in tests/projector found a batch with a gap
in its middle, which checking only the first position let through). It also reads the log
at start and whenever JetStream is idle while the log is ahead, so the projection is
complete even with NATS down.

Every event passes through the upcaster hook (``contracts.upcasting``) before ``apply``, so
projections only see current contracts. An event the projection cannot apply is parked with
its reason and the projection goes on (``projector/parking.py``).

One active instance per projection: the runner holds a session advisory lock keyed on the
projection's name; a second projector process waits on it as a standby.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence

import asyncpg

from contracts.envelope import EventEnvelope
from contracts.upcasting import upcast_envelope
from eventlog.store import head_position, read_after
from projector.checkpoints import lock_checkpoint, read_checkpoint, save_checkpoint
from projector.feed import EventFeed
from projector.parking import Upcast, apply_or_park
from projector.projection import Projection

log = logging.getLogger(__name__)


class ProjectionRunner:
    """Keeps one projection up to date."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        feed: EventFeed | None,
        projection: Projection,
        *,
        batch_size: int = 500,
        fetch_timeout_s: float = 1.0,
        upcast: Upcast = upcast_envelope,
    ) -> None:
        self._pool = pool
        self._feed = feed
        self.projection = projection
        self._batch_size = batch_size
        self._fetch_timeout_s = fetch_timeout_s
        self._upcast: Upcast = CurrentSkipped(upcast)
        self.applied = 0
        self.parked = 0

    async def checkpoint(self) -> int:
        return await read_checkpoint(self._pool, self.projection.name)

    async def handle(self, events: Sequence[EventEnvelope]) -> int:
        """Apply a batch once; return the checkpoint after it."""
        async with self._pool.acquire() as conn, conn.transaction():
            done = await lock_checkpoint(conn, self.projection.name)
            fresh = sorted(
                {e.position: e for e in events if e.position > done}.values(),
                key=lambda e: e.position,
            )
            if not fresh:
                return done
            if fresh[-1].position - done != len(fresh):  # a hole before or inside the batch:
                span = min(fresh[-1].position - done, 10 * self._batch_size)
                # the log says what is in it, up to the batch's end: holes (rolled-back
                # appends) mean ``span`` events may reach past it, past a rebuild's ``until``
                fresh = await read_after(conn, done, span, until=fresh[-1].position)
            counts = await self._apply(conn, fresh, fresh[-1].position)
        self._count(*counts)
        return fresh[-1].position

    async def apply_through(self, events: Sequence[EventEnvelope], through: int) -> int:
        """Apply ``events``, read from the log: every event of the projection's types after
        the checkpoint and up to ``through`` (``eventlog.store.read_types_after``); move the
        checkpoint to ``through`` and return it (or the checkpoint, if already past it).

        No hole check: the other types' positions are missing by design, and the log has
        no other gaps to fill (a read of the log is complete up to where it stops).
        """
        async with self._pool.acquire() as conn, conn.transaction():
            done = await lock_checkpoint(conn, self.projection.name)
            if done >= through:
                return done
            counts = await self._apply(conn, [e for e in events if e.position > done], through)
        self._count(*counts)
        return through

    async def _apply(
        self, conn: asyncpg.Connection, fresh: list[EventEnvelope], through: int
    ) -> tuple[int, int]:
        """Apply ``fresh`` and move the checkpoint to ``through``, in the caller's transaction;
        return (applied, parked)."""
        counts = await apply_fresh(conn, self.projection, fresh, self._upcast)
        await save_checkpoint(conn, self.projection.name, through)
        return counts

    def _count(self, applied: int, parked: int) -> None:
        """Count a committed batch."""
        self.applied += applied
        self.parked += parked

    async def catch_up(
        self, until: int | None = None, on_batch: Callable[[int], None] | None = None
    ) -> int:
        """Apply the log after the checkpoint (up to ``until``); return the new checkpoint.

        The next batch is read (on another connection) while this one is applied; if the
        checkpoint did not end where that read started (another instance moved it), the
        read is thrown away. ``on_batch`` is called with the checkpoint after each batch.
        """
        position = await self.checkpoint()
        reading = self._read(position, until)
        try:
            while reading is not None:
                events = await reading
                if not events:
                    return position
                ahead = events[-1].position
                reading = self._read(ahead, until)
                position = await self.handle(events)
                if position != ahead and reading is not None:
                    await reading
                    reading = self._read(position, until)
                if on_batch is not None:
                    on_batch(position)
            return position
        finally:
            await drop_read_ahead(reading)

    def _read(self, position: int, until: int | None) -> asyncio.Task[list[EventEnvelope]] | None:
        """Start reading the batch after ``position`` (None: ``until`` is reached)."""
        if until is not None and position >= until:
            return None
        limit = self._batch_size if until is None else min(self._batch_size, until - position)
        return asyncio.create_task(self._read_batch(position, limit, until))

    async def _read_batch(
        self, position: int, limit: int, until: int | None
    ) -> list[EventEnvelope]:
        async with self._pool.acquire() as conn:
            return await read_after(conn, position, limit, until=until)

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
        if self._feed is None:
            return await self._poll_log(stop)
        inbox = self._feed.join(limit=self._batch_size * 4)
        stopping = asyncio.ensure_future(stop.wait())
        stopping.add_done_callback(lambda _: inbox.wake())
        try:
            while not stop.is_set():
                events = await inbox.take(self._batch_size, self._fetch_timeout_s)
                if stop.is_set():  # the next start reads what was left from the log
                    return
                if inbox.lost():
                    await self.catch_up()
                elif events:
                    await self.handle(events)
                else:
                    await self._catch_up_if_behind()
        finally:
            stopping.cancel()
            self._feed.leave(inbox)

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


async def drop_read_ahead(reading: asyncio.Task[list[EventEnvelope]] | None) -> None:
    """Cancel a batch read ahead that is no longer wanted, and wait for it to end."""
    if reading is not None:
        reading.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await reading


class CurrentSkipped:
    """``upcast``, not called again for an (event type, version) it once left untouched.

    Contracts and upcasters do not change while a process runs, and asking the catalog for
    every event was a measurable share of a rebuild (docs/SCALING.md, "Rebuild").
    """

    def __init__(self, upcast: Upcast) -> None:
        self._upcast = upcast
        self._current: set[tuple[str, int]] = set()

    def __call__(self, event: EventEnvelope) -> EventEnvelope:
        key = (event.event_type, event.schema_version)
        if key in self._current:
            return event
        upcast = self._upcast(event)
        if upcast is event:
            self._current.add(key)
        return upcast


async def apply_fresh(
    conn: asyncpg.Connection, projection: Projection, events: list[EventEnvelope], upcast: Upcast
) -> tuple[int, int]:
    """Apply the events ``projection`` wants among ``events``; return (applied, parked)."""
    wanted = [e for e in events if e.event_type in projection.event_types]
    if not wanted:
        return 0, 0
    parked = await apply_or_park(conn, projection, wanted, upcast)
    return len(wanted) - parked, parked


async def advance(
    conn: asyncpg.Connection,
    projection: Projection,
    until: int,
    upcast: Upcast = upcast_envelope,
    *,
    batch_size: int = 1000,
) -> int:
    """Inside the caller's transaction, apply the log up to ``until``; return the position.

    Locks the projection's checkpoint row until the caller commits; a projection already at
    or past ``until`` is left where it is.
    """
    position = await lock_checkpoint(conn, projection.name)
    while position < until:
        events = await read_after(conn, position, batch_size, until=until)
        if not events:
            break
        await apply_fresh(conn, projection, events, upcast)
        position = events[-1].position
    await save_checkpoint(conn, projection.name, position)
    return position
