"""Weeks of simulated Uber activity, ingested for real in seconds: the simulator on a fixed
clock, the pollers run through ``RunRecorder`` as ingest runs them, the projections caught
up, and the API reading the same clock.

Why a week of 2030: what a reconciliation calls late is money *observed* (``updated_at``,
the wall clock at ingest) after its week settled. Days of simulated time pass here in
seconds of wall time, so a simulated week in the past would have been observed "after" it
settled, and everything would read as late data; a week in the future is observed before
it settles, as it is in production. The API judges the weeks on the simulator's clock
(``ApiSettings.clock``), so it sees that week as settled once the clock has moved past it.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from uuid import UUID

import asyncpg
import httpx
import msgspec
from prometheus_client import REGISTRY

from contracts.uber import REPORT_OBSERVED, UberReportMeta, UberReportRecord
from core.config import UBER_DEFAULT_SCOPES, DatabaseSettings
from ingest.http import ProviderHttp, RetryPolicy
from ingest.main import uber_http
from ingest.runs import Resource, RunRecorder
from ingest.uber.client import UberClient
from ingest.uber.pollers import UberPollers
from ingest.uber.windows import paris_today
from projector.projections.uber_metrics import UberDailyMetricsProjection
from projector.projections.uber_payments import UberPaymentsProjection
from projector.projections.uber_transactions import UberTransactionsProjection
from projector.runner import ProjectionRunner
from query_api.app import ApiSettings, create_app
from simulator import FixedClock
from tests.apihelp import JWT, ApiClient
from tests.ingest.test_uber_windows import NoSleep
from tests.simserver import SimServer

MONEY = ("payments", "transactions", "daily_metrics", "reports")
_RECORD = msgspec.json.Decoder(UberReportRecord)
_META = msgspec.json.Decoder(UberReportMeta)


class SimWeek:
    """One tenant's Uber ingest against a fixed-clock simulator, run step by step."""

    def __init__(
        self, pool: asyncpg.Pool, http: httpx.AsyncClient, sim: SimServer, org_id: UUID,
        clock: FixedClock,
    ) -> None:  # fmt: skip
        self.pool, self.sim, self.org_id, self.clock = pool, sim, org_id, clock
        provider = ProviderHttp(
            "uber", http, retry=RetryPolicy(attempts=4, base_s=0.01), sleep=NoSleep()
        )
        self.client = UberClient(provider, sim.url)
        self.runs = RunRecorder(pool, now=clock.now)
        self.names = uuid.uuid4().hex[:8]

    def pollers(self) -> UberPollers:
        """The pollers as a fresh ingest process builds them (nothing kept in memory)."""
        return UberPollers(self.pool, self.client, self.org_id, now=self.clock.now)

    async def run(self, *resources: str) -> None:
        """One scheduled run of each resource, in order, recorded as ingest records them."""
        pollers = self.pollers()
        for name in resources:
            poll = getattr(pollers, name)
            await self.runs.scheduled(Resource(self.org_id, "uber", name, poll))

    async def poll_until(self, end: datetime, step: timedelta) -> None:
        """Ingest running normally: every resource each ``step`` until ``end``."""
        while self.clock.now() < end:
            self.clock.advance(step)
            await self.run(*MONEY)

    async def project(self) -> None:
        """The read tables the quality checks read, caught up with the log."""
        for projection in (
            UberPaymentsProjection(f"uber_payments-{self.names}"),
            UberTransactionsProjection(f"uber_transactions-{self.names}"),
            UberDailyMetricsProjection(f"uber_daily_metrics-{self.names}"),
        ):
            await ProjectionRunner(self.pool, None, projection).catch_up()

    def truth(self, start: datetime, end: datetime) -> Counter[str]:
        """Each driver's pay over ``[start, end)`` as the simulator generated it (cents)."""
        span = f"from={_z(start)}&to={_z(end)}"
        return Counter(self.sim.control(f"/_sim/truth/uber-payments?{span}")["drivers"])

    async def account(self) -> str:
        return str(
            await self.pool.fetchval(
                "SELECT account_id FROM provider_accounts WHERE org_id = $1", self.org_id
            )
        )

    def reset_calls(self) -> None:
        """Forget the simulator's call counts."""
        self.sim.control("/_sim/stats/reset", {})

    def reports_generated(self) -> int:
        """How many reports (U10) the simulator was asked for since the last reset."""
        calls = self.sim.control("/_sim/stats")["calls"]
        return sum(
            sum(by_status.values())
            for route, by_status in calls.items()
            if route.startswith("POST ") and route.endswith("/reports")
        )

    async def report_days(self) -> list[date]:
        """The Paris day of each report stored, in the order they were stored."""
        records = await self.pool.fetch(
            "SELECT record FROM event_log WHERE org_id = $1 AND event_type = $2 ORDER BY position",
            self.org_id,
            REPORT_OBSERVED,
        )
        metas = [_META.decode(_RECORD.decode(r["record"]).report) for r in records]
        return [paris_today(datetime.fromisoformat(m.startTime or "")) for m in metas]

    async def gap_gauge(self) -> float | None:
        """``fleet_payments_gap_age_seconds`` as Prometheus scrapes it now (on the clock)."""
        labels = {"org": str(self.org_id), "account": await self.account()}
        return REGISTRY.get_sample_value("fleet_payments_gap_age_seconds", labels)


def _z(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


def sim_http(sim: SimServer) -> httpx.AsyncClient:
    """Uber's httpx client with every scope a fleet asks for."""
    return uber_http(dataclasses.replace(sim.uber_settings(), scopes=UBER_DEFAULT_SCOPES))


async def sim_api(
    db: DatabaseSettings, nats_url: str, clock: FixedClock
) -> AsyncIterator[ApiClient]:
    """The API, its weeks judged on the simulator's clock."""
    app = create_app(ApiSettings(database=db, jwt=JWT, nats_url=nats_url, clock=clock.now))
    async with app.router.lifespan_context(app), ApiClient(app) as client:
        yield client


async def per_driver(pool: asyncpg.Pool, sql: str, *args: object) -> Counter[str]:
    """``driver -> cents`` from a query answering ``driver_id, total``; zeros left out."""
    rows = await pool.fetch(sql, *args)
    return Counter({r["driver_id"]: r["total"] for r in rows if r["total"]})
