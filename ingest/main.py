"""Composition root of the ingest process (``fleet ingest``)."""

from __future__ import annotations

import asyncio
import logging
from uuid import UUID

import asyncpg
import httpx

from eventlog.db import create_pool
from fleet.config import (
    ConfigError,
    UberSettings,
    env_int,
    environ,
    load_database,
    load_uber,
)
from fleet.logs import setup_logging
from fleet.metrics_server import serve_metrics
from fleet.signals import stop_event
from ingest.auth import ClientCredentials
from ingest.http import ProviderHttp, RateLimiter
from ingest.schedule import PollScheduler
from ingest.uber.client import PROVIDER as UBER
from ingest.uber.client import UberClient
from ingest.uber.pollers import UberPollers

log = logging.getLogger(__name__)


def uber_http(settings: UberSettings, rate_per_s: float = 10.0) -> httpx.AsyncClient:
    """The httpx client for Uber, with its client-credentials auth."""
    auth = ClientCredentials(
        provider=UBER,
        token_url=settings.token_url,
        client_id=settings.client_id,
        client_secret=settings.client_secret,
        scope=settings.scopes,
    )
    return httpx.AsyncClient(
        auth=auth, timeout=httpx.Timeout(30.0, connect=10.0), headers={"Accept": "application/json"}
    )


def uber_client(http: httpx.AsyncClient, settings: UberSettings) -> UberClient:
    return UberClient(ProviderHttp(UBER, http, limiter=RateLimiter(10.0, 10)), settings.api_base)


async def tenant_id(pool: asyncpg.Pool, slug: str) -> UUID:
    org_id = await pool.fetchval("SELECT org_id FROM orgs WHERE slug = $1", slug)
    if org_id is None:
        raise ConfigError(f"no org {slug!r}: run `fleet migrate` (creates FLEET_ORG_SLUG)")
    return UUID(str(org_id))


async def main() -> None:
    env = environ()
    db = load_database(env)
    uber = load_uber(env)
    stop = stop_event()
    pool = await create_pool(db.writer_url, role=db.writer_role)
    scheduler = PollScheduler()
    http = None
    try:
        org_id = await tenant_id(pool, env.get("FLEET_ORG_SLUG", "default"))
        if uber is None:
            log.warning("no Uber credentials (UBER_CLIENT_ID/UBER_CLIENT_SECRET): Uber idle")
        else:
            http = uber_http(uber)
            pollers = UberPollers(pool, uber_client(http, uber), org_id)
            scheduler.add(
                "uber.organizations",
                pollers.organizations,
                env_int(env, "UBER_ORGS_INTERVAL_S", 86400),
            )
            scheduler.add(
                "uber.drivers", pollers.drivers, env_int(env, "UBER_DRIVERS_INTERVAL_S", 6 * 3600)
            )
        scheduler.start()
        log.info("ingest running for org %s", org_id)
        await stop.wait()
    finally:
        scheduler.shutdown()
        if http is not None:
            await http.aclose()
        await pool.close()


def run() -> None:
    setup_logging("ingest")
    serve_metrics(environ(), "ingest")
    asyncio.run(main())
