"""Uber webhook deliveries for tests: bodies as Uber sends them, signed or not, and an app
configured with the signing key."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from collections.abc import AsyncIterator
from uuid import UUID

import asyncpg
import pytest

from core.config import DatabaseSettings
from query_api.app import ApiSettings, create_app
from tests.apihelp import JWT, ApiClient

SECRET = "webhook-test-secret-0123456789"
SIGNATURE = "X-Uber-Signature"


def status_change(
    account_id: str,
    driver_id: str,
    status: str = "DRIVER_STATUS_ONLINE",
    *,
    at: int | None = None,
    event_id: str | None = None,
) -> bytes:
    """A ``REALTIME_STATUS_CHANGE`` body (docs/PROVIDERS.md §1.9)."""
    body = {
        "event_id": event_id or str(uuid.uuid4()),
        "event_type": "REALTIME_STATUS_CHANGE",
        "event_time": int(time.time()) if at is None else at,
        "meta": {"org_id": account_id, "driver_id": driver_id, "status": status},
    }
    return json.dumps(body).encode()


def signed(body: bytes, key: str = SECRET) -> dict[str, str]:
    """Headers of a delivery of ``body`` signed with ``key``."""
    signature = hmac.new(key.encode(), body, hashlib.sha256).hexdigest()
    return {SIGNATURE: signature, "Content-Type": "application/json"}


async def uber_account(owner_pool: asyncpg.Pool, org_id: UUID) -> str:
    """A new Uber org of ``org_id``, recorded as the organizations poll records one."""
    account_id = f"uber-org-{uuid.uuid4().hex}=="
    await owner_pool.execute(
        "INSERT INTO provider_accounts (org_id, provider, account_id) VALUES ($1, 'uber', $2)",
        org_id,
        account_id,
    )
    return account_id


@pytest.fixture
async def hooks_api(db: DatabaseSettings, nats_server) -> AsyncIterator[ApiClient]:  # type: ignore[no-untyped-def]
    """The API with Uber's webhook key configured."""
    settings = ApiSettings(
        database=db, jwt=JWT, nats_url=nats_server.url, uber_webhook_secret=SECRET
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app), ApiClient(app) as client:
        yield client
