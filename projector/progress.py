"""A one-line progress bar on stderr: done/total, events per second and time left.

Written for ``fleet replay``. On a terminal the line redraws in place at most ten times a
second; in a log file (stderr not a terminal) it prints a plain line every ten seconds, which
rich's progress display would not: docs/DEPENDENCIES.md says why this stays ours.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO


def _clock(seconds: float) -> str:
    seconds = max(int(seconds), 0)
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


class Progress:
    """Progress of ``total`` units of work, started now."""

    def __init__(self, label: str, total: int, out: TextIO | None = None) -> None:
        self.label = label
        self.total = max(total, 0)
        self.done = 0
        self._out = out or sys.stderr
        self._tty = self._out.isatty()
        self._started = time.monotonic()
        self._drawn = 0.0

    def rate(self) -> float:
        """Units per second so far."""
        elapsed = time.monotonic() - self._started
        return self.done / elapsed if elapsed > 0 else 0.0

    def line(self) -> str:
        """The text of the bar as it stands."""
        share = self.done / self.total if self.total else 1.0
        bar = "#" * int(share * 24)
        rate = self.rate()
        eta = _clock((self.total - self.done) / rate) if rate else "?"
        return (
            f"{self.label} [{bar:<24}] {self.done:,}/{self.total:,} events "
            f"{rate:,.0f} ev/s ETA {eta}"
        )

    def update(self, done: int) -> None:
        """Record ``done`` units finished; redraw when it is time."""
        self.done = min(max(done, 0), self.total) if self.total else done
        now = time.monotonic()
        if now - self._drawn >= (0.1 if self._tty else 10.0):
            self._draw()
            self._drawn = now

    def finish(self) -> None:
        """Draw the final state and end the line."""
        self._draw()
        if self._tty:
            self._out.write("\n")
        self._out.flush()

    def _draw(self) -> None:
        if self._tty:
            self._out.write("\r\x1b[2K" + self.line())
        else:
            self._out.write(self.line() + "\n")
        self._out.flush()
