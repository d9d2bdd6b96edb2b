"""The providers' rate limits: per-client token buckets per endpoint, and hourly quotas.

Two kinds, on two clocks, on purpose:

* **Token buckets** (``Buckets``) pace requests per second: Uber 10 req/s per endpoint,
  transactions 1 req/s, Bolt 1 req/s with bursts of 5 (docs/PROVIDERS.md §3, §4 #4 and #14).
  They read a monotonic *ticker* (the wall clock's seconds by default), not the simulator's
  ``Clock``:
  pacing is about how fast a real client sends requests, and a ``FixedClock`` that never
  moves would otherwise never refill a bucket.
* **Quotas over a window** (``Quota``) count events against the simulator's ``Clock``: 100
  token mints per hour, 600 signed links per 10 minutes. Tests move a fixed clock to see a
  window slide, and the same calls at the same clock times give the same answers.

The simulator serves one client app per provider, so "per client" is "per provider" here.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from simulator.clock import Clock

Ticker = Callable[[], float]


@dataclass
class _Bucket:
    tokens: float
    at: float


class Buckets:
    """Token buckets by key (``"<provider>:<route>"``), created full on first use."""

    def __init__(self, ticker: Ticker = time.monotonic) -> None:
        self._ticker = ticker
        self._buckets: dict[str, _Bucket] = {}

    def take(self, key: str, rate: float, burst: int) -> float:
        """Take one token: 0.0 when granted, else the seconds until one is available."""
        now = self._ticker()
        bucket = self._buckets.setdefault(key, _Bucket(float(burst), now))
        bucket.tokens = min(float(burst), bucket.tokens + (now - bucket.at) * rate)
        bucket.at = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return 0.0
        return (1.0 - bucket.tokens) / rate


class Quota:
    """At most ``limit`` events within any ``window`` of the simulator's clock."""

    def __init__(self, clock: Clock, limit: int, window: timedelta) -> None:
        self._clock, self._limit, self._window = clock, limit, window
        self._events: deque[datetime] = deque()

    def take(self) -> float:
        """Count one event: 0.0 when within the quota, else seconds until room frees up."""
        now = self._clock.now()
        while self._events and self._events[0] <= now - self._window:
            self._events.popleft()
        if len(self._events) >= self._limit:
            return max((self._events[0] + self._window - now).total_seconds(), 1.0)
        self._events.append(now)
        return 0.0


def retry_after_header(wait_s: float, emit: bool) -> dict[str, str]:
    """``Retry-After`` (whole seconds, at least 1) when the provider is set to send it."""
    return {"Retry-After": str(max(1, math.ceil(wait_s)))} if emit else {}
