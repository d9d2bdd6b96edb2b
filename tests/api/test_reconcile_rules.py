"""Reconciliation and legal minimums as pure functions: comparisons, reasons, rules."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.config import ConfigError
from query_api.quality import minimum_fare_rules
from query_api.reconcile import (
    ADJUSTED,
    CANCELLED,
    FROM_REPORT,
    LATE,
    UNCOVERED,
    UNEXPLAINED,
    Evidence,
    MinimumRule,
    difference,
    likely_reason,
    minimum_of,
    parse_minimum_rules,
    rule_on,
)
from query_api.reconciliation import tips_in

cents = st.integers(min_value=-(10**9), max_value=10**9)


@given(cents, cents)
def test_a_difference_is_reported_exactly_when_the_figures_disagree(a: int, b: int) -> None:
    found = difference(a, b)

    assert (found is None) == (a == b)
    assert found is None or (found == a - b and difference(b, a) == -found)


@given(st.one_of(st.none(), cents))
def test_a_missing_figure_is_no_difference(a: int | None) -> None:
    assert difference(a, None) is None and difference(None, a) is None


@given(st.booleans(), st.integers(0, 5), st.integers(0, 5), st.booleans(), st.booleans())
def test_late_data_explains_first_and_nothing_is_unexplained_with_evidence(
    late: bool, adjusted: int, unpaid: int, from_report: bool, uncovered: bool
) -> None:
    reason = likely_reason(Evidence(late, adjusted, unpaid, from_report, uncovered))

    assert (reason == LATE) == late
    assert (reason == UNEXPLAINED) == (
        not late and not adjusted and not unpaid and not from_report and not uncovered
    )
    assert (reason == FROM_REPORT) == (not late and from_report)
    assert reason != UNCOVERED or not (late or from_report)
    assert reason != CANCELLED or not (late or adjusted or from_report or uncovered)
    assert reason != ADJUSTED or not (late or from_report or uncovered)


def test_the_default_rules_are_nine_euros_from_february_2024_and_765_before() -> None:
    rules = minimum_fare_rules({})

    assert rule_on(rules, date(2024, 1, 31)) == MinimumRule(date(2000, 1, 1), ride=765)
    assert rule_on(rules, date(2024, 2, 1)) == MinimumRule(date(2024, 2, 1), 900, 3000, 100)
    assert rule_on(rules, date(1999, 12, 31)) is None


def test_rules_are_read_in_date_order_whatever_order_they_are_written_in() -> None:
    rules = parse_minimum_rules(" 2025-01-01 ride=1000 ;2024-02-01 km=100 ride=900")

    assert [r.since for r in rules] == [date(2024, 2, 1), date(2025, 1, 1)]
    assert rules[0] == MinimumRule(date(2024, 2, 1), ride=900, km=100)


@pytest.mark.parametrize(
    "bad",
    [
        "2024-02-01:900",
        "2024-02-01",
        "2024-02-01 ride=9.00",
        "2024-02-01 ride=900 ride=800",
        "2024-02-01 ride=900; 2024-02-01 ride=800",
        "2024-02-30 ride=900",
        "2024-02-01 minute=50",
        " ; ",
    ],
)
def test_a_malformed_rule_stops_the_process(bad: str) -> None:
    with pytest.raises(ConfigError):
        minimum_fare_rules({"FLEET_MINIMUM_FARE_RULES": bad})


RULE = MinimumRule(date(2024, 2, 1), ride=900, hour=3000, km=100)


def test_a_ride_s_minimum_is_its_greatest_floor_rounded_up_to_the_cent() -> None:
    assert minimum_of(RULE, 600, 3000) == (900, "course")  # 10 min: 5 EUR; 3 km: 3 EUR
    assert minimum_of(RULE, 1801, 3000) == (1501, "heure")  # 30 min 1 s: 15.0083 EUR
    assert minimum_of(RULE, 600, 12345) == (1235, "km")  # 12.345 km: 12.345 EUR
    assert minimum_of(RULE, None, None) == (900, "course")  # Uber says neither


@given(st.integers(0, 36_000), st.integers(0, 500_000))
def test_a_ride_s_minimum_is_never_below_any_floor(seconds: int, metres: int) -> None:
    minimum, _ = minimum_of(RULE, seconds, metres)

    assert minimum >= RULE.ride
    assert minimum * 3600 >= RULE.hour * seconds
    assert minimum * 1000 >= RULE.km * metres


def test_tips_are_found_wherever_uber_puts_them_in_the_breakdown() -> None:
    tree = [
        {
            "category": "earnings",
            "amount_minor": 1300,
            "children": [
                {"category": "net_fare", "amount_minor": 1000, "children": []},
                {"category": "tip", "amount_minor": 300, "children": []},
            ],
        },
        {"category": "Tip", "amount_minor": 50, "children": []},
    ]

    assert tips_in(tree) == 350
