"""Sync runs: each poll of a resource recorded with its outcome, one poller at a time.

Two ingest processes never poll the same resource of the same tenant at once: a run holds
a session advisory lock keyed on (tenant, provider, resource) on a connection of its own for
its whole duration. A scheduled run that finds the lock taken is recorded as 'skipped' (the
other process is doing the work); a manual run waits for it, then polls.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

import asyncpg

from ingest import metrics
from ingest.coverage import CURRENT_RUN, export_gauges
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
                     appended = $5, quarantined = $6, error = $7,
                     complete = $8, incomplete_reason = $9
WHERE run_id = $1
"""
# Freshness survives a restart: the gauge starts from the last success any process recorded.
_LAST_SUCCESS = """
SELECT extract(epoch FROM finished_at)::float8 FROM sync_runs
WHERE org_id = $1 AND provider = $2 AND resource = $3 AND status = 'succeeded'
ORDER BY requested_at DESC LIMIT 1
"""


@dataclass(frozen=True)
class Resource:
    """One pollable resource of one tenant."""

    org_id: UUID
    provider: str
    resource: str
    poll: Poll
    tenant: str = ""  # the org's slug; empty for the default org (ingest/tenants.py)

    @property
    def name(self) -> str:
        return f"{self.provider}.{self.resource}"

    @property
    def job(self) -> str:
        """Its name in the schedule and the logs: each org's own, the default org's bare."""
        return f"{self.tenant}/{self.name}" if self.tenant else self.name

    @property
    def lock_key(self) -> str:
        return lock_key(self.org_id, self.provider, self.resource)


def lock_key(org_id: UUID, provider: str, resource: str) -> str:
    """The advisory lock a run of this resource holds (hashed with ``hashtext``)."""
    return f"poll:{org_id}:{provider}:{resource}"


def _utc_now() -> datetime:
    return datetime.now(UTC)


class RunRecorder:
    """Runs polls under their lock and records every run in ``sync_runs``."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        manual_wait_s: float = 600.0,
        locks: asyncpg.Pool | None = None,
        now: Callable[[], datetime] = _utc_now,
    ) -> None:
        # Each run holds a lock connection for its whole duration while its poll needs
        # connections of its own: with every resource running at once, one shared pool
        # would hand all its connections to lock holders and starve the polls. `locks` is
        # a pool for the lock connections alone (sized to the number of resources).
        self._pool = pool
        self._locks = locks or pool
        self._manual_wait_s = manual_wait_s
        self._now = now  # the coverage gauges' clock (tests: the simulator's)
        self._seen: set[str] = set()

    async def scheduled(self, target: Resource) -> PollResult | None:
        """A scheduled run; skipped (and recorded so) when another process holds the lock."""
        run_id = await self._pool.fetchval(
            _START, target.org_id, target.provider, target.resource, "schedule"
        )
        return await self._locked(target, run_id, "schedule", wait_s=0.0)

    async def manual(self, target: Resource, run_id: UUID) -> PollResult | None:
        """A run an admin asked for (queued by the API); waits for a run in progress."""
        if await self._pool.fetchval(_CLAIM, run_id) is None:
            log.warning("sync run %s is not queued any more; ignored", run_id)
            return None
        return await self._locked(target, run_id, "manual", wait_s=self._manual_wait_s)

    async def _locked(
        self, target: Resource, run_id: UUID, trigger: str, wait_s: float
    ) -> PollResult | None:
        await self._first_sight(target)
        async with self._locks.acquire() as lock:
            if not await _try_lock(lock, target.lock_key, wait_s):
                metrics.sync_run_skipped(target.provider, target.resource, trigger)
                await self._finish(run_id, "skipped", PollResult(), "another process is polling")
                return None
            try:
                return await self._run(target, run_id, trigger)
            finally:
                await lock.execute("SELECT pg_advisory_unlock(hashtext($1))", target.lock_key)

    async def _run(self, target: Resource, run_id: UUID, trigger: str) -> PollResult:
        started = time.perf_counter()
        token = CURRENT_RUN.set(run_id)  # the coverage the poll claims names its run
        try:
            result = await target.poll()
        except Exception as exc:
            seconds = time.perf_counter() - started
            metrics.sync_run_failed(target.provider, target.resource, trigger, seconds, exc)
            await self._finish(run_id, "failed", PollResult(), f"{type(exc).__name__}: {exc}")
            raise
        finally:
            CURRENT_RUN.reset(token)
            await self._export_coverage(target)
        seconds = time.perf_counter() - started
        metrics.sync_run_succeeded(target.provider, target.resource, trigger, seconds)
        await self._finish(run_id, "succeeded", result, None)
        return result

    async def _export_coverage(self, target: Resource) -> None:
        """The coverage gauges, from Postgres; a failure here never fails the run."""
        try:
            await export_gauges(
                self._pool, target.org_id, target.provider, target.resource, self._now
            )
        except (asyncpg.PostgresError, OSError) as exc:
            log.warning("coverage gauges of %s not refreshed: %s", target.name, exc)

    async def _first_sight(self, target: Resource) -> None:
        """Declare the resource's series and seed its freshness from ``sync_runs``, once."""
        if target.name in self._seen:
            return
        self._seen.add(target.name)
        metrics.declare_resource(target.provider, target.resource)
        last = await self._pool.fetchval(
            _LAST_SUCCESS, target.org_id, target.provider, target.resource
        )
        if last is not None:
            metrics.seed_last_success(target.provider, target.resource, last)

    async def _finish(
        self, run_id: UUID, status: str, result: PollResult, error: str | None
    ) -> None:
        # A failed run stopped somewhere in what it asked: incomplete, for the error's reason.
        # A skipped run fetched nothing and claims nothing: neither complete nor not.
        reasons = result.incomplete or ([error] if status == "failed" and error else [])
        complete = None if status == "skipped" else not reasons
        await self._pool.execute(
            _FINISH,
            run_id,
            status,
            result.calls,
            result.records,
            result.appended,
            result.quarantined,
            error,
            complete,
            "; ".join(reasons) or None,
        )


async def _try_lock(conn: asyncpg.Connection, key: str, wait_s: float) -> bool:
    deadline = asyncio.get_running_loop().time() + wait_s
    while True:
        if await conn.fetchval("SELECT pg_try_advisory_lock(hashtext($1))", key):
            return True
        if asyncio.get_running_loop().time() >= deadline:
            return False
        await asyncio.sleep(0.5)
