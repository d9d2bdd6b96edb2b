"""Our token bucket (``ingest.http.RateLimiter``) beside aiolimiter's ``AsyncLimiter``.

Not part of ``make bench`` (no database, no figure of the product): run it by hand when the
choice in docs/DEPENDENCIES.md is in question::

    .venv/bin/python bench/compare_limiters.py

``N`` acquisitions by ``TASKS`` concurrent tasks, paced at ``RATE``/s with bursts of
``BURST``; for each limiter, side by side:

* the rate achieved (exactly ``RATE`` uses the whole allowance; below it leaves a margin);
* the most acquisitions in any window of one second (a provider's bucket of the same
  shape allows ``RATE + BURST``);
* the shortest gap between two acquisitions once the burst is spent: under ``1 / RATE``,
  a provider enforcing the same bucket sees two calls closer than it allows whenever the
  network delays the first more than the second, and answers 429;
* the cost of an acquisition when the bucket never runs dry (what every call pays).

aiolimiter's limiter is a leaky bucket of capacity ``max_rate`` drained over ``time_period``,
so ``AsyncLimiter(BURST, BURST / RATE)`` is the same contract: ``RATE``/s, bursts of ``BURST``.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Awaitable, Callable

from aiolimiter import AsyncLimiter

from ingest.http import RateLimiter

RATE = 200.0
BURST = 10
N = 1000
TASKS = 4
IDLE_N = 100_000

Acquire = Callable[[], Awaitable[object]]
Make = Callable[[float, int], Acquire]


def ours(rate: float, burst: int) -> Acquire:
    return RateLimiter(rate, burst, "bench").acquire


def aiolimiter(rate: float, burst: int) -> Acquire:
    return AsyncLimiter(burst, burst / rate).acquire


LIMITERS: dict[str, Make] = {"ours": ours, "aiolimiter": aiolimiter}


async def stamps_of(make: Make) -> tuple[float, list[float]]:
    """When each of ``N`` acquisitions was granted, from ``TASKS`` tasks at once."""
    acquire = make(RATE, BURST)
    stamps: list[float] = []

    async def worker(count: int) -> None:
        for _ in range(count):
            await acquire()
            stamps.append(time.monotonic())

    start = time.monotonic()
    await asyncio.gather(*(worker(N // TASKS) for _ in range(TASKS)))
    return start, sorted(stamps)


def most_in_a_second(stamps: list[float]) -> int:
    most, left = 0, 0
    for right, stamp in enumerate(stamps):
        while stamp - stamps[left] > 1.0:
            left += 1
        most = max(most, right - left + 1)
    return most


async def paced(make: Make) -> tuple[float, int, float]:
    """Achieved rate, the most in one second, the shortest gap after the burst (ms)."""
    start, stamps = await stamps_of(make)
    steady = stamps[BURST:]
    gap = min(b - a for a, b in itertools.pairwise(steady))
    return len(stamps) / (stamps[-1] - start), most_in_a_second(stamps), gap * 1000


async def idle_cost(make: Make) -> float:
    acquire = make(1e12, 1_000_000)
    t0 = time.perf_counter()
    for _ in range(IDLE_N):
        await acquire()
    return (time.perf_counter() - t0) / IDLE_N * 1e6


def row(label: str, values: list[str]) -> str:
    return f"{label:34}" + "".join(f"{v:>14}" for v in values)


async def main() -> None:
    print(f"{N} acquisitions, {TASKS} tasks, {RATE:.0f}/s with bursts of {BURST}")
    print(row("", list(LIMITERS)))
    runs = [await paced(make) for make in LIMITERS.values()]
    idle = [await idle_cost(make) for make in LIMITERS.values()]
    print(row("achieved rate (/s)", [f"{r[0]:.1f}" for r in runs]))
    print(row(f"most in 1 s (bucket: {RATE + BURST:.0f})", [str(r[1]) for r in runs]))
    print(row(f"shortest gap, ms (1/rate: {1000 / RATE:.1f})", [f"{r[2]:.2f}" for r in runs]))
    print(row("idle cost (µs/acquire)", [f"{i:.2f}" for i in idle]))


if __name__ == "__main__":
    asyncio.run(main())
