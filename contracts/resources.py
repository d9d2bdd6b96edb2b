"""The resources each provider offers to poll, by name (shared by ingest and the API)."""

from __future__ import annotations

UBER_RESOURCES = (
    "organizations",
    "drivers",
    "vehicles",
    "driver_status",
    "daily_metrics",
    "payments",
    "transactions",
    "reports",
)
BOLT_RESOURCES = ("companies", "drivers", "vehicles", "orders", "state_logs")
RESOURCES = {"uber": UBER_RESOURCES, "bolt": BOLT_RESOURCES}
