"""Providers' weeks: where each platform's week starts, as pure functions (no I/O, no clock).

Uber's weekly statements run from Monday 04:00 to the next Monday 04:00, Paris time; Bolt's
from Monday 00:00 to Monday 00:00. A week is named by the ISO week (``YYYY-Www``) of the
Monday it starts on. The boundary is a Paris wall-clock time, so a week that contains a
clock change lasts 167 or 169 hours: each bound is converted to UTC on its own day, never
computed as "start + 7 days" in UTC.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")
Provider = Literal["uber", "bolt"]
PROVIDERS: tuple[Provider, ...] = ("uber", "bolt")
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


@dataclass(frozen=True)
class Boundary:
    """From ``effective_from`` (a Monday, Paris), ``provider``'s money week starts at ``start``."""

    effective_from: date
    provider: Provider
    start: WeekStart


DEFAULT_BOUNDARIES: tuple[Boundary, ...] = (
    Boundary(date(2000, 1, 3), "uber", WeekStart.parse("MON 04:00")),
    Boundary(date(2000, 1, 3), "bolt", WeekStart.parse("MON 00:00")),
)


def parse_boundaries(text: str) -> tuple[Boundary, ...]:
    """``2000-01-03 uber MON 04:00; 2000-01-03 bolt MON 00:00`` (``;``-separated)."""
    rows = []
    for part in filter(None, (p.strip() for p in text.split(";"))):
        day, provider, start = [*part.split(maxsplit=2), "", ""][:3]
        if provider not in PROVIDERS:
            raise ValueError(f"{part!r}: the provider is uber or bolt")
        rows.append(Boundary(date.fromisoformat(day), provider, WeekStart.parse(start)))
    for provider in PROVIDERS:
        if not any(r.provider == provider for r in rows):
            raise ValueError(f"no week boundary for {provider}")
    return tuple(sorted(rows, key=lambda r: (r.provider, r.effective_from)))


def boundary(rows: tuple[Boundary, ...], provider: Provider, week: IsoWeek) -> WeekStart:
    """The start in force for ``week``: the latest row effective on or before its Monday
    (before every row: the earliest one)."""
    mine = sorted((r for r in rows if r.provider == provider), key=lambda r: r.effective_from)
    if not mine:
        raise ValueError(f"no week boundary for {provider}")
    chosen = mine[0]
    for row in mine:
        if row.effective_from <= week.monday():
            chosen = row
    return chosen.start


def money_window(
    rows: tuple[Boundary, ...], provider: Provider, week: IsoWeek
) -> tuple[datetime, datetime]:
    """``provider``'s money of settlement ``week``: ``[start, end)`` in UTC. It ends where the
    next week starts, so weeks tile even across a change of boundary."""
    start, _ = week_bounds(week, boundary(rows, provider, week))
    following = shift(week, 1)
    return start, week_bounds(following, boundary(rows, provider, following))[0]


def shift(week: IsoWeek, weeks: int) -> IsoWeek:
    """The week ``weeks`` after ``week`` (negative: before)."""
    year, number, _ = (week.monday() + timedelta(weeks=weeks)).isocalendar()
    return IsoWeek(year, number)


def money_week(rows: tuple[Boundary, ...], provider: Provider, moment: datetime) -> IsoWeek:
    """The settlement week whose ``provider`` money contains ``moment`` (a trip's end)."""
    here = week_of(moment, WeekStart())  # the Paris calendar week
    for candidate in (here, shift(here, -1), shift(here, 1)):
        start, end = money_window(rows, provider, candidate)
        if start <= moment < end:
            return candidate
    raise ValueError(f"no {provider} week holds {moment}")  # starts are Monday, at most 23:59


# The one week setting (``FLEET_WEEK_STARTS``): what quality judges, what settlements pay and
# what ingest asks Uber for are the same weeks. ``FLEET_SETTLEMENT_WEEK_STARTS`` is its old
# name (core/names.py); ``FLEET_UBER_WEEK_START`` and ``FLEET_BOLT_WEEK_START``, one start
# each without a date, are refused with the new name.
WEEK_STARTS = "FLEET_WEEK_STARTS"
SETTLING_DELAY = "FLEET_SETTLING_DELAY_H"


@dataclass(frozen=True)
class WeekRules:
    """Each provider's week starts, each from the Monday it takes effect, and how long after a
    week ends its figures settle."""

    boundaries: tuple[Boundary, ...] = DEFAULT_BOUNDARIES
    settling: timedelta = timedelta(hours=72)

    def start(self, provider: Provider, week: IsoWeek) -> WeekStart:
        """Where ``provider``'s ``week`` starts (the row in force on its Monday)."""
        return boundary(self.boundaries, provider, week)

    def bounds(self, provider: Provider, week: IsoWeek) -> tuple[datetime, datetime]:
        """``provider``'s ``week`` ``[start, end)`` in UTC, ending where the next one starts."""
        return money_window(self.boundaries, provider, week)

    def week_of(self, provider: Provider, moment: datetime) -> IsoWeek:
        """``provider``'s week holding ``moment``."""
        return money_week(self.boundaries, provider, moment)


def week_rules_of(env: Mapping[str, str]) -> WeekRules:
    """``FLEET_WEEK_STARTS`` and ``FLEET_SETTLING_DELAY_H``, or their defaults; ValueError
    naming the setting when one is malformed."""
    default = WeekRules()
    try:
        starts = env.get("FLEET_WEEK_STARTS")
        boundaries = parse_boundaries(starts) if starts else default.boundaries
    except ValueError as exc:
        raise ValueError(f"{WEEK_STARTS}: {exc}") from exc
    try:
        hours = int(env.get("FLEET_SETTLING_DELAY_H") or default.settling.total_seconds() // 3600)
    except ValueError as exc:
        raise ValueError(f"{SETTLING_DELAY}: {exc}") from exc
    if hours < 0:
        raise ValueError(f"{SETTLING_DELAY} must not be negative")
    return WeekRules(boundaries, timedelta(hours=hours))


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
