"""A three-node NATS cluster keeps the events stream (R3) going when its leader dies.

Injected: SIGKILL of the node leading the FLEET_EVENTS stream while the relay publishes a
steady flow of appended events. Verified: every event reaches the stream exactly once, in
log order, and the relay's longest stall stays within a leader election plus the relay's
ack timeout.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from uuid import UUID

import asyncpg
import pytest
from nats.js import JetStreamContext

from contracts.subjects import EVENTS_STREAM
from core.config import DatabaseSettings
from eventlog import relay as relay_module
from eventlog.bus import connect, ensure_events_stream
from eventlog.relay import Relay
from eventlog.store import head_position
from tests.helpers import append_drivers, driver_observation
from tests.natshelp import ELECTING, stream_events
from tests.scale.natscluster import NatsCluster, wait_for_jetstream
from tests.scale.progress import Progress

pytestmark = [pytest.mark.scale, pytest.mark.timeout(120)]

APPEND_EVERY_S = 0.02
AFTER_KILL_S = 6.0
# A leader election takes a few seconds; a batch in flight when the leader dies is only
# retried once the relay's ack timeout expires (eventlog/relay.py), so that bounds the stall.
STALL_LIMIT_S = relay_module.ACK_TIMEOUT_S + 5.0


async def _ensure_r3_stream(js: JetStreamContext, timeout_s: float = 20.0) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            await ensure_events_stream(js, replicas=3)
            info = await js.stream_info(EVENTS_STREAM)
            if info.cluster and info.cluster.leader:
                return
        except Exception:
            if time.monotonic() > deadline:
                raise
        await asyncio.sleep(0.2)


async def _leader(js: JetStreamContext, timeout_s: float = 20.0) -> str:
    """The stream's leader, once the cluster has one (asked again while it elects)."""
    deadline = time.monotonic() + timeout_s
    while True:
        with contextlib.suppress(*ELECTING):
            info = await js.stream_info(EVENTS_STREAM)
            if info.cluster and info.cluster.leader:
                return info.cluster.leader
        if time.monotonic() > deadline:
            raise TimeoutError("the events stream has no leader")
        await asyncio.sleep(0.2)


async def _relay_from_head(pool: asyncpg.Pool, name: str) -> None:
    """Start a relay checkpoint at the log's head: this test publishes only its own events."""
    async with pool.acquire() as conn:
        await conn.execute(
            "INSERT INTO relay_checkpoints (name, position) VALUES ($1, $2)",
            name,
            await head_position(conn),
        )


async def _append_until(
    pool: asyncpg.Pool, org_id: UUID, appended: list[int], stop: asyncio.Event
) -> None:
    while not stop.is_set():
        appended += await append_drivers(
            pool, org_id, [driver_observation(f"c{len(appended)}-{uuid.uuid4().hex[:6]}")]
        )
        await asyncio.sleep(APPEND_EVERY_S)


async def _wait(predicate, timeout_s: float) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout_s
    while not await predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met in time")
        await asyncio.sleep(0.05)


