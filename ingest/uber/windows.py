"""Time windows of the windowed Uber polls, as pure functions of "now" (no I/O, no clock).

Uber's windowed endpoints each have their own limits (docs/PROVIDERS.md §1.5.4–1.5.7):

* analytics-data/query: at most ~8 days per call, measured from the earliest start to the
  latest end of its time ranges. We ask one range per Europe/Paris day, so a day of the read
  table is exactly what the provider summed; a chunk is cut by real duration, so a 25-hour
  autumn day is accounted for.
* earners/payments: only the last 24 hours; a wider window is clamped *silently*.
* transactions: at most 15 minutes per call, within the last 24 hours (else 400).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from contracts.weeks import WeekRules

PARIS = ZoneInfo("Europe/Paris")
Now = Callable[[], datetime]


def utc_now() -> datetime:
    """The wall clock, in UTC (the default clock of the pollers)."""
    return datetime.now(UTC)


def epoch_ms(at: datetime) -> int:
    """Epoch milliseconds of an aware datetime."""
    return int(at.timestamp() * 1000)


def from_ms(ms: int) -> datetime:
    """An aware UTC datetime from epoch milliseconds."""
    return datetime.fromtimestamp(ms / 1000, UTC)


@dataclass(frozen=True)
class Window:
    """A half-open ``[start, end)`` span of time (aware UTC datetimes)."""

    start: datetime
    end: datetime

    @property
    def span(self) -> timedelta:
        return self.end - self.start


@dataclass(frozen=True)
class Day:
    """A Europe/Paris calendar day and its UTC bounds (23, 24 or 25 hours)."""

    day: date
    window: Window


def paris_day(day: date) -> Day:
    """The UTC bounds of a Paris day: from its local midnight to the next."""
    start = datetime.combine(day, time(), PARIS).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(), PARIS).astimezone(UTC)
    return Day(day, Window(start, end))


def paris_today(now: datetime) -> date:
    """The Paris calendar day containing ``now``."""
    return now.astimezone(PARIS).date()


def paris_days(first: date, last: date) -> list[Day]:
    """Every Paris day from ``first`` to ``last`` inclusive."""
    count = (last - first).days + 1
    return [paris_day(first + timedelta(days=i)) for i in range(max(count, 0))]


def chunk_days(days: list[Day], max_span: timedelta = timedelta(days=8)) -> list[list[Day]]:
    """Consecutive days grouped so that each group spans at most ``max_span`` of real time."""
    chunks: list[list[Day]] = []
    for day in days:
        current = chunks[-1] if chunks else None
        if current and day.window.end - current[0].window.start <= max_span:
            current.append(day)
        else:
            chunks.append([day])
    return chunks


def bucket_start(at: datetime, step: timedelta) -> datetime:
    """The start of the epoch-aligned bucket of length ``step`` containing ``at``."""
    seconds = step.total_seconds()
    aligned = (at.timestamp() // seconds) * seconds
    return datetime.fromtimestamp(aligned, UTC)


def buckets(start: datetime, end: datetime, step: timedelta) -> list[tuple[datetime, Window]]:
    """``(bucket start, asked window)`` pairs covering ``[start, end)``.

    Buckets are aligned to the epoch (whole hours fit in Paris days). The first window may
    start inside its bucket (a late start) and the last one stops at ``end`` (still open).
    """
    out: list[tuple[datetime, Window]] = []
    key = bucket_start(start, step)
    while key < end:
        out.append((key, Window(max(key, start), min(key + step, end))))
        key += step
    return out


def slices(start: datetime, end: datetime, size: timedelta) -> list[Window]:
    """``[start, end)`` cut into consecutive windows of at most ``size``."""
    out: list[Window] = []
    at = start
    while at < end:
        out.append(Window(at, min(at + size, end)))
        at += size
    return out


def pay_week(at: datetime, rules: WeekRules) -> Window:
    """The Uber pay week holding ``at``, by the week setting (``FLEET_WEEK_STARTS``,
    contracts/weeks.py): a trip paid before 04:00 on a Monday belongs to the week before
    (docs/MONEY.md)."""
    return Window(*rules.bounds("uber", rules.week_of("uber", at)))
