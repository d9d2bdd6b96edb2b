"""Prometheus metrics of the ingest process (default registry, exposed on FLEET_METRICS_PORT)."""

from __future__ import annotations

import time
from collections.abc import Callable

from prometheus_client import Counter, Gauge, Histogram

from ingest.errors import ProviderAuthError

PROVIDER_CALLS = Counter(
    "fleet_provider_calls_total",
    "Provider HTTP calls by outcome",
    ["provider", "endpoint", "status"],
)
PROVIDER_CALL_SECONDS = Histogram(
    "fleet_provider_call_seconds",
    "Provider HTTP call latency",
    ["provider", "endpoint"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
RATE_LIMITED = Counter(
    "fleet_provider_rate_limited_total",
    "429 answers from a provider, and waits imposed by our own rate limiter",
    ["provider", "source"],
)
TOKEN_MINTS = Counter("fleet_provider_token_mints_total", "OAuth tokens minted", ["provider"])

# Sync runs (ingest/runs.py): every recorded run, whatever started it. `status` is the final
# status written to sync_runs: succeeded, failed or skipped (another process held the lock).
SYNC_RUN_STATUSES = ("succeeded", "failed", "skipped")
SYNC_RUNS = Counter(
    "fleet_sync_runs_total",
    "Sync runs by final status",
    ["provider", "resource", "trigger", "status"],
)
SYNC_RUN_SECONDS = Histogram(
    "fleet_sync_run_duration_seconds",
    "Duration of the polls of sync runs that ran (succeeded or failed; not skipped)",
    ["provider", "resource"],
    buckets=(0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800),
)
# Freshness: the stale-data alert compares `time() - last success` with 3x the interval.
LAST_SUCCESS = Gauge(
    "fleet_resource_last_success_timestamp_seconds",
    "Unix time the last successful sync run of the resource finished (any process)",
    ["provider", "resource"],
)
POLL_INTERVAL = Gauge(
    "fleet_resource_poll_interval_seconds",
    "Configured schedule interval of the resource",
    ["provider", "resource"],
)
AUTH_ERRORS = Counter(
    "fleet_provider_auth_errors_total",
    "Sync runs failed because the provider refused our credentials (token endpoint or 401/403)",
    ["provider", "resource"],
)

# Coverage (ingest/coverage.py): how recent the newest data each complete poll covered is,
# and how old the oldest hole in the last 24 h of Uber payments or transactions is. Past 24 h
# Uber no longer serves it, so the payments-gap alert fires at 12 h, while the gap can still
# be polled.
COVERAGE_NEWEST = Gauge(
    "fleet_coverage_newest_timestamp_seconds",
    "Unix time of the newest instant a complete poll of the resource covered",
    ["org", "provider", "resource", "account"],
)
PAYMENTS_GAP_AGE = Gauge(
    "fleet_payments_gap_age_seconds",
    "Age of the oldest uncovered instant of Uber payments or transactions within the last "
    "24 h (0: none)",
    ["org", "account"],
)


def coverage_newest(org: str, provider: str, resource: str, account: str, at: float) -> None:
    """The newest instant the resource's complete polls covered for one account."""
    COVERAGE_NEWEST.labels(org, provider, resource, account).set(at)


def payments_gap(
    org: str, account: str, oldest_gap: float | None, clock: Callable[[], float] = time.time
) -> None:
    """Track the oldest payments gap's age, computed at each scrape on ``clock`` (Unix
    seconds; 0 when there is no gap)."""
    gauge = PAYMENTS_GAP_AGE.labels(org, account)
    if oldest_gap is None:
        gauge.set_function(lambda: 0.0)
    else:
        gauge.set_function(lambda: max(clock() - oldest_gap, 0.0))


def declare_resource(provider: str, resource: str) -> None:
    """Create the resource's run series at 0, so that ``increase()`` sees the first failure."""
    for trigger in ("schedule", "manual"):
        for status in SYNC_RUN_STATUSES:
            SYNC_RUNS.labels(provider, resource, trigger, status)
    AUTH_ERRORS.labels(provider, resource)


def seed_last_success(provider: str, resource: str, timestamp: float) -> None:
    """Start freshness from a success recorded earlier (by this or another process)."""
    LAST_SUCCESS.labels(provider, resource).set(timestamp)


def sync_run_succeeded(provider: str, resource: str, trigger: str, seconds: float) -> None:
    """Count a successful run, time it, and mark the resource fresh now."""
    SYNC_RUNS.labels(provider, resource, trigger, "succeeded").inc()
    SYNC_RUN_SECONDS.labels(provider, resource).observe(seconds)
    LAST_SUCCESS.labels(provider, resource).set_to_current_time()


def sync_run_failed(
    provider: str, resource: str, trigger: str, seconds: float, error: BaseException
) -> None:
    """Count a failed run and time it; a refusal of our credentials is also an auth error."""
    SYNC_RUNS.labels(provider, resource, trigger, "failed").inc()
    SYNC_RUN_SECONDS.labels(provider, resource).observe(seconds)
    if isinstance(error, ProviderAuthError):
        AUTH_ERRORS.labels(provider, resource).inc()


def sync_run_skipped(provider: str, resource: str, trigger: str) -> None:
    """Count a run that found another process polling the resource."""
    SYNC_RUNS.labels(provider, resource, trigger, "skipped").inc()
