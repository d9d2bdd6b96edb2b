"""Prometheus metrics of the ingest process (default registry, exposed on FLEET_METRICS_PORT)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

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
POLL_RUNS = Counter("fleet_poll_runs_total", "Poll runs by outcome", ["resource", "outcome"])
POLL_SECONDS = Histogram(
    "fleet_poll_duration_seconds",
    "Duration of poll runs",
    ["resource"],
    buckets=(0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600),
)
