"""Providers' weeks: where each platform's week starts, as pure functions (no I/O, no clock).

Uber's weekly statements run from Monday 04:00 to the next Monday 04:00, Paris time; Bolt's
from Monday 00:00 to Monday 00:00. A week is named by the ISO week (``YYYY-Www``) of the
Monday it starts on. The boundary is a Paris wall-clock time, so a week that contains a
clock change lasts 167 or 169 hours: each bound is converted to UTC on its own day, never
computed as "start + 7 days" in UTC.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")
DAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")
_START = re.compile(r"^\s*([A-Za-z]{3})\s+([01]\d|2[0-3]):([0-5]\d)\s*$")
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


@dataclass(frozen=True)
class WeekStart:
    """A week's first instant, as a weekday and a Paris wall-clock time."""

    weekday: int = 0  # 0 = Monday, as ``date.weekday()``
    at: time = time(0, 0)

    @classmethod
    def parse(cls, text: str) -> WeekStart:
        """``"MON 04:00"`` (a weekday's three letters and HH:MM); ValueError otherwise."""
        match = _START.match(text)
        if not match or match.group(1).upper() not in DAYS:
            raise ValueError(f"{text!r} is not a week start like 'MON 04:00'")
        day, hour, minute = match.groups()
        return cls(DAYS.index(day.upper()), time(int(hour), int(minute)))

    def __str__(self) -> str:
        return f"{DAYS[self.weekday]} {self.at:%H:%M}"


@dataclass(frozen=True)
class WeekRules:
    """Each provider's week start, and how long after a week ends its figures settle."""

    starts: dict[str, WeekStart] = field(
        default_factory=lambda: {"uber": WeekStart(0, time(4, 0)), "bolt": WeekStart(0, time())}
    )
    settling: timedelta = timedelta(hours=72)


@dataclass(frozen=True)
class IsoWeek:
    """An ISO week (``2026-W14``)."""

    year: int
    week: int

    @classmethod
    def parse(cls, text: str) -> IsoWeek:
        """``YYYY-Www``; ValueError for anything else or a week the year does not have."""
        match = _WEEK.match(text)
        if not match:
            raise ValueError(f"{text!r} is not a week like 2026-W14")
        week = cls(int(match.group(1)), int(match.group(2)))
        week.monday()  # raises for W00, or W53 of a 52-week year
        return week

    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.week, 1)

    def __str__(self) -> str:
        return f"{self.year:04d}-W{self.week:02d}"


def week_bounds(week: IsoWeek, start: WeekStart) -> tuple[datetime, datetime]:
    """The provider week ``[start, end)`` in UTC: from its start in ``week`` to the next."""
    first = week.monday() + timedelta(days=start.weekday)
    return _instant(first, start.at), _instant(first + timedelta(days=7), start.at)


def week_of(moment: datetime, start: WeekStart) -> IsoWeek:
    """The provider week containing ``moment`` (an aware datetime)."""
    local = moment.astimezone(PARIS)
    shifted = local.replace(tzinfo=None) - timedelta(days=start.weekday)
    shifted -= timedelta(hours=start.at.hour, minutes=start.at.minute)
    year, week, _ = shifted.date().isocalendar()
    return IsoWeek(year, week)


def _instant(day: date, at: time) -> datetime:
    """A Paris wall-clock time on ``day``, in UTC (a time skipped in spring comes out as the
    instant an hour later, ZoneInfo's reading of it)."""
    return datetime.combine(day, at, PARIS).astimezone(UTC)


# Resources whose coverage is spans of time (the others are full listings: their coverage is
# the instant of the last complete one). ``WEEK_RESOURCES`` are those a week is judged on:
# Bolt's recent orders repeat the orders' last hours, so the orders' own windows must cover.
WINDOWED = {
    "uber": ("daily_metrics", "payments", "transactions"),
    "bolt": ("orders", "recent_orders", "state_logs"),
}
WEEK_RESOURCES = {
    "uber": ("daily_metrics", "payments", "transactions"),
    "bolt": ("orders", "state_logs"),
}
