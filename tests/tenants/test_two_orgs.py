"""Two orgs polled side by side, each with its own simulated provider and credentials.

Org A is the default org (the environment's credentials, pointed at simulator A); org B is
a second org whose credentials were stored with ``fleet credentials set``'s code path,
pointed at simulator B (another seed, other client ids). Each org's log holds only its own
drivers, its admin sees only those and syncs only its own resources, and A's refused
credentials fail A's runs alone.
"""

from __future__ import annotations

import asyncio
import csv
import io
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from uuid import UUID

import asyncpg
import pytest

from core.credentials import load_credentials_key, new_key
from eventlog.bus import connect, ensure_commands_stream
from fleet.tenants import Credentials, create_org, set_credentials
from ingest.main import Providers, tenants_resources
from ingest.runs import Resource, RunRecorder
from ingest.sync import SyncConsumer
from projector.projections.drivers import DriversProjection
from projector.runner import ProjectionRunner
from simulator import SimulatorSettings
from tests.apihelp import ApiClient, login
from tests.conftest import NatsServer
from tests.helpers import finished_run
from tests.simserver import SimServer, serve_simulator

SCOPES = "vehicle_suppliers.organizations.read solutions.suppliers.drivers.status.read"
B_SIM = SimulatorSettings(
    seed=8,
    uber_drivers=4,
    bolt_drivers=4,
    uber_client_id="b-uber",
    uber_client_secret="b-uber-secret",
    bolt_client_id="b-bolt",
    bolt_client_secret="b-bolt-secret",
)


@pytest.fixture
def sims() -> Iterator[tuple[SimServer, SimServer]]:
    a_settings = SimulatorSettings(seed=7, uber_drivers=5, bolt_drivers=5)
    with serve_simulator(a_settings) as a, serve_simulator(B_SIM) as b:
        yield a, b


@dataclass
class TwoOrgs:
    a: UUID
    b: UUID
    resources: list[Resource]

    def of(self, org_id: UUID, provider: str, resource: str) -> Resource:
        [found] = [
            r
            for r in self.resources
            if (r.org_id, r.provider, r.resource) == (org_id, provider, resource)
        ]
        return found


def default_org_env(a: SimServer, slug: str, key: str, uber_secret: str) -> dict[str, str]:
    """Org A's environment: its own credentials, as the default org always had them."""
    return {
        "FLEET_ORG_SLUG": slug,
        "FLEET_CREDENTIALS_KEY": key,
        "UBER_CLIENT_ID": a.settings.uber_client_id,
        "UBER_CLIENT_SECRET": uber_secret,
        "UBER_AUTH_URL": f"{a.url}/oauth/v2/token",
        "UBER_BASE_URL": a.url,
        "UBER_SCOPES": SCOPES,
        "BOLT_CLIENT_ID": a.settings.bolt_client_id,
        "BOLT_CLIENT_SECRET": a.settings.bolt_client_secret,
        "BOLT_AUTH_URL": f"{a.url}/token",
        "BOLT_BASE_URL": f"{a.url}/fleet-integration-gateway",
        "BOLT_RATE_RPS": "1000",
        "BOLT_RATE_BURST": "1000",
    }


async def store_b_credentials(owner: asyncpg.Pool, slug: str, b: SimServer, key: str) -> None:
    box = load_credentials_key({"FLEET_CREDENTIALS_KEY": key})
    uber = Credentials(
        "uber",
        b.settings.uber_client_id,
        b.settings.uber_client_secret,
        auth_url=f"{b.url}/oauth/v2/token",
        base_url=b.url,
    )
    bolt = Credentials(
        "bolt",
        b.settings.bolt_client_id,
        b.settings.bolt_client_secret,
        auth_url=f"{b.url}/token",
        base_url=f"{b.url}/fleet-integration-gateway",
    )
    async with owner.acquire() as conn:
        for found in (uber, bolt):
            await set_credentials(conn, box, slug, found)


@pytest.fixture
async def two_orgs(
    request: pytest.FixtureRequest,
    sims: tuple[SimServer, SimServer],
    owner_pool: asyncpg.Pool,
    writer_pool: asyncpg.Pool,
    org_id: UUID,
) -> AsyncIterator[TwoOrgs]:
    a, b = sims
    key, b_slug = new_key(), f"b-{uuid.uuid4().hex[:10]}"
    a_slug = await owner_pool.fetchval("SELECT slug FROM orgs WHERE org_id = $1", org_id)
    async with owner_pool.acquire() as conn:
        b_id = await create_org(conn, b_slug, "Org B")
    await store_b_credentials(owner_pool, b_slug, b, key)
    a_secret = getattr(request, "param", a.settings.uber_client_secret)
    providers = Providers()
    env = default_org_env(a, a_slug, key, a_secret)
    try:
        # Other tests' orgs are in this database too: only A's and B's resources count here.
        found = await tenants_resources(writer_pool, env, providers)
        yield TwoOrgs(org_id, b_id, [r for r in found if r.org_id in (org_id, b_id)])
    finally:
        await providers.aclose()


async def _drivers(pool: asyncpg.Pool, org_id: UUID, event_type: str) -> set[str]:
    rows = await pool.fetch(
        "SELECT DISTINCT entity_id FROM event_log WHERE org_id = $1 AND event_type = $2",
        org_id,
        event_type,
    )
    return {r["entity_id"] for r in rows}


