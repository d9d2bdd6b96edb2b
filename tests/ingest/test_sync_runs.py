"""Sync runs: every poll recorded, one poller per resource, manual syncs over JetStream."""

from __future__ import annotations

import asyncio
from uuid import UUID

import asyncpg
import pytest

from contracts.commands import SYNC_ENCODER, SyncRequested
from contracts.subjects import sync_subject
from eventlog.bus import connect, ensure_commands_stream
from ingest.pages import PollResult
from ingest.runs import Resource, RunRecorder
from ingest.sync import SyncConsumer, sweep_interrupted_runs
from tests.conftest import NatsServer
from tests.helpers import finished_run


def resource(org_id: UUID, poll, name: str = "drivers") -> Resource:  # type: ignore[no-untyped-def]
    return Resource(org_id, "uber", name, poll)


async def _runs(pool: asyncpg.Pool, org_id: UUID) -> list[asyncpg.Record]:
    return await pool.fetch(
        "SELECT status, trigger, appended, error FROM sync_runs WHERE org_id = $1 "
        "ORDER BY requested_at, status",
        org_id,
    )


async def test_a_scheduled_run_is_recorded_with_its_counts(
    writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    async def poll() -> PollResult:
        return PollResult(calls=2, records=10, appended=3)

    await RunRecorder(writer_pool).scheduled(resource(org_id, poll))
    [run] = await _runs(writer_pool, org_id)
    assert (run["status"], run["trigger"], run["appended"]) == ("succeeded", "schedule", 3)


async def test_two_runs_of_one_resource_never_poll_at_the_same_time(
    writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    active = 0
    overlap = False

    async def poll() -> PollResult:
        nonlocal active, overlap
        active += 1
        overlap |= active > 1
        await asyncio.sleep(0.3)
        active -= 1
        return PollResult()

    target = resource(org_id, poll)
    await asyncio.gather(
        RunRecorder(writer_pool).scheduled(target), RunRecorder(writer_pool).scheduled(target)
    )
    assert not overlap
    assert sorted(r["status"] for r in await _runs(writer_pool, org_id)) == ["skipped", "succeeded"]


async def test_a_failed_poll_is_recorded_failed_with_its_reason(
    writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    async def poll() -> PollResult:
        raise RuntimeError("provider down")

    with pytest.raises(RuntimeError):
        await RunRecorder(writer_pool).scheduled(resource(org_id, poll))
    [run] = await _runs(writer_pool, org_id)
    assert run["status"] == "failed" and "provider down" in run["error"]


async def test_a_sync_command_over_jetstream_runs_the_queued_run(
    writer_pool: asyncpg.Pool, owner_pool: asyncpg.Pool, org_id: UUID, nats_server: NatsServer
) -> None:
    polled = asyncio.Event()

    async def poll() -> PollResult:
        polled.set()
        return PollResult(appended=5)

    run_id = await owner_pool.fetchval(
        "INSERT INTO sync_runs (org_id, provider, resource, trigger, status) "
        "VALUES ($1, 'uber', 'drivers', 'manual', 'queued') RETURNING run_id",
        org_id,
    )
    nc = await connect(nats_server.url, "test-sync", retry_for_s=10)
    stop = asyncio.Event()
    consumer = SyncConsumer(writer_pool, nc, RunRecorder(writer_pool), [resource(org_id, poll)])
    task = asyncio.create_task(consumer.run(stop))
    try:
        js = nc.jetstream()
        await ensure_commands_stream(js)
        command = SyncRequested(run_id=run_id, org_id=org_id, provider="uber", resource="drivers")
        await js.publish(sync_subject(org_id, "uber", "drivers"), SYNC_ENCODER.encode(command))
        await asyncio.wait_for(polled.wait(), 15)
        run = await finished_run(owner_pool, run_id, wait_s=5)
    finally:
        stop.set()
        await task
        await nc.close()
    assert run["status"] == "succeeded"


async def test_a_run_left_running_by_a_dead_process_is_failed_at_start(
    writer_pool: asyncpg.Pool, owner_pool: asyncpg.Pool, org_id: UUID
) -> None:
    run_id = await owner_pool.fetchval(
        "INSERT INTO sync_runs (org_id, provider, resource, trigger, status, started_at) "
        "VALUES ($1, 'uber', 'drivers', 'schedule', 'running', now()) RETURNING run_id",
        org_id,
    )
    assert await sweep_interrupted_runs(writer_pool) >= 1
    assert (
        await owner_pool.fetchval("SELECT status FROM sync_runs WHERE run_id = $1", run_id)
        == "failed"
    )
