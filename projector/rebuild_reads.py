"""A rebuild reads its projection's own events, not the whole log.

A live runner reads every position after its checkpoint (``ProjectionRunner.catch_up``): it
follows the log's head, and the positions it is handed must be contiguous for it to notice
a gap in what JetStream delivered. A rebuild applies a fixed range (up to ``until``, the
head when it started) straight from the log, where nothing is missing but rolled-back
appends: it can ask for its event types alone (``eventlog.store.read_types_after``: where
the batch ends from the index ``event_log_type``, then the batch's rows) and skip the
rest. On a year of a large fleet that is the difference between each of a dozen tables
reading the 15 million events and each reading its share of them (docs/SCALING.md, "A
year").

The checkpoint moves to the last event read while a batch is full, to ``until`` with the
batch that comes back short: every event of the projection's types up to there is applied.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import asyncpg

from contracts.envelope import EventEnvelope
from eventlog.store import read_types_after
from projector.runner import ProjectionRunner, drop_read_ahead


async def rebuild_through(
    pool: asyncpg.Pool,
    runner: ProjectionRunner,
    until: int,
    batch_size: int,
    on_batch: Callable[[int], None] | None = None,
) -> int:
    """Apply the events of the runner's projection after its checkpoint up to ``until``, in
    batches of ``batch_size``; return the checkpoint (``until``, or past it if another
    instance went further).

    The next batch is read (on another connection) while this one is applied; a checkpoint
    that did not end where that read started throws the read away, as ``catch_up`` does.
    """
    types = sorted(runner.projection.event_types)

    def read(after: int) -> asyncio.Task[list[EventEnvelope]] | None:
        if after >= until:
            return None
        return asyncio.create_task(_read(pool, after, batch_size, types, until))

    position = await runner.checkpoint()
    reading = read(position)
    try:
        while reading is not None:
            events = await reading
            through = events[-1].position if len(events) == batch_size else until
            reading = read(through)
            position = await runner.apply_through(events, through)
            if position != through and reading is not None:
                await reading
                reading = read(position)
            if on_batch is not None:
                on_batch(position)
        return position
    finally:
        await drop_read_ahead(reading)


async def _read(
    pool: asyncpg.Pool, after: int, limit: int, types: list[str], until: int
) -> list[EventEnvelope]:
    async with pool.acquire() as conn:
        return await read_types_after(conn, after, limit, types, until)
