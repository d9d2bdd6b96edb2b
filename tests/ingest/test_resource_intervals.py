"""Each resource's interval: the regular setting, the old irregular names, the default."""

from __future__ import annotations

import logging

import pytest

from contracts.resources import DECLARED
from ingest.resources import interval_s

METRICS = DECLARED.get("uber", "daily_metrics")
ORGS = DECLARED.get("uber", "organizations")


def test_the_regular_setting_sets_the_interval_and_its_absence_the_default() -> None:
    assert METRICS.interval_env == "UBER_DAILY_METRICS_INTERVAL_S"
    assert interval_s(METRICS, {"UBER_DAILY_METRICS_INTERVAL_S": "600"}) == 600
    assert interval_s(METRICS, {}) == 12 * 3600


def test_an_old_setting_name_still_works_and_says_it_is_deprecated(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="ingest.resources"):
        seconds = interval_s(ORGS, {"UBER_ORGS_INTERVAL_S": "120"})
    assert seconds == 120
    assert caplog.messages == [
        "UBER_ORGS_INTERVAL_S is deprecated: rename it UBER_ORGANIZATIONS_INTERVAL_S"
    ]


def test_the_regular_setting_wins_over_the_old_name_and_the_old_one_is_reported_ignored(
    caplog: pytest.LogCaptureFixture,
) -> None:
    env = {"UBER_METRICS_INTERVAL_S": "120", "UBER_DAILY_METRICS_INTERVAL_S": "900"}
    with caplog.at_level(logging.WARNING, logger="ingest.resources"):
        seconds = interval_s(METRICS, env)
    assert seconds == 900
    assert caplog.messages == [
        "UBER_METRICS_INTERVAL_S is ignored: UBER_DAILY_METRICS_INTERVAL_S is set (and replaces it)"
    ]
