"""Composition root of the ingest process (``fleet ingest``).

Builds, for every enabled org (ingest/tenants.py), one client per provider it has
credentials for and one poll per resource, and runs each poll on its schedule and on demand
(sync commands from NATS), always through the run recorder: every run is recorded in
``sync_runs`` and holds its resource's lock.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping

import asyncpg
import httpx

from contracts.resources import DECLARED, Declaration
from core.config import UberSettings, environ, load_database, load_nats_url, nats_stream_replicas
from core.logs import setup_logging
from core.metrics_server import serve_metrics
from core.signals import stop_event
from eventlog.bus import connect
from eventlog.db import create_pool
from ingest.auth import oauth_client
from ingest.bolt import setup as bolt_setup
from ingest.metrics import POLL_INTERVAL
from ingest.resources import interval_s
from ingest.runs import Resource, RunRecorder
from ingest.schedule import Poll, PollScheduler
from ingest.sync import SyncConsumer, sweep_interrupted_runs
from ingest.tenants import Tenant, enabled_tenants
from ingest.uber import setup as uber_setup
from ingest.uber.client import PROVIDER as UBER
from ingest.uber.pollers import UberPollers

log = logging.getLogger(__name__)

# A run holds a lock connection for its whole duration (ingest/runs.py): one per resource
# lets every resource of one tenant run at once; with many tenants, runs past this number
# wait for a connection rather than exhaust the server's max_connections.
LOCK_CONNECTIONS_MAX = 32


def uber_http(settings: UberSettings) -> httpx.AsyncClient:
    """The httpx client for Uber, with its client-credentials auth."""
    return oauth_client(
        provider=UBER,
        token_url=settings.token_url,
        client_id=settings.client_id,
        client_secret=settings.client_secret,
        scope=settings.scopes,
    )


class Providers:
    """The HTTP clients of the configured providers, closed together."""

    def __init__(self) -> None:
        self.clients: list[httpx.AsyncClient] = []

    def add(self, client: httpx.AsyncClient) -> httpx.AsyncClient:
        self.clients.append(client)
        return client

    async def aclose(self) -> None:
        for client in self.clients:
            await client.aclose()


def build_resources(
    pool: asyncpg.Pool, env: Mapping[str, str], tenant: Tenant, providers: Providers
) -> list[Resource]:
    """Every pollable resource of the tenant, for the providers it has credentials for.

    Each tenant gets its own httpx clients, so its own token cache and rate limiters: one
    org's refused credentials or spent rate budget never touch another's polls."""
    resources: list[Resource] = []
    if (uber := tenant.uber) is None:
        log.warning("%s: Uber idle", _no_credentials(tenant, "UBER"))
    else:
        client = uber_setup.uber_client(providers.add(uber_http(uber)), uber)
        settings = uber_setup.uber_poll_settings(env, uber.default_org_id)
        pollers = UberPollers(pool, client, tenant.org_id, settings=settings)
        resources += _bound(tenant, UBER, uber_setup.uber_jobs(pollers))
    if (bolt := tenant.bolt) is None:
        log.warning("%s: Bolt idle", _no_credentials(tenant, "BOLT"))
    else:
        client_b = bolt_setup.bolt_client(providers.add(bolt_setup.bolt_http(bolt)), bolt)
        pollers_b = bolt_setup.bolt_pollers(pool, client_b, tenant.org_id, bolt)
        resources += _bound(tenant, "bolt", bolt_setup.bolt_jobs(pollers_b))
    return resources


def _no_credentials(tenant: Tenant, prefix: str) -> str:
    if tenant.default:
        return f"no {prefix.title()} credentials ({prefix}_CLIENT_ID/{prefix}_CLIENT_SECRET)"
    return f"org {tenant.slug} has no {prefix.title()} credentials (fleet credentials set)"


def _bound(tenant: Tenant, provider: str, jobs: Mapping[str, Poll]) -> list[Resource]:
    label = "" if tenant.default else tenant.slug
    return [Resource(tenant.org_id, provider, name, poll, label) for name, poll in jobs.items()]


async def tenants_resources(
    pool: asyncpg.Pool, env: Mapping[str, str], providers: Providers
) -> list[Resource]:
    """The resources of every enabled org, each polled with its own credentials."""
    resources: list[Resource] = []
    for tenant in await enabled_tenants(pool, env):
        resources += build_resources(pool, env, tenant, providers)
    return resources


def schedule(
    scheduler: PollScheduler,
    recorder: RunRecorder,
    resources: list[Resource],
    env: Mapping[str, str],
    declared: Declaration = DECLARED,
) -> None:
    """One job per resource, every ``<PROVIDER>_<RESOURCE>_INTERVAL_S`` seconds."""
    for target in resources:
        seconds = interval_s(declared.get(target.provider, target.resource), env)

        async def run(target: Resource = target) -> object:
            return await recorder.scheduled(target)

        POLL_INTERVAL.labels(target.provider, target.resource).set(seconds)
        scheduler.add(target.job, run, seconds)


async def serve_sync_commands(
    pool: asyncpg.Pool,
    env: Mapping[str, str],
    recorder: RunRecorder,
    resources: list[Resource],
    stop: asyncio.Event,
) -> None:
    """Take sync commands from NATS until ``stop``; polls go on without NATS meanwhile."""
    nc = await connect(load_nats_url(env), "fleet-ingest")
    try:
        replicas = nats_stream_replicas(env)
        await SyncConsumer(pool, nc, recorder, resources, replicas).run(stop)
    finally:
        await nc.close()


async def main() -> None:
    env = environ()
    db = load_database(env)
    stop = stop_event()
    pool = await create_pool(db.writer_url, role=db.writer_role)
    locks: asyncpg.Pool | None = None
    scheduler = PollScheduler()
    providers = Providers()
    sync = None
    try:
        if swept := await sweep_interrupted_runs(pool):
            log.warning("%d sync runs interrupted by a previous stop marked failed", swept)
        resources = await tenants_resources(pool, env, providers)
        size = min(len(resources), LOCK_CONNECTIONS_MAX) + 1
        locks = await create_pool(db.writer_url, role=db.writer_role, min_size=0, max_size=size)
        recorder = RunRecorder(pool, locks=locks)
        schedule(scheduler, recorder, resources, env)
        scheduler.start()
        sync = asyncio.create_task(serve_sync_commands(pool, env, recorder, resources, stop))
        orgs = len({r.org_id for r in resources})
        log.info("ingest running: %d resources of %d orgs", len(resources), orgs)
        await stop.wait()
    finally:
        scheduler.shutdown()
        if sync is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(sync, 10)
        await providers.aclose()
        if locks is not None:
            await locks.close()
        await pool.close()


def run() -> None:
    setup_logging("ingest")
    serve_metrics(environ(), "ingest")
    asyncio.run(main())
