"""Parking: an event a projection cannot apply is set aside with its reason, not retried forever.

A batch is applied in a savepoint. If it fails, each event is applied in a savepoint of its
own and the ones that still fail are *parked* in ``parked_events`` (projection, position,
event id, reason) inside the same transaction that moves the checkpoint past them: one bad
record never stops the projection for every tenant, and auditors see what was set aside.
``fleet parked retry`` re-applies them after a fix (:func:`retry_parked`).

Not every failure is the event's fault. A transient error (connection lost, deadlock,
serialisation failure, lock or statement timeout, a cached plan gone stale) and an error of
the projection's own SQL or privileges (SQLSTATE class 42: missing table, column, grant,
syntax) are raised instead: the whole batch rolls back and nothing is parked, so a fault of
the system never turns into thousands of parked events.

Retrying applies an old event after newer ones: projections must tolerate that (the read
tables keep ``last_position`` and only let a newer position win).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import asyncpg

from contracts.envelope import EventEnvelope
from eventlog.store import read_after
from projector.checkpoints import lock_checkpoint
from projector.projection import Projection

log = logging.getLogger(__name__)

Upcast = Callable[[EventEnvelope], EventEnvelope]

_NOT_THE_EVENTS_FAULT: tuple[type[BaseException], ...] = (
    asyncpg.TransactionRollbackError,  # deadlock, serialisation failure
    asyncpg.PostgresConnectionError,
    asyncpg.InsufficientResourcesError,
    asyncpg.OperatorInterventionError,  # includes statement timeouts and cancellation
    asyncpg.LockNotAvailableError,
    asyncpg.InvalidCachedStatementError,
    asyncpg.SyntaxOrAccessError,  # class 42: the projection's SQL or grants are wrong
    asyncpg.InterfaceError,
    OSError,
    TimeoutError,
)
_MAX_REASON = 2000


def parkable(exc: BaseException) -> bool:
    """Whether ``exc`` is the event's fault (park it) rather than the system's (raise)."""
    return isinstance(exc, Exception) and not isinstance(exc, _NOT_THE_EVENTS_FAULT)


def reason_of(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:_MAX_REASON]


async def _apply_in_savepoint(
    conn: asyncpg.Connection,
    projection: Projection,
    events: Sequence[EventEnvelope],
    upcast: Upcast,
) -> None:
    async with conn.transaction():  # nested: a savepoint of the caller's transaction
        await projection.apply(conn, [upcast(e) for e in events])


async def apply_or_park(
    conn: asyncpg.Connection,
    projection: Projection,
    events: Sequence[EventEnvelope],
    upcast: Upcast,
) -> int:
    """Apply ``events`` in the caller's transaction, parking those that fail; return parked."""
    try:
        await _apply_in_savepoint(conn, projection, events, upcast)
        return 0
    except Exception as exc:
        if not parkable(exc):
            raise
        log.info("projection %s: batch failed (%s); one by one", projection.name, reason_of(exc))
    parked = 0
    for event in events:
        try:
            await _apply_in_savepoint(conn, projection, [event], upcast)
        except Exception as exc:
            if not parkable(exc):
                raise
            await park(conn, projection.name, event, reason_of(exc))
            parked += 1
    return parked


_PARK_SQL = """
INSERT INTO parked_events (projection, position, event_id, event_type, org_id, reason)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (projection, position) WHERE resolved_at IS NULL
DO UPDATE SET reason = excluded.reason, parked_at = now()
"""


async def park(conn: asyncpg.Connection, projection: str, event: EventEnvelope, why: str) -> None:
    """Record that ``projection`` could not apply ``event``, and why."""
    log.warning("projection %s: parked event %d: %s", projection, event.position, why)
    await conn.execute(
        _PARK_SQL, projection, event.position, event.event_id, event.event_type, event.org_id, why
    )


@dataclass(frozen=True)
class RetryResult:
    """What one ``fleet parked retry`` pass did for a projection."""

    projection: str
    applied: int
    still_parked: int


async def open_parked(conn: asyncpg.Connection | asyncpg.Pool, projection: str) -> list[int]:
    """Positions of the open parked events of ``projection``, in log order."""
    rows = await conn.fetch(
        "SELECT position FROM parked_events WHERE projection = $1 AND resolved_at IS NULL "
        "ORDER BY position",
        projection,
    )
    return [int(r["position"]) for r in rows]


_RESOLVE_SQL = """
UPDATE parked_events SET retries = retries + 1, retried_at = now(),
    resolved_at = CASE WHEN $3::text IS NULL THEN now() END,
    resolution = CASE WHEN $3::text IS NULL THEN 'applied' END,
    reason = coalesce($3, reason)
WHERE projection = $1 AND position = $2 AND resolved_at IS NULL
"""


async def retry_one(
    conn: asyncpg.Connection, projection: Projection, position: int, upcast: Upcast
) -> bool:
    """Re-apply one parked event in the caller's transaction; True when it applied."""
    [event] = await read_after(conn, position - 1, 1)
    try:
        await _apply_in_savepoint(conn, projection, [event], upcast)
        failure = None
    except Exception as exc:
        if not parkable(exc):
            raise
        failure = reason_of(exc)
    await conn.execute(_RESOLVE_SQL, projection.name, position, failure)
    return failure is None


async def retry_parked(pool: asyncpg.Pool, projection: Projection, upcast: Upcast) -> RetryResult:
    """Re-apply every open parked event of ``projection``, each in its own transaction.

    Each transaction locks the projection's checkpoint row first, like the live runner, so a
    retry never interleaves with a batch of the running projector.
    """
    applied = failed = 0
    for position in await open_parked(pool, projection.name):
        async with pool.acquire() as conn, conn.transaction():
            await lock_checkpoint(conn, projection.name)
            if await retry_one(conn, projection, position, upcast):
                applied += 1
            else:
                failed += 1
    return RetryResult(projection.name, applied, failed)
