"""Composition root of the ingest process (``fleet ingest``).

Builds one client per configured provider, one poll per resource, and runs each poll on its
schedule and on demand (sync commands from NATS), always through the run recorder: every
run is recorded in ``sync_runs`` and holds its resource's lock.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from uuid import UUID

import asyncpg
import httpx

from contracts.resources import DECLARED, Declaration
from core.config import (
    ConfigError,
    UberSettings,
    environ,
    load_bolt,
    load_database,
    load_nats_url,
    load_uber,
    nats_stream_replicas,
)
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
from ingest.schedule import PollScheduler
from ingest.sync import SyncConsumer, sweep_interrupted_runs
from ingest.uber import setup as uber_setup
from ingest.uber.client import PROVIDER as UBER
from ingest.uber.pollers import UberPollers

log = logging.getLogger(__name__)


def uber_http(settings: UberSettings) -> httpx.AsyncClient:
    """The httpx client for Uber, with its client-credentials auth."""
    return oauth_client(
        provider=UBER,
        token_url=settings.token_url,
        client_id=settings.client_id,
        client_secret=settings.client_secret,
        scope=settings.scopes,
    )


async def tenant_id(pool: asyncpg.Pool, slug: str) -> UUID:
    org_id = await pool.fetchval("SELECT org_id FROM orgs WHERE slug = $1", slug)
    if org_id is None:
        raise ConfigError(f"no org {slug!r}: run `fleet migrate` (creates FLEET_ORG_SLUG)")
    return UUID(str(org_id))


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
    pool: asyncpg.Pool, env: Mapping[str, str], org_id: UUID, providers: Providers
) -> list[Resource]:
    """Every pollable resource of the tenant, for the providers with credentials."""
    resources: list[Resource] = []
    if (uber := load_uber(env)) is None:
        log.warning("no Uber credentials (UBER_CLIENT_ID/UBER_CLIENT_SECRET): Uber idle")
    else:
        client = uber_setup.uber_client(providers.add(uber_http(uber)), uber)
        pollers = UberPollers(
            pool, client, org_id, settings=uber_setup.uber_poll_settings(env, uber.default_org_id)
        )
        jobs = uber_setup.uber_jobs(pollers)
        resources += [Resource(org_id, UBER, name, poll) for name, poll in jobs.items()]
    if (bolt := load_bolt(env)) is None:
        log.warning("no Bolt credentials (BOLT_CLIENT_ID/BOLT_CLIENT_SECRET): Bolt idle")
    else:
        client_b = bolt_setup.bolt_client(providers.add(bolt_setup.bolt_http(bolt)), bolt)
        jobs = bolt_setup.bolt_jobs(bolt_setup.bolt_pollers(pool, client_b, org_id, bolt))
        resources += [Resource(org_id, "bolt", name, poll) for name, poll in jobs.items()]
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
        scheduler.add(target.name, run, seconds)


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
        org_id = await tenant_id(pool, env.get("FLEET_ORG_SLUG", "default"))
        if swept := await sweep_interrupted_runs(pool):
            log.warning("%d sync runs interrupted by a previous stop marked failed", swept)
        resources = build_resources(pool, env, org_id, providers)
        locks = await create_pool(
            db.writer_url, role=db.writer_role, min_size=0, max_size=len(resources) + 1
        )
        recorder = RunRecorder(pool, locks=locks)
        schedule(scheduler, recorder, resources, env)
        scheduler.start()
        sync = asyncio.create_task(serve_sync_commands(pool, env, recorder, resources, stop))
        log.info("ingest running for org %s: %d resources", org_id, len(resources))
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
