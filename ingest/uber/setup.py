"""Wiring of the Uber side of the ingest process (called from ``ingest/main.py``)."""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from core.config import ConfigError, UberSettings, env_int
from ingest.http import ProviderHttp, RateLimiter, RetryPolicy
from ingest.schedule import Poll
from ingest.uber.client import PROVIDER, UberClient
from ingest.uber.context import UberPollSettings
from ingest.uber.pollers import UberPollers

# resource: (interval variable, default seconds)
INTERVALS = {
    "organizations": ("UBER_ORGS_INTERVAL_S", 86400),
    "drivers": ("UBER_DRIVERS_INTERVAL_S", 6 * 3600),
    "vehicles": ("UBER_VEHICLES_INTERVAL_S", 6 * 3600),
    "driver_status": ("UBER_DRIVER_STATUS_INTERVAL_S", 15 * 60),
    "daily_metrics": ("UBER_METRICS_INTERVAL_S", 12 * 3600),
    "payments": ("UBER_PAYMENTS_INTERVAL_S", 30 * 60),
    "transactions": ("UBER_TRANSACTIONS_INTERVAL_S", 15 * 60),
    "reports": ("UBER_REPORTS_INTERVAL_S", 86400),
}
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


def uber_poll_settings(env: Mapping[str, str]) -> UberPollSettings:
    """Windows of the windowed polls: ``UBER_METRICS_DAYS`` days re-polled (default 3), and
    ``UBER_METRICS_BACKFILL_DAYS`` of history on a first run (default 31, at most 31: the
    catch-up limit)."""
    days = env_int(env, "UBER_METRICS_DAYS", 3)
    backfill = env_int(env, "UBER_METRICS_BACKFILL_DAYS", MAX_CATCHUP_DAYS)
    if not 1 <= backfill <= MAX_CATCHUP_DAYS:
        raise ConfigError(f"UBER_METRICS_BACKFILL_DAYS must be between 1 and {MAX_CATCHUP_DAYS}")
    return UberPollSettings(metrics_days=max(days, 1), metrics_backfill_days=backfill)


def uber_jobs(pollers: UberPollers) -> dict[str, Poll]:
    """One poll per Uber resource, by resource name."""
    return {
        "organizations": pollers.organizations,
        "drivers": pollers.drivers,
        "vehicles": pollers.vehicles,
        "driver_status": pollers.driver_status,
        "daily_metrics": pollers.daily_metrics,
        "payments": pollers.payments,
        "transactions": pollers.transactions,
        "reports": pollers.reports,
    }
