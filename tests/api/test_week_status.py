"""A week's status as a pure function: it settles after the delay, and no sooner."""

from __future__ import annotations

from datetime import timedelta

import pytest

from contracts.weeks import IsoWeek, WeekRules, week_bounds
from core.config import ConfigError
from eventlog.coverage import Coverage
from query_api.quality import platform_week, week_rules

RULES = WeekRules()
BOUNDS = week_bounds(IsoWeek.parse("2026-W43"), RULES.starts["uber"])  # clocks go back


def whole(resource: str) -> Coverage:
    return Coverage("uber", "org-1", resource, [BOUNDS], [], 7, BOUNDS[1])


FOUND = [whole(r) for r in ("payments", "transactions", "daily_metrics")]


def test_a_covered_week_is_incomplete_until_the_settling_delay_has_passed() -> None:
    end = BOUNDS[1]
    early = platform_week("uber", BOUNDS, RULES.settling, FOUND, end + timedelta(hours=71))
    settled = platform_week("uber", BOUNDS, RULES.settling, FOUND, end + timedelta(hours=72))

    assert (early.status, early.reasons) == (
        "incomplet",
        ["délai de consolidation : chiffres définitifs le 29/10/2026 04:00"],
    )
    assert (settled.status, settled.reasons) == ("complet", [])
    assert end - BOUNDS[0] == timedelta(hours=169)


def test_a_resource_one_account_never_covered_is_a_gap_over_the_whole_week() -> None:
    now = BOUNDS[1] + timedelta(days=5)
    found = [c for c in FOUND if c.resource != "transactions"]

    week = platform_week("uber", BOUNDS, RULES.settling, found, now)

    [missing] = [r for r in week.resources if r.resource == "transactions"]
    assert week.status == "incomplet"
    assert [(g.start, g.end) for g in missing.gaps] == [BOUNDS]


def test_week_settings_are_read_and_a_bad_one_stops_the_process() -> None:
    rules = week_rules({"FLEET_UBER_WEEK_START": "TUE 05:30", "FLEET_SETTLING_DELAY_H": "24"})

    assert str(rules.starts["uber"]) == "TUE 05:30" and str(rules.starts["bolt"]) == "MON 00:00"
    assert rules.settling == timedelta(hours=24)
    for bad in ({"FLEET_BOLT_WEEK_START": "lundi"}, {"FLEET_SETTLING_DELAY_H": "-1"}):
        with pytest.raises(ConfigError):
            week_rules(bad)
