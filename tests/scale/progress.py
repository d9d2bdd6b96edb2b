"""Watching a position move over time: the longest stall while work was waiting."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field


@dataclass
class Progress:
    """Samples ``done()`` and ``wanted()`` every ``every_s``; a stall is time spent behind
    without moving."""

    done: Callable[[], Awaitable[int]]
    wanted: Callable[[], int]
    every_s: float = 0.05
    samples: list[tuple[float, int, int]] = field(default_factory=list)

    async def watch(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            self.samples.append((time.monotonic(), await self.done(), self.wanted()))
            await asyncio.sleep(self.every_s)

    def longest_stall(self) -> tuple[float, float]:
        """(seconds, start time) of the longest span behind the wanted position without moving."""
        worst, worst_at = 0.0, 0.0
        since: float | None = None
        last_done = -1
        for at, done, wanted in self.samples:
            if done != last_done or done >= wanted:
                since = None if done >= wanted else at
                last_done = done
                continue
            if since is None:
                since = at
            if at - since > worst:
                worst, worst_at = at - since, since
        return worst, worst_at
