"""Wiring of the Bolt side of the ingest process (called from ``ingest/main.py``)."""

from __future__ import annotations

from uuid import UUID

import asyncpg
import httpx

from contracts.resources import DECLARED
from core.config import BoltSettings
from ingest.auth import oauth_client
from ingest.bolt.client import PROVIDER, SCOPE, BoltClient
from ingest.bolt.pollers import BoltPollers, BoltPollSettings
from ingest.http import ProviderHttp, RateLimiter
from ingest.resources import poll_jobs
from ingest.schedule import Poll


def bolt_http(settings: BoltSettings) -> httpx.AsyncClient:
    """The httpx client for Bolt, with its client-credentials auth (600 s tokens)."""
    return oauth_client(
        provider=PROVIDER,
        token_url=settings.token_url,
        client_id=settings.client_id,
        client_secret=settings.client_secret,
        scope=SCOPE,
    )


def bolt_client(http: httpx.AsyncClient, settings: BoltSettings) -> BoltClient:
    """The Bolt client, paced at ``BOLT_RATE_RPS`` (1 req/s, bursts of 5 by default)."""
    limiter = RateLimiter(settings.rate_rps, settings.rate_burst, PROVIDER)
    return BoltClient(ProviderHttp(PROVIDER, http, limiter=limiter), settings.api_base)


def bolt_jobs(pollers: BoltPollers) -> dict[str, Poll]:
    """One poll per declared Bolt resource, by resource name."""
    return poll_jobs(pollers, DECLARED.of(PROVIDER))


def bolt_pollers(
    pool: asyncpg.Pool, client: BoltClient, org_id: UUID, settings: BoltSettings
) -> BoltPollers:
    return BoltPollers(pool, client, org_id, BoltPollSettings(company_ids=settings.company_ids))
