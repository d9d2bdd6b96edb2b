"""Sync runs: each poll of a resource recorded with its outcome, one poller at a time.

Two ingest processes never poll the same resource of the same tenant at once: a run holds
a session advisory lock keyed on (tenant, provider, resource) on a connection of its own for
its whole duration. A scheduled run that finds the lock taken is recorded as 'skipped' (the
other process is doing the work); a manual run waits for it, then polls.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from uuid import UUID

import asyncpg

from ingest.pages import PollResult

log = logging.getLogger(__name__)

Poll = Callable[[], Awaitable[PollResult]]

_START = """
INSERT INTO sync_runs (org_id, provider, resource, trigger, status, started_at)
VALUES ($1, $2, $3, $4, 'running', now()) RETURNING run_id
"""
_CLAIM = """
UPDATE sync_runs SET status = 'running', started_at = now()
WHERE run_id = $1 AND status = 'queued' RETURNING run_id
"""
_FINISH = """
UPDATE sync_runs SET status = $2, finished_at = now(), calls = $3, records = $4,
                     appended = $5, quarantined = $6, error = $7
WHERE run_id = $1
"""


@dataclass(frozen=True)
class Resource:
    """One pollable resource of one tenant."""

    org_id: UUID
    provider: str
    resource: str
    poll: Poll

    @property
    def name(self) -> str:
        return f"{self.provider}.{self.resource}"

    @property
    def lock_key(self) -> str:
        return lock_key(self.org_id, self.provider, self.resource)


def lock_key(org_id: UUID, provider: str, resource: str) -> str:
    """The advisory lock a run of this resource holds (hashed with ``hashtext``)."""
    return f"poll:{org_id}:{provider}:{resource}"


class RunRecorder:
    """Runs polls under their lock and records every run in ``sync_runs``."""

    def __init__(
        self, pool: asyncpg.Pool, manual_wait_s: float = 600.0, locks: asyncpg.Pool | None = None
    ) -> None:
        # Each run holds a lock connection for its whole duration while its poll needs
        # connections of its own: with every resource running at once, one shared pool
        # would hand all its connections to lock holders and starve the polls. `locks` is
        # a pool for the lock connections alone (sized to the number of resources).
        self._pool = pool
        self._locks = locks or pool
        self._manual_wait_s = manual_wait_s

    async def scheduled(self, target: Resource) -> PollResult | None:
        """A scheduled run; skipped (and recorded so) when another process holds the lock."""
        run_id = await self._pool.fetchval(
            _START, target.org_id, target.provider, target.resource, "schedule"
        )
        return await self._locked(target, run_id, wait_s=0.0)

    async def manual(self, target: Resource, run_id: UUID) -> PollResult | None:
        """A run an admin asked for (queued by the API); waits for a run in progress."""
        if await self._pool.fetchval(_CLAIM, run_id) is None:
            log.warning("sync run %s is not queued any more; ignored", run_id)
            return None
        return await self._locked(target, run_id, wait_s=self._manual_wait_s)

    async def _locked(self, target: Resource, run_id: UUID, wait_s: float) -> PollResult | None:
        async with self._locks.acquire() as lock:
            if not await _try_lock(lock, target.lock_key, wait_s):
                await self._finish(run_id, "skipped", PollResult(), "another process is polling")
                return None
            try:
                return await self._run(target, run_id)
            finally:
                await lock.execute("SELECT pg_advisory_unlock(hashtext($1))", target.lock_key)

    async def _run(self, target: Resource, run_id: UUID) -> PollResult:
        try:
            result = await target.poll()
        except Exception as exc:
            await self._finish(run_id, "failed", PollResult(), f"{type(exc).__name__}: {exc}")
            raise
        await self._finish(run_id, "succeeded", result, None)
        return result

    async def _finish(
        self, run_id: UUID, status: str, result: PollResult, error: str | None
    ) -> None:
        await self._pool.execute(
            _FINISH,
            run_id,
            status,
            result.calls,
            result.records,
            result.appended,
            result.quarantined,
            error,
        )


async def _try_lock(conn: asyncpg.Connection, key: str, wait_s: float) -> bool:
    deadline = asyncio.get_running_loop().time() + wait_s
    while True:
        if await conn.fetchval("SELECT pg_try_advisory_lock(hashtext($1))", key):
            return True
        if asyncio.get_running_loop().time() >= deadline:
            return False
        await asyncio.sleep(0.5)
