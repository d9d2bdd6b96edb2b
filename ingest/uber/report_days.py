"""Which Paris days' PAYMENTS_ORDER reports a run fetches: every day missed, up to yesterday.

U6 and U7 serve the last 24 hours only, so an outage longer than that loses money that
only a day's report holds (docs/QUALITY.md, "The 24-hour horizon"). When the lost hours
fall on the day before yesterday (down from 20:00 on day D to 02:00 on D+2), yesterday's
report alone cannot fill them: a run catches up every day it owes, oldest first.

A day is *owed* its report, within the last ``catch_up_days`` days up to yesterday, when
it was not fetched completely yet and either

* a gap of the account's payments or transactions lies in it (since their first claim:
  nothing is owed from before polling began; ``eventlog/coverage.py``),
* or it is yesterday (the daily report),
* or it is newer than the oldest day already fetched (a day an outage of the reports poll
  or a FAILED report skipped).

The run fetches every day from the oldest owed day up to yesterday, skipping the days
already fetched. So a run with nothing missed, and a fleet's first run, fetch yesterday's
report alone; a day older than the window is left to its gap (the reconciliation names it).

The days fetched completely are kept in the ``reports`` cursor (``done_days``, only those
still within the window); ``done_day``, the single day a cursor kept before, counts as one.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any


def done_days(cursor: dict[str, Any]) -> set[date]:
    """The days whose report the cursor says was fetched completely."""
    days = [*cursor.get("done_days", ()), *([cursor["done_day"]] if "done_day" in cursor else [])]
    return {date.fromisoformat(str(day)) for day in days}


def with_done(cursor: dict[str, Any], day: date, oldest: date) -> dict[str, Any]:
    """The cursor with ``day`` fetched and without ``pending``; days before ``oldest``
    (out of the window for good) are forgotten."""
    days = sorted(d for d in done_days(cursor) | {day} if d >= oldest)
    rest = {k: v for k, v in cursor.items() if k not in ("pending", "done_day")}
    return {**rest, "done_days": [d.isoformat() for d in days]}


def window_start(yesterday: date, catch_up_days: int) -> date:
    """The oldest day a run may still fetch."""
    return yesterday - timedelta(days=catch_up_days - 1)


def owed_days(
    yesterday: date, done: Iterable[date], oldest_gap: date | None, catch_up_days: int
) -> list[date]:
    """The days to fetch, oldest first (see the module's docstring)."""
    first = window_start(yesterday, catch_up_days)
    done_in = {d for d in done if first <= d <= yesterday}
    starts = [yesterday]
    if oldest_gap is not None and oldest_gap <= yesterday:
        starts.append(max(oldest_gap, first))
    if done_in:
        starts.append(min(done_in) + timedelta(days=1))
    start = min(starts)
    count = (yesterday - start).days + 1
    return [d for d in (start + timedelta(days=i) for i in range(count)) if d not in done_in]
