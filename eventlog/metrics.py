"""Prometheus metrics of the log's writers and the relay (default registry)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

EVENTS_APPENDED = Counter(
    "fleet_events_appended_total", "Events appended to the log", ["event_type"]
)
QUARANTINED = Counter(
    "fleet_quarantined_total", "Provider records quarantined", ["provider", "resource"]
)
RELAY_PUBLISHED = Counter("fleet_relay_published_total", "Events published on JetStream")
RELAY_LAG = Gauge("fleet_relay_lag_events", "Events in the log not yet published")
