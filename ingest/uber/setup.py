"""Wiring of the Uber side of the ingest process (called from ``ingest/main.py``)."""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from contracts.resources import DECLARED
from contracts.weeks import week_rules_of
from core.config import ConfigError, UberSettings, env_int
from ingest.http import ProviderHttp, RateLimiter, RetryPolicy
from ingest.resources import poll_jobs
from ingest.schedule import Poll
from ingest.uber.client import PROVIDER, UberClient
from ingest.uber.context import UberPollSettings
from ingest.uber.pollers import UberPollers

TRANSACTIONS_RATE_PER_S = 1.0  # docs/PROVIDERS.md §1.5.7: 1 request per second per app


def uber_client(
    http: httpx.AsyncClient, settings: UberSettings, retry: RetryPolicy | None = None
) -> UberClient:
    """The Uber client: 10 req/s overall, and transactions paced at 1 req/s on their own."""
    return UberClient(
        ProviderHttp(PROVIDER, http, retry=retry, limiter=RateLimiter(10.0, 10, PROVIDER)),
        settings.api_base,
        transactions_http=ProviderHttp(
            PROVIDER,
            http,
            retry=retry,
            limiter=RateLimiter(TRANSACTIONS_RATE_PER_S, provider=PROVIDER),
        ),
    )


MAX_CATCHUP_DAYS = UberPollSettings.metrics_max_catchup_days
REPORTS_CATCH_UP_DAYS = UberPollSettings.reports_catch_up_days


def uber_poll_settings(env: Mapping[str, str], only_org: str | None = None) -> UberPollSettings:
    """Windows of the windowed polls: ``UBER_METRICS_DAYS`` days re-polled (default 3), and
    ``UBER_METRICS_BACKFILL_DAYS`` of history on a first run (default 31, at most 31: the
    catch-up limit); ``UBER_REPORTS_CATCH_UP_DAYS`` days up to yesterday whose missed
    report a run fetches (default 7, at most 31); Uber's pay week from ``FLEET_WEEK_STARTS``."""
    days = env_int(env, "UBER_METRICS_DAYS", 3)
    backfill = _days(env, "UBER_METRICS_BACKFILL_DAYS", MAX_CATCHUP_DAYS)
    reports = _days(env, "UBER_REPORTS_CATCH_UP_DAYS", REPORTS_CATCH_UP_DAYS)
    try:
        weeks = week_rules_of(env)
    except ValueError as exc:
        raise ConfigError(f"week settings: {exc}") from exc
    return UberPollSettings(
        metrics_days=max(days, 1),
        metrics_backfill_days=backfill,
        reports_catch_up_days=reports,
        only_org=only_org,
        weeks=weeks,
    )


def _days(env: Mapping[str, str], name: str, default: int) -> int:
    """A count of days from 1 to the 31 days a catch-up may reach back; else ConfigError."""
    value = env_int(env, name, default)
    if not 1 <= value <= MAX_CATCHUP_DAYS:
        raise ConfigError(f"{name} must be between 1 and {MAX_CATCHUP_DAYS}")
    return value


def uber_jobs(pollers: UberPollers) -> dict[str, Poll]:
    """One poll per declared Uber resource, by resource name."""
    return poll_jobs(pollers, DECLARED.of(PROVIDER))