async def test_two_orgs_are_polled_side_by_side_each_with_its_own_credentials(
    two_orgs: TwoOrgs, writer_pool: asyncpg.Pool
) -> None:
    recorder = RunRecorder(writer_pool)
    await asyncio.gather(
        *(
            recorder.scheduled(two_orgs.of(org, provider, "drivers"))
            for org in (two_orgs.a, two_orgs.b)
            for provider in ("uber", "bolt")
        )
    )

    uber_a = await _drivers(writer_pool, two_orgs.a, "uber.driver.observed")
    uber_b = await _drivers(writer_pool, two_orgs.b, "uber.driver.observed")
    bolt_a = await _drivers(writer_pool, two_orgs.a, "bolt.driver.observed")
    bolt_b = await _drivers(writer_pool, two_orgs.b, "bolt.driver.observed")
    assert (len(uber_a), len(uber_b)) == (5, 4)
    assert bolt_a and bolt_b and not (bolt_a & bolt_b) and not (uber_a & uber_b)
    assert {r.tenant for r in two_orgs.resources if r.org_id == two_orgs.a} == {""}
    assert len({r.job for r in two_orgs.resources}) == len(two_orgs.resources)


@pytest.mark.parametrize("two_orgs", ["revoked-secret"], indirect=True)
async def test_one_orgs_refused_credentials_fail_only_its_own_runs(
    two_orgs: TwoOrgs, writer_pool: asyncpg.Pool
) -> None:
    recorder = RunRecorder(writer_pool)
    outcomes = await asyncio.gather(
        recorder.scheduled(two_orgs.of(two_orgs.a, "uber", "drivers")),
        recorder.scheduled(two_orgs.of(two_orgs.b, "uber", "drivers")),
        return_exceptions=True,
    )

    assert "token request refused (401 invalid_client)" in str(outcomes[0])
    assert not isinstance(outcomes[1], BaseException)
    runs = await writer_pool.fetch(
        "SELECT org_id, status FROM sync_runs WHERE org_id = ANY($1::uuid[])",
        [two_orgs.a, two_orgs.b],
    )
    assert {(r["org_id"], r["status"]) for r in runs} == {
        (two_orgs.a, "failed"),
        (two_orgs.b, "succeeded"),
    }


async def _sync_through_ingest(
    api: ApiClient,
    headers: dict[str, str],
    nats_server: NatsServer,
    writer_pool: asyncpg.Pool,
    resources: list[Resource],
) -> asyncpg.Record:
    """An admin's sync of Uber drivers, served by an ingest consumer knowing ``resources``."""
    run_id = (await api.post("/fleet/sync/drivers", headers=headers)).json()["run_id"]
    nc = await connect(nats_server.url, "test-tenants-sync", retry_for_s=10)
    stop = asyncio.Event()
    consumer = SyncConsumer(writer_pool, nc, RunRecorder(writer_pool), resources)
    task = asyncio.create_task(consumer.run(stop))
    try:
        return await finished_run(writer_pool, UUID(run_id))
    finally:
        stop.set()
        await task
        await nc.close()


async def test_each_orgs_admin_sees_and_syncs_only_their_org(
    two_orgs: TwoOrgs,
    api: ApiClient,
    make_user,
    writer_pool: asyncpg.Pool,
    nats_server: NatsServer,
) -> None:
    nc = await connect(nats_server.url, "test-tenants-stream", retry_for_s=10)
    await ensure_commands_stream(nc.jetstream())
    await nc.close()
    b_admin = await login(api, await make_user(two_orgs.b, "admin"))
    a_only = [r for r in two_orgs.resources if r.org_id == two_orgs.a]
    # Measured before: ingest knew the default org's resources alone.
    before = await _sync_through_ingest(api, b_admin, nats_server, writer_pool, a_only)
    assert (before["status"], before["error"]) == ("failed", "this ingest has no uber.drivers")

    after = await _sync_through_ingest(api, b_admin, nats_server, writer_pool, two_orgs.resources)
    assert after["status"] == "succeeded", after["error"]
    await RunRecorder(writer_pool).scheduled(two_orgs.of(two_orgs.a, "uber", "drivers"))
    # The drivers read table, built from the log by a projection of its own.
    await ProjectionRunner(writer_pool, None, DriversProjection(f"d-{uuid.uuid4().hex}")).catch_up()
    seen, listed = {}, {}
    for org in (two_orgs.a, two_orgs.b):
        headers = await login(api, await make_user(org, "admin"))
        seen[org] = {
            row["entity_id"]
            for row in await _csv(api, "/audit/events", headers)
            if row["event_type"] == "uber.driver.observed"
        }
        listed[org] = {row["driver_id"] for row in await _csv(api, "/fleet/drivers", headers)}
    for org in (two_orgs.a, two_orgs.b):
        assert seen[org] == listed[org] == await _drivers(writer_pool, org, "uber.driver.observed")
    assert len(seen[two_orgs.b]) == 4 and not seen[two_orgs.a] & seen[two_orgs.b]


async def _csv(api: ApiClient, path: str, headers: dict[str, str]) -> list[dict[str, str]]:
    answer = await api.get(path, params={"format": "csv"}, headers=headers)
    assert answer.status_code == 200, answer.text
    return list(csv.DictReader(io.StringIO(answer.text)))
