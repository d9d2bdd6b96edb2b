"""Time windows of the Bolt list endpoints: unix seconds, half-open, at most 31 days.

Every Bolt list endpoint requires ``start_ts < end_ts`` and refuses a range longer than
31 days with code 498806 (docs/PROVIDERS.md §2.6), so a longer range (a first backfill, or the
catch-up after downtime) is walked as consecutive windows, oldest first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

DAY_S = 86400
MAX_WINDOW_S = 31 * DAY_S


@dataclass(frozen=True)
class Window:
    """``[start, end)`` in unix seconds."""

    start: int
    end: int

    def body(self) -> dict[str, int]:
        """The ``start_ts``/``end_ts`` fields of a request body."""
        return {"start_ts": self.start, "end_ts": self.end}


def unix(moment: datetime) -> int:
    """An aware datetime as unix seconds."""
    return int(moment.timestamp())


def split(start: int, end: int, max_s: int = MAX_WINDOW_S) -> list[Window]:
    """``[start, end)`` cut into windows of at most ``max_s`` seconds; none when empty."""
    if max_s <= 0:
        raise ValueError("max_s must be positive")
    windows = []
    while start < end:
        windows.append(Window(start, min(start + max_s, end)))
        start = windows[-1].end
    return windows
