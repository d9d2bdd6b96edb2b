"""Every chaos setting, one at a time: a full sync of drivers and orders ends as a clean one.

For each setting, two simulators with the same seed on the same fixed clock: one clean, one
with the fault armed for both providers. The same full sync (Uber orgs and drivers; Bolt
companies, drivers and orders) runs twice against each, into a tenant of its own; then the
tenant's events are applied to the read tables. The chaos tenant must end with the same
rows as the clean one, exactly the expected quarantine entries, and one event per entity
(nothing appended twice).

Uber has 120 drivers (two pages of 100) and Bolt's orders come in pages of 100, so "token
expiry mid-pagination" expires both providers' tokens between two pages of a listing.
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import asyncpg
import httpx
import pytest

from core.config import UBER_DEFAULT_SCOPES
from eventlog.store import read_after
from ingest.bolt.client import BoltClient
from ingest.bolt.pollers import BoltPollers
from ingest.bolt.setup import bolt_http
from ingest.http import ProviderHttp, RetryPolicy
from ingest.main import uber_http
from ingest.uber.client import UberClient
from ingest.uber.pollers import UberPollers
from projector.projection import Projection
from projector.projections.bolt_drivers import BoltDriversProjection
from projector.projections.bolt_orders import BoltOrdersProjection
from projector.projections.drivers import DriversProjection
from simulator import FixedClock, SimulatorSettings
from tests.simserver import SimServer, serve_simulator

NOW = datetime(2025, 3, 10, 13, 30, tzinfo=UTC)
SETTINGS = SimulatorSettings(seed=11, uber_drivers=120, bolt_drivers=10)
CLIENT_TIMEOUT_S = 0.3
VOLATILE = {"org_id", "updated_at", "last_position", "first_seen_at", "fetch_id"}
TABLES = {
    "drivers": "SELECT * FROM drivers WHERE org_id = $1 ORDER BY provider, driver_id",
    "bolt_orders": "SELECT * FROM bolt_orders WHERE org_id = $1 ORDER BY order_reference",
}


@dataclasses.dataclass(frozen=True)
class Case:
    faults: dict[str, Any]
    quarantined: int = 0  # entries expected per sync pair (both providers)
    timeout: bool = False  # the sim stays slow until the client has timed out once
    expire_tokens: bool = False


CASES = {
    "fail_next_500": Case({"fail_next": 2, "status": 500}),
    "fail_next_503": Case({"fail_next": 2, "status": 503}),
    "429_without_retry_after": Case({"fail_next": 2, "status": 429}),
    "429_with_retry_after": Case({"fail_next": 2, "status": 429, "retry_after": 1}),
    "slow_beyond_the_client_timeout": Case({"delay_ms": 600}, timeout=True),
    "truncated_next": Case({"truncated_next": 2}),
    "extra_fields": Case({"extra_fields": True}),
    "malformed_next": Case({"malformed_next": 1}, quarantined=2),
    "token_expiry_mid_pagination": Case({}, expire_tokens=True),
}


class Sleeper:
    """Retry sleeps: recorded, not waited; ``on_first`` runs at the first one."""

    def __init__(self, on_first: Callable[[], None] | None = None) -> None:
        self.waits: list[float] = []
        self._on_first = on_first

    async def __call__(self, seconds: float) -> None:
        if not self.waits and self._on_first is not None:
            self._on_first()
        self.waits.append(seconds)


class TokenExpirer:
    """A request hook expiring every token of the provider before the 2nd page of a listing."""

    def __init__(self, sim: SimServer, provider: str, path_end: str, page_param: str) -> None:
        self.sim, self.provider, self.path_end, self.page_param = (
            sim,
            provider,
            path_end,
            page_param,
        )
        self.expired = 0

    async def __call__(self, request: httpx.Request) -> None:
        if self.expired or not request.url.path.endswith(self.path_end):
            return
        body = json.loads(request.content) if request.content else {}
        if self.page_param in request.url.params or body.get("offset") == 100:
            self.expired = self.sim.control(f"/_sim/{self.provider}/tokens/expire", {})["expired"]


async def full_sync(
    pool: asyncpg.Pool, sim: SimServer, org_id: UUID, clock: FixedClock, case: Case | None
) -> Sleeper:
    """Uber orgs + drivers, Bolt companies + drivers + orders, twice; return the sleeper."""
    sleeper = Sleeper(
        lambda: sim.control("/_sim/chaos/reset", {}) if case and case.timeout else None
    )
    timeout = httpx.Timeout(CLIENT_TIMEOUT_S if case and case.timeout else 30.0)
    uber = uber_http(dataclasses.replace(sim.uber_settings(), scopes=UBER_DEFAULT_SCOPES))
    bolt = bolt_http(sim.bolt_settings())
    try:
        for client in (uber, bolt):
            client.timeout = timeout
        if case and case.expire_tokens:
            uber.event_hooks["request"].append(
                TokenExpirer(sim, "uber", "/vehicle-suppliers/drivers", "page_token")
            )
            bolt.event_hooks["request"].append(TokenExpirer(sim, "bolt", "/getFleetOrders", "-"))
        retry = RetryPolicy(attempts=4, base_s=0.01)
        uber_pollers = UberPollers(
            pool, UberClient(ProviderHttp("uber", uber, retry=retry, sleep=sleeper), sim.url),
            org_id, now=clock.now,
        )  # fmt: skip
        bolt_client = BoltClient(
            ProviderHttp("bolt", bolt, retry=retry, sleep=sleeper),
            sim.bolt_settings().api_base,
            page_size=100,
        )
        bolt_pollers = BoltPollers(pool, bolt_client, org_id, now=clock.now)
        polls: list[Callable[[], Awaitable[Any]]] = [
            uber_pollers.organizations, uber_pollers.drivers,
            bolt_pollers.companies, bolt_pollers.drivers, bolt_pollers.orders,
        ]  # fmt: skip
        for _ in range(2):
            for poll in polls:
                await poll()
    finally:
        await uber.aclose()
        await bolt.aclose()
    return sleeper


async def project(pool: asyncpg.Pool, org_id: UUID) -> dict[str, list[dict[str, Any]]]:
    """Apply the tenant's events to the read tables; return their rows, volatile columns aside."""
    projections: list[Projection] = [
        DriversProjection(), BoltDriversProjection(), BoltOrdersProjection(),
    ]  # fmt: skip
    positions = await pool.fetch(
        "SELECT position FROM event_log WHERE org_id = $1 ORDER BY position", org_id
    )
    async with pool.acquire() as conn, conn.transaction():
        for row in positions:
            events = await read_after(conn, row["position"] - 1, 1)
            for projection in projections:
                wanted = [e for e in events if e.event_type in projection.event_types]
                if wanted:
                    await projection.apply(conn, wanted)
    return {
        name: [{k: v for k, v in dict(r).items() if k not in VOLATILE}
               for r in await pool.fetch(sql, org_id)]
        for name, sql in TABLES.items()
    }  # fmt: skip


