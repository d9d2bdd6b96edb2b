"""Prometheus gauges of the projector: lag and parked events per projection.

The projector process serves them on ``FLEET_METRICS_PORT`` (default 9100) and refreshes
them from :func:`projector.lag.projection_lag` every few seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence

import asyncpg
from prometheus_client import CollectorRegistry, Gauge

from projector.lag import ProjectionLag, projection_lag

log = logging.getLogger(__name__)

REFRESH_S = 5.0


class ProjectorMetrics:
    """The gauges, on the registry given (the default one in the projector process)."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.lag_events = Gauge(
            "fleet_projection_lag_events",
            "Events in the log after the projection's checkpoint",
            ["projection"],
            registry=registry,
        )
        self.lag_seconds = Gauge(
            "fleet_projection_lag_seconds",
            "Age of the oldest event the projection has not applied (0 when caught up)",
            ["projection"],
            registry=registry,
        )
        self.parked = Gauge(
            "fleet_parked_events",
            "Open parked events of the projection (every tenant)",
            ["projection"],
            registry=registry,
        )

    def observe(self, lags: Sequence[ProjectionLag]) -> None:
        """Set every gauge from one lag reading."""
        for lag in lags:
            self.lag_events.labels(lag.projection).set(lag.events_behind)
            self.lag_seconds.labels(lag.projection).set(lag.seconds_behind)
            self.parked.labels(lag.projection).set(lag.parked)

    async def refresh(self, pool: asyncpg.Pool, names: Sequence[str]) -> None:
        """Read the lag of ``names`` once and publish it."""
        self.observe(await projection_lag(pool, names))

    async def keep_fresh(
        self, pool: asyncpg.Pool, names: Sequence[str], stop: asyncio.Event
    ) -> None:
        """Refresh every ``REFRESH_S`` until ``stop``; a failed reading is logged and skipped."""
        while not stop.is_set():
            try:
                await self.refresh(pool, names)
            except (asyncpg.PostgresError, OSError) as exc:
                log.warning("projector metrics: lag not read (%s)", exc)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), REFRESH_S)
