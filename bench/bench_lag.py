"""Commit-to-read-model lag at a steady 1,000 events/s, relay and projector running.

The relay (``fleet relay``) and the projector (``fleet projector``) run as their own
processes on the bench's embedded PostgreSQL and NATS. A writer appends a page of 50 changed
drivers every 50 ms for ``DURATION_S``; an observer polls the projector's checkpoint every
2 ms (it moves in the transaction that changes the read table). Lag of a page = the moment
its checkpoint is seen − the moment its append committed.

Baseline: the same commits seen by a LISTEN on the log's NOTIFY channel, the fastest any
reader of the log can learn about a commit (≈ 0, or below 0 when the notification beats
the writer's own COMMIT reply); the rest is relay + JetStream + projector.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from uuid import UUID

import asyncpg
from _harness import (
    append_driver_page,
    driver_observations,
    embedded,
    fleet_processes,
    new_org,
    percentile,
    report,
    scaled,
)

from eventlog.store import NOTIFY_CHANNEL

RATE = 1000
PAGE = 50
DURATION_S = scaled(20)
DRIVERS = 2000


async def _append(conn: asyncpg.Connection, org: UUID, round_: int, offset: int) -> int:
    positions = await append_driver_page(conn, org, driver_observations(PAGE, round_, offset))
    return positions[-1]


async def _checkpoint(conn: asyncpg.Connection) -> int:
    value = await conn.fetchval(
        "SELECT position FROM projection_checkpoints WHERE name = 'drivers'"
    )
    return int(value or 0)


class Observer:
    """Sees pages land in the read model (checkpoint) and on the NOTIFY channel."""

    def __init__(self) -> None:
        self.committed: dict[int, float] = {}  # last position of a page → commit time
        self.notified: dict[int, float] = {}
        self.projected: dict[int, float] = {}

    def on_notify(self, *args: object) -> None:
        self.notified[int(str(args[-1]))] = time.perf_counter()

    async def watch(self, conn: asyncpg.Connection, writing_done: asyncio.Event) -> None:
        while not (writing_done.is_set() and len(self.projected) == len(self.committed)):
            seen = await _checkpoint(conn)
            now = time.perf_counter()
            for position in self.committed:
                if position <= seen and position not in self.projected:
                    self.projected[position] = now
            await asyncio.sleep(0.002)

    def lags(self, seen: dict[int, float]) -> list[float]:
        return [(seen[p] - t) * 1000 for p, t in self.committed.items() if p in seen]


async def _wait_projected(conn: asyncpg.Connection, position: int, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while await _checkpoint(conn) < position:
        if time.monotonic() > deadline:
            raise RuntimeError("the projector did not catch up; is it running?")
        await asyncio.sleep(0.05)


async def _run(state: Path, owner_url: str) -> Observer:
    writer, watcher, listener = [await asyncpg.connect(owner_url) for _ in range(3)]
    observer, stop = Observer(), asyncio.Event()
    org = await new_org(writer)
    await _wait_projected(watcher, await _append(writer, org, 0, 0), 60)  # warm-up
    await listener.add_listener(NOTIFY_CHANNEL, observer.on_notify)
    watch = asyncio.create_task(observer.watch(watcher, stop))
    started, pages = time.perf_counter(), int(DURATION_S * RATE / PAGE)
    for n in range(pages):
        await asyncio.sleep(max(started + n * PAGE / RATE - time.perf_counter(), 0))
        last = await _append(writer, org, 1 + n * PAGE // DRIVERS, n * PAGE % DRIVERS)
        observer.committed[last] = time.perf_counter()
    stop.set()  # the watcher returns once every page is projected
    await asyncio.wait_for(watch, 60)
    for conn in (writer, watcher, listener):
        await conn.close()
    return observer


async def main() -> None:
    async with embedded(nats=True) as (state, db):
        with fleet_processes(state, "relay", "projector"):
            observer = await _run(state, db.owner_url)
    lag, base = observer.lags(observer.projected), observer.lags(observer.notified)
    figures = {
        "rate_eps": RATE,
        "duration_s": DURATION_S,
        "pages": len(observer.committed),
        "lag_p50_ms": percentile(lag, 0.5),
        "lag_p99_ms": percentile(lag, 0.99),
        "notify_p50_ms": percentile(base, 0.5),
        "notify_p99_ms": percentile(base, 0.99),
    }
    report(
        "lag",
        [
            f"commit → read model at {RATE:,} ev/s for {DURATION_S} s: "
            f"p50 {figures['lag_p50_ms']:.1f} ms, p99 {figures['lag_p99_ms']:.1f} ms",
            f"  baseline, commit → LISTEN/NOTIFY: p50 {figures['notify_p50_ms']:.1f} ms, "
            f"p99 {figures['notify_p99_ms']:.1f} ms",
        ],
        figures,
    )


if __name__ == "__main__":
    asyncio.run(main())
