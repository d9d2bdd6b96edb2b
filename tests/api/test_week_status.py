"""A week's status as a pure function: it settles after the delay, and no sooner."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from contracts.weeks import IsoWeek, WeekRules, money_window
from core.config import ConfigError
from eventlog.coverage import Coverage
from ingest.uber.setup import uber_poll_settings
from ingest.uber.windows import Window, pay_week
from query_api.quality import platform_week, week_rules
from query_api.settlement_rules import settlement_rules

RULES = WeekRules()
BOUNDS = RULES.bounds("uber", IsoWeek.parse("2026-W43"))  # clocks go back


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
    starts = "2000-01-03 uber TUE 05:30; 2000-01-03 bolt MON 00:00; 2026-03-02 bolt MON 02:00"
    rules = week_rules({"FLEET_WEEK_STARTS": starts, "FLEET_SETTLING_DELAY_H": "24"})

    assert str(rules.start("uber", IsoWeek.parse("2026-W10"))) == "TUE 05:30"
    assert str(rules.start("bolt", IsoWeek.parse("2026-W09"))) == "MON 00:00"
    assert str(rules.start("bolt", IsoWeek.parse("2026-W10"))) == "MON 02:00"  # its Monday on
    assert rules.settling == timedelta(hours=24)
    for bad, name in (({"FLEET_WEEK_STARTS": "2000-01-03 bolt lundi"}, "FLEET_WEEK_STARTS"),
                      ({"FLEET_SETTLING_DELAY_H": "-1"}, "FLEET_SETTLING_DELAY_H")):  # fmt: skip
        with pytest.raises(ConfigError, match=name):
            week_rules(bad)


def test_one_week_setting_dates_quality_settlements_and_ubers_pay_week_alike() -> None:
    env = {"FLEET_WEEK_STARTS": "2000-01-03 uber MON 06:00; 2000-01-03 bolt MON 00:00"}
    week, at = IsoWeek.parse("2026-W10"), datetime(2026, 3, 9, 4, 30, tzinfo=UTC)  # Mon 05:30
    quality = week_rules(env).bounds("uber", week)
    paid = settlement_rules(env).boundaries
    assert quality == money_window(paid, "uber", week)
    assert quality[1] == datetime(2026, 3, 9, 5, tzinfo=UTC)  # Monday 06:00 in Paris
    assert pay_week(at, uber_poll_settings(env).weeks) == Window(*quality)  # still W10 at 05:30
    assert Window(*quality) != pay_week(at, WeekRules())  # by the default, already W11
