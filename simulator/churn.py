"""Drivers joining and leaving as the clock moves on (``churn_per_hour``, off by default).

Trips, realtime statuses and Bolt price reviews already follow the clock (``activity``
derives them from the time, so a later "now" shows more of them). What the clock alone does
not change is who drives for the fleet: this module adds it. Every whole hour of the clock
since the simulator started brings ``churn_per_hour`` roster events, each one slot joining
(both providers onboard its driver: one person on both or two people, see ``platforms``) or
one driver leaving each provider.
The events of hour ``h`` are drawn from ``Random(f"{seed}:churn:{h}")`` and applied in hour
order, lazily, when a request arrives: the same seed and the same clock give the same roster,
however many requests came in between.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Protocol

HOUR_S = 3600
MAX_CATCH_UP_HOURS = 24 * 62  # a clock jumping years ahead must not freeze the simulator


class ChurningWorld(Protocol):
    """What churn needs from a provider world."""

    def driver_count(self) -> int:
        """Number of live drivers."""
        ...

    def add_drivers(self, count: int) -> Sequence[object]:
        """Onboard drivers."""
        ...

    def remove_drivers(self, count: int) -> Sequence[object]:
        """Offboard drivers."""
        ...


class Churn:
    """Applies the roster events of every hour up to now, once each, in order."""

    def __init__(
        self, seed: int, per_hour: int, start_s: int, worlds: Sequence[ChurningWorld]
    ) -> None:
        self._seed, self._per_hour, self._worlds = seed, per_hour, worlds
        self._done_hour = start_s // HOUR_S  # the hour the simulator started in brings nothing
        self.joined = 0
        self.left = 0

    def catch_up(self, now_s: int) -> None:
        """Apply the events of the hours that ended since the last call."""
        if self._per_hour <= 0:
            return
        now_hour = now_s // HOUR_S
        first = max(self._done_hour + 1, now_hour - MAX_CATCH_UP_HOURS + 1)
        for hour in range(first, now_hour + 1):
            self._apply_hour(hour)
        self._done_hour = max(self._done_hour, now_hour)

    def _apply_hour(self, hour: int) -> None:
        rng = random.Random(f"{self._seed}:churn:{hour}")
        for _ in range(self._per_hour):
            leaving = rng.random() < 0.5 and all(w.driver_count() > 1 for w in self._worlds)
            for world in self._worlds:
                if leaving:
                    world.remove_drivers(1)
                else:
                    world.add_drivers(1)
            self.left += leaving
            self.joined += not leaving
