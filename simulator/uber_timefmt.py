"""Uber time formats: epoch-ms inputs, ISO-8601 UTC outputs (docs/PROVIDERS.md §1.6)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo


def iso_utc(ts: int) -> str:
    """``2025-03-10T07:41:30.000Z`` for unix seconds ``ts``."""
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def iso_utc_short(ts: int) -> str:
    """``2025-03-10T07:41:30Z`` (the form transactions use)."""
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


PARIS = ZoneInfo("Europe/Paris")
PAY_WEEK_START_HOUR = 4  # Uber's fleet week runs from Monday 04:00 local time


def pay_period_start(ts: int) -> int:
    """The start (unix seconds) of the Uber pay week holding ``ts``: Monday 04:00 Paris."""
    local = datetime.fromtimestamp(ts, PARIS) - timedelta(hours=PAY_WEEK_START_HOUR)
    monday = local.date() - timedelta(days=local.weekday())
    start = datetime.combine(monday, time(PAY_WEEK_START_HOUR), PARIS)
    return int(start.timestamp())
