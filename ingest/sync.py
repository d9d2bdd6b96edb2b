"""Sync on demand: take ``SyncRequested`` commands from JetStream and run them.

The API records the run as 'queued' and publishes the command on the work-queue stream
``FLEET_COMMANDS``; exactly one ingest process takes it (durable consumer shared by all
ingest processes), claims the run (queued → running, so a redelivered command is a no-op)
and polls under the resource's lock (ingest/runs.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable

import asyncpg
import msgspec
from nats.aio.client import Client as NATS
from nats.aio.msg import Msg
from nats.js.api import AckPolicy, ConsumerConfig

from contracts.commands import SYNC_DECODER, SyncRequested
from contracts.subjects import COMMANDS_PREFIX, COMMANDS_STREAM
from eventlog.bus import ensure_commands_stream
from ingest.runs import Resource, RunRecorder, lock_key

log = logging.getLogger(__name__)

DURABLE = "ingest-sync"

_FAIL_UNKNOWN = """
UPDATE sync_runs SET status = 'failed', finished_at = now(), error = $2
WHERE run_id = $1 AND status = 'queued'
"""
# A run left 'running' by a process that died: its resource lock is free (a live process
# holds the lock for the whole run), so whoever can take the lock may fail the run.
_RUNNING = "SELECT run_id, org_id, provider, resource FROM sync_runs WHERE status = 'running'"
_FAIL_INTERRUPTED = """
UPDATE sync_runs SET status = 'failed', finished_at = now(),
       error = 'ingest stopped during the run'
WHERE run_id = $1 AND status = 'running'
"""


class SyncConsumer:
    """Serves sync commands for the resources this process knows."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        nc: NATS,
        recorder: RunRecorder,
        resources: Iterable[Resource],
        replicas: int = 1,
    ) -> None:
        self._pool = pool
        self._nc = nc
        self._recorder = recorder
        self._resources = {(r.org_id, r.provider, r.resource): r for r in resources}
        self._tasks: set[asyncio.Task[None]] = set()
        self._replicas = replicas

    async def run(self, stop: asyncio.Event) -> None:
        js = self._nc.jetstream()
        await ensure_commands_stream(js, self._replicas)
        sub = await js.pull_subscribe(
            f"{COMMANDS_PREFIX}.sync.>",
            durable=DURABLE,
            stream=COMMANDS_STREAM,
            config=ConsumerConfig(ack_policy=AckPolicy.EXPLICIT, ack_wait=60),
        )
        while not stop.is_set():
            try:
                msgs = await sub.fetch(10, timeout=1.0)
            except TimeoutError:
                continue
            except Exception as exc:  # NATS away: the commands wait in the stream
                log.warning("sync commands: %s", exc)
                await asyncio.sleep(1.0)
                continue
            for msg in msgs:
                await self._take(msg)
        for task in list(self._tasks):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    async def _take(self, msg: Msg) -> None:
        try:
            command = SYNC_DECODER.decode(msg.data)
        except msgspec.DecodeError:
            log.error("unreadable sync command dropped: %r", msg.data[:200])
            await msg.term()
            return
        await msg.ack()  # the run row is the durable record from here on
        task = asyncio.create_task(self._execute(command))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _execute(self, command: SyncRequested) -> None:
        target = self._resources.get((command.org_id, command.provider, command.resource))
        if target is None:
            await self._pool.execute(
                _FAIL_UNKNOWN,
                command.run_id,
                f"this ingest has no {command.provider}.{command.resource}",
            )
            return
        with contextlib.suppress(Exception):  # recorded as failed by the recorder
            await self._recorder.manual(target, command.run_id)


async def sweep_interrupted_runs(pool: asyncpg.Pool) -> int:
    """Fail the runs whose process stopped mid-run; return how many."""
    swept = 0
    async with pool.acquire() as conn:
        for run in await conn.fetch(_RUNNING):
            key = lock_key(run["org_id"], run["provider"], run["resource"])
            if await conn.fetchval("SELECT pg_try_advisory_lock(hashtext($1))", key):
                try:
                    swept += int((await conn.execute(_FAIL_INTERRUPTED, run["run_id"])).split()[-1])
                finally:
                    await conn.execute("SELECT pg_advisory_unlock(hashtext($1))", key)
    return swept