async def new_org(pool: asyncpg.Pool, slug: str) -> UUID:
    return await pool.fetchval(
        "INSERT INTO orgs (slug, name) VALUES ($1, $1) RETURNING org_id",
        f"{slug}-{uuid.uuid4().hex[:8]}",
    )


@pytest.fixture(scope="module")
async def clean_rows(owner_pool: asyncpg.Pool, writer_pool: asyncpg.Pool) -> Any:
    """The read rows of a clean full sync (computed once for the module)."""
    clock = FixedClock(NOW)
    org_id = await new_org(owner_pool, "clean")
    with serve_simulator(SETTINGS, clock) as sim:
        await full_sync(writer_pool, sim, org_id, clock, None)
    return await project(writer_pool, org_id)


@pytest.mark.parametrize("name", list(CASES))
async def test_a_full_sync_under_chaos_ends_like_a_clean_one(
    name: str, clean_rows: Any, owner_pool: asyncpg.Pool, writer_pool: asyncpg.Pool
) -> None:
    case = CASES[name]
    clock = FixedClock(NOW)
    org_id = await new_org(owner_pool, name.replace("_", "-"))
    with serve_simulator(SETTINGS, clock) as sim:
        for provider in ("uber", "bolt"):
            sim.chaos(provider, **case.faults)
        sleeper = await full_sync(writer_pool, sim, org_id, clock, case)
        stats = sim.control("/_sim/stats")["calls"]

    rows = await project(writer_pool, org_id)
    assert rows == clean_rows
    assert len(rows["drivers"]) == 130 and rows["bolt_orders"]
    quarantined = await writer_pool.fetchval(
        "SELECT count(*) FROM quarantine WHERE org_id = $1", org_id
    )
    assert quarantined == case.quarantined
    duplicates = await writer_pool.fetch(
        "SELECT event_type, entity_id, count(*) FROM event_log WHERE org_id = $1 "
        "GROUP BY event_type, entity_id HAVING count(*) > 1",
        org_id,
    )
    assert duplicates == []
    if case.faults.get("retry_after"):
        assert sleeper.waits.count(1.0) >= 2  # Retry-After honoured, twice per provider
    if case.expire_tokens:
        token_calls = {
            k: v for k, v in stats.items() if k in ("POST /oauth/v2/token", "POST /token")
        }
        assert all(int(v["200"]) >= 2 for v in token_calls.values()), token_calls
