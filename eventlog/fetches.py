"""Raw provider history: every provider call, and each distinct response body stored once."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

import asyncpg
import msgspec

from eventlog.metrics import QUARANTINED


@dataclass(frozen=True)
class ProviderCall:
    """What one HTTP call to a provider sent and got back (parameters carry no secret)."""

    provider: str
    method: str
    endpoint: str
    started_at: datetime
    duration_ms: int
    status: int | None
    body: bytes | None
    content_type: str | None = None
    params: Mapping[str, object] = field(default_factory=dict)
    error: str | None = None


_RESPONSE_SQL = """
INSERT INTO provider_responses (content_hash, body, content_type, size)
VALUES ($1, $2, $3, $4) ON CONFLICT (content_hash) DO NOTHING
"""

_FETCH_SQL = """
INSERT INTO provider_fetches (org_id, provider, method, endpoint, params, status, duration_ms,
                              started_at, response_hash, error)
VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, $9, $10)
RETURNING fetch_id
"""


async def keep_body(conn: asyncpg.Connection, body: bytes, content_type: str | None) -> bytes:
    """Store ``body`` once per content hash; return the hash that names it."""
    content_hash = hashlib.sha256(body).digest()
    await conn.execute(_RESPONSE_SQL, content_hash, body, content_type, len(body))
    return content_hash


async def record_call(conn: asyncpg.Connection, org_id: UUID, call: ProviderCall) -> int:
    """Store the call (and its body, once per content hash); return its ``fetch_id``."""
    content_hash = None
    if call.body is not None:
        content_hash = await keep_body(conn, call.body, call.content_type)
    params = msgspec.json.encode(dict(call.params)).decode()
    fetch_id = await conn.fetchval(
        _FETCH_SQL,
        org_id,
        call.provider,
        call.method,
        call.endpoint,
        params,
        call.status,
        call.duration_ms,
        call.started_at,
        content_hash,
        call.error,
    )
    return int(fetch_id)


async def quarantine(
    conn: asyncpg.Connection,
    *,
    org_id: UUID,
    provider: str,
    resource: str,
    fetch_id: int | None,
    reason: str,
    raw: bytes,
) -> None:
    """Keep a record we could not decode, with why, for auditors and a later retry."""
    QUARANTINED.labels(provider, resource).inc()
    await conn.execute(
        "INSERT INTO quarantine (org_id, provider, resource, fetch_id, reason, raw) "
        "VALUES ($1, $2, $3, $4, $5, $6)",
        org_id,
        provider,
        resource,
        fetch_id,
        reason,
        raw,
    )
