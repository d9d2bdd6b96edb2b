"""Two ingest processes share the polling of a resource: never both at once, and one takes
over when the other dies.

Injected: the ingest instance that is polling dies mid-poll (its database sessions are
dropped, as when its process is killed, and its task cancelled). Verified: the two never
polled the resource at the same time; the survivor's next scheduled run takes the freed
lock and polls; the dead run is swept to 'failed'.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from uuid import UUID

import asyncpg
import pytest

from core.config import DatabaseSettings
from ingest.pages import PollResult
from ingest.runs import Resource, RunRecorder
from ingest.sync import sweep_interrupted_runs
from tests.helpers import append_drivers, driver_observation

pytestmark = [pytest.mark.scale, pytest.mark.timeout(120)]

POLL_S = 0.3
SCHEDULE_EVERY_S = 0.1
RUN_FOR_S = 3.0


class Instance:
    """One ingest process: its own pool, a recorder, and a schedule firing every 100 ms."""

    def __init__(self, label: str, pool: asyncpg.Pool, shared: dict[str, object]) -> None:
        self.label = label
        self.pool = pool
        self.recorder = RunRecorder(pool)
        self.shared = shared
        self.polls: list[tuple[float, float]] = []
        self.polling = asyncio.Event()

    def resource(self, org_id: UUID, writer: asyncpg.Pool) -> Resource:
        async def poll() -> PollResult:
            started = time.monotonic()
            self.shared["active"] = int(self.shared["active"]) + 1  # type: ignore[call-overload]
            self.shared["overlap"] = bool(self.shared["overlap"]) or self.shared["active"] != 1
            self.polling.set()
            try:
                n = len(self.polls)
                await append_drivers(writer, org_id, [driver_observation(f"{self.label}{n}")])
                await asyncio.sleep(POLL_S)
            finally:
                self.shared["active"] = int(self.shared["active"]) - 1  # type: ignore[call-overload]
                self.polling.clear()
            self.polls.append((started, time.monotonic()))
            return PollResult(calls=1, records=1, appended=1)

        return Resource(org_id, "uber", "drivers", poll)

    async def schedule(self, target: Resource, stop: asyncio.Event) -> None:
        while not stop.is_set():
            with contextlib.suppress(Exception):
                await self.recorder.scheduled(target)
            await asyncio.sleep(SCHEDULE_EVERY_S)


async def _statuses(pool: asyncpg.Pool, org_id: UUID) -> dict[str, int]:
    rows = await pool.fetch(
        "SELECT status, count(*) AS n FROM sync_runs WHERE org_id = $1 GROUP BY status", org_id
    )
    return {row["status"]: row["n"] for row in rows}


async def test_two_ingest_instances_never_poll_at_once_and_one_takes_over(
    db: DatabaseSettings, writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    shared: dict[str, object] = {"active": 0, "overlap": False}
    a = Instance("a", await asyncpg.create_pool(db.writer_url, min_size=1, max_size=3), shared)
    b = Instance("b", await asyncpg.create_pool(db.writer_url, min_size=1, max_size=3), shared)
    stop = asyncio.Event()
    tasks = {
        i.label: asyncio.create_task(i.schedule(i.resource(org_id, writer_pool), stop))
        for i in (a, b)
    }
    try:
        await asyncio.sleep(RUN_FOR_S)
        # Kill whichever instance is polling right now.
        dying, survivor = (a, b) if not b.polling.is_set() else (b, a)
        await asyncio.wait_for(dying.polling.wait(), 10)
        survivor_polls = len(survivor.polls)
        killed_at = time.monotonic()
        dying.pool.terminate()
        tasks.pop(dying.label).cancel()
        print(
            f"\n[scale] injected: ingest '{dying.label}' killed mid-poll, after "
            f"{len(a.polls)} polls by a and {len(b.polls)} by b"
        )
        while len(survivor.polls) <= survivor_polls:
            assert time.monotonic() - killed_at < 20, "the survivor never polled again"
            await asyncio.sleep(0.02)
        takeover_s = survivor.polls[survivor_polls][0] - killed_at
        await asyncio.sleep(1.0)
    finally:
        stop.set()
        await asyncio.gather(*tasks.values(), return_exceptions=True)
        for instance in (a, b):
            instance.pool.terminate()

    swept = await sweep_interrupted_runs(writer_pool)
    statuses = await _statuses(writer_pool, org_id)
    print(
        f"[scale] verified: {len(a.polls)} polls by a, {len(b.polls)} by b, never two at once; "
        f"'{survivor.label}' polled {takeover_s:.2f}s after the kill; runs {statuses} "
        f"({swept} swept to failed)"
    )
    assert not shared["overlap"]
    assert a.polls and b.polls
    assert statuses.get("failed", 0) >= 1  # the killed run, failed by the sweep
    assert statuses.get("skipped", 0) > 0 and statuses.get("running", 0) == 0
