"""Providers' weeks in UTC: Paris wall-clock boundaries, right across both clock changes."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from contracts.resources import DECLARED
from contracts.weeks import (
    WEEK_RESOURCES,
    WINDOWED,
    IsoWeek,
    WeekRules,
    WeekStart,
    week_bounds,
    week_of,
)

UBER = WeekRules().start("uber", IsoWeek(2026, 10))
BOLT = WeekRules().start("bolt", IsoWeek(2026, 10))


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.mark.parametrize(
    ("week", "start", "expected", "hours"),
    [
        # winter (CET, UTC+1): Monday 04:00 in Paris is 03:00 UTC
        ("2026-W02", UBER, utc(2026, 1, 5, 3), 168),
        ("2026-W02", BOLT, utc(2026, 1, 4, 23), 168),
        # summer (CEST, UTC+2)
        ("2026-W27", UBER, utc(2026, 6, 29, 2), 168),
        ("2026-W27", BOLT, utc(2026, 6, 28, 22), 168),
        # clocks go forward on Sunday 29 March 2026: the week loses an hour
        ("2026-W13", UBER, utc(2026, 3, 23, 3), 167),
        ("2026-W13", BOLT, utc(2026, 3, 22, 23), 167),
        # clocks go back on Sunday 25 October 2026: the week gains one
        ("2026-W43", UBER, utc(2026, 10, 19, 2), 169),
        ("2026-W43", BOLT, utc(2026, 10, 18, 22), 169),
    ],
)
def test_a_week_runs_from_its_paris_start_to_the_next_whatever_the_season(
    week: str, start: WeekStart, expected: datetime, hours: int
) -> None:
    first, end = week_bounds(IsoWeek.parse(week), start)

    assert first == expected
    assert end - first == timedelta(hours=hours)
    assert week_bounds(IsoWeek.parse(week), start)[1] == end


def test_an_instant_before_the_monday_boundary_belongs_to_the_previous_uber_week() -> None:
    monday_0330_paris = utc(2026, 1, 5, 2, 30)
    monday_0400_paris = utc(2026, 1, 5, 3, 0)

    assert str(week_of(monday_0330_paris, UBER)) == "2026-W01"
    assert str(week_of(monday_0400_paris, UBER)) == "2026-W02"
    assert str(week_of(monday_0330_paris, BOLT)) == "2026-W02"


def test_week_of_and_week_bounds_agree_on_every_hour_of_a_clock_change_week() -> None:
    week = IsoWeek.parse("2026-W43")
    first, end = week_bounds(week, UBER)
    at = first
    while at < end:
        assert week_of(at, UBER) == week, at
        at += timedelta(minutes=30)
    assert week_of(end, UBER) != week
    assert week_of(first - timedelta(seconds=1), UBER) != week


def test_week_starts_and_weeks_are_parsed_strictly() -> None:
    assert WeekStart.parse("mon 04:00") == WeekStart(0, time(4, 0))
    assert str(WeekStart.parse("SUN 23:30")) == "SUN 23:30"
    for bad in ("MON 4:00", "MONDAY 04:00", "XYZ 04:00", "MON 24:00", ""):
        with pytest.raises(ValueError):
            WeekStart.parse(bad)
    for bad in ("2026-W00", "2026-W54", "2025-W53", "2026-14", "2026W14"):
        with pytest.raises(ValueError):
            IsoWeek.parse(bad)
    assert str(IsoWeek.parse("2026-W53")) == "2026-W53"


def test_the_windowed_resources_are_declared_ones() -> None:
    declared = {(r.provider, r.name) for r in DECLARED}
    windowed = {(p, r) for p, names in WINDOWED.items() for r in names}
    judged = {(p, r) for p, names in WEEK_RESOURCES.items() for r in names}

    assert judged <= windowed <= declared