async def test_events_reach_an_r3_stream_exactly_once_when_its_leader_is_killed(
    writer_pool: asyncpg.Pool, org_id: UUID, tmp_path: Path
) -> None:
    cluster = NatsCluster(tmp_path)
    cluster.start()
    # One seed URL, as NATS_URL gives it: the client learns the other nodes from the cluster.
    nc = await connect(cluster.nodes[0].url, "scale-relay", retry_for_s=20)
    stop_appends, stop_relay = asyncio.Event(), asyncio.Event()
    tasks: list[asyncio.Task[None]] = []
    try:
        await wait_for_jetstream(nc)
        js = nc.jetstream()
        await _ensure_r3_stream(js)

        name = f"scale-{uuid.uuid4().hex[:8]}"
        await _relay_from_head(writer_pool, name)
        relay = Relay(writer_pool, nc, name=name, batch_size=100, idle_poll_s=0.2)
        errors: list[tuple[float, str]] = []
        appended: list[int] = []
        progress = Progress(relay.checkpoint, lambda: appended[-1] if appended else 0)
        tasks += [
            asyncio.create_task(
                relay.run(stop_relay, lambda e: errors.append((time.monotonic(), type(e).__name__)))
            ),
            asyncio.create_task(_append_until(writer_pool, org_id, appended, stop_appends)),
            asyncio.create_task(progress.watch(stop_relay)),
        ]

        async def published(n: int) -> bool:
            return len(appended) >= n and await relay.checkpoint() >= appended[n - 1]

        await _wait(lambda: published(50), 20)
        info = await js.stream_info(EVENTS_STREAM)
        assert info.cluster is not None and info.config.num_replicas == 3
        leader = info.cluster.leader
        assert leader is not None
        before_kill = len(appended)
        killed_at = time.monotonic()
        cluster.kill(leader)
        print(
            f"\n[scale] injected: SIGKILL of {leader}, the FLEET_EVENTS leader "
            f"(R3), after {before_kill} events"
        )

        await asyncio.sleep(AFTER_KILL_S)
        stop_appends.set()
        await tasks[1]
        await _wait(lambda: published(len(appended)), 30)
        caught_up_s = time.monotonic() - killed_at
        new_leader = await _leader(js)
        stall_s, stall_at = progress.longest_stall()

        found = await stream_events(nc, org_id, expect=len(appended), timeout_s=20)
    finally:
        stop_appends.set()
        stop_relay.set()
        await asyncio.gather(*tasks, return_exceptions=True)
        await nc.close()
        cluster.stop()

    positions = [e.position for e in found]
    print(
        f"[scale] verified: {len(appended)} events appended ({len(appended) - before_kill} after "
        f"the kill), {len(positions)} in the stream, in order, none twice; new leader "
        f"{new_leader}; relay errors {[name for _, name in errors]}; longest stall "
        f"{stall_s:.2f}s (starting {stall_at - killed_at:+.2f}s from the kill); caught up "
        f"{caught_up_s:.1f}s after the kill"
    )
    assert positions == appended
    assert new_leader not in (None, leader)
    assert stall_s < STALL_LIMIT_S


def _projector(cluster: NatsCluster, db: DatabaseSettings, log: Path) -> subprocess.Popen[bytes]:
    """`fleet projector` as a deployment runs it: three seed URLs, NATS_STREAM_REPLICAS=3."""
    env = {
        **os.environ,
        "DATABASE_URL": db.owner_url,
        "WRITER_DATABASE_URL": db.writer_url,
        "NATS_URL": ",".join(node.url for node in cluster.nodes),
        "NATS_STREAM_REPLICAS": "3",
        "FLEET_METRICS_PORT": "0",
    }
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "fleet", "projector"], env=env, stdout=out, stderr=out
        )


def _wait_for_log(log: Path, marker: str, count: int, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while log.read_text().count(marker) < count:
        if time.monotonic() > deadline:
            raise TimeoutError(f"no {marker!r} in {log}:\n{log.read_text()[-3000:]}")
        time.sleep(0.1)


async def test_a_restarted_projector_keeps_the_events_stream_at_three_replicas(
    db: DatabaseSettings, tmp_path: Path
) -> None:
    cluster = NatsCluster(tmp_path)
    cluster.start()
    nc = await connect(cluster.nodes[0].url, "scale-replicas", retry_for_s=20)
    log = tmp_path / "projector.log"
    try:
        await wait_for_jetstream(nc)
        js = nc.jetstream()
        await _ensure_r3_stream(js)
        replicas = []
        for run in (1, 2):  # a start, then a restart
            projector = _projector(cluster, db, log)
            try:
                # The runners go active only after the projector has ensured the stream.
                await asyncio.to_thread(_wait_for_log, log, "projection drivers active", run, 60)
                replicas.append((await js.stream_info(EVENTS_STREAM)).config.num_replicas)
            finally:
                projector.send_signal(signal.SIGTERM)
                projector.wait(30)
    finally:
        await nc.close()
        cluster.stop()
    assert replicas == [3, 3]
