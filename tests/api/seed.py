"""Raw history for the audit tests, written the way ingest writes it (as the writer role)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

import asyncpg

from contracts.uber import DRIVER_OBSERVED, DRIVER_OBSERVED_VERSION
from eventlog.fetches import ProviderCall, quarantine, record_call
from eventlog.store import Observation, append_observations, canonical_hash

BODY_TYPE = "application/json; charset=utf-8"


def odd_record(driver_id: str, first: str = "Zoé") -> bytes:
    """A record whose exact bytes matter: spacing, key order and non-ASCII as received."""
    text = f'{{ "lastName" :"Da Silva",\n  "driverId": "{driver_id}", "firstName":"{first}" }}'
    return text.encode()


def call(body: bytes, status: int = 200, started_at: datetime | None = None) -> ProviderCall:
    return ProviderCall(
        provider="uber",
        method="GET",
        endpoint="/v1/vehicle-suppliers/drivers",
        started_at=started_at or datetime.now(UTC),
        duration_ms=42,
        status=status,
        body=body,
        content_type=BODY_TYPE,
        params={"org_id": "acct", "page_size": 50},
    )


async def seed_page(
    writer: asyncpg.Pool,
    org_id: UUID,
    driver_ids: list[str],
    *,
    status: int = 200,
    started_at: datetime | None = None,
) -> tuple[int, list[int], bytes]:
    """One provider call and an event per driver; returns (fetch_id, positions, body)."""
    records = [odd_record(d) for d in driver_ids]
    body = b'{"driverInformation": [' + b", ".join(records) + b"]}"
    observations = [
        Observation(d, DRIVER_OBSERVED, DRIVER_OBSERVED_VERSION, r, canonical_hash(r))
        for d, r in zip(driver_ids, records, strict=True)
    ]
    async with writer.acquire() as conn, conn.transaction():
        fetch_id = await record_call(conn, org_id, call(body, status, started_at))
        positions = await append_observations(
            conn,
            org_id=org_id,
            provider="uber",
            account_id="acct",
            entity_type="driver",
            observed_at=datetime.now(UTC),
            fetch_id=fetch_id,
            observations=observations,
        )
    return fetch_id, positions, body


async def seed_quarantine(writer: asyncpg.Pool, org_id: UUID, raw: bytes, reason: str) -> None:
    async with writer.acquire() as conn:
        await quarantine(
            conn,
            org_id=org_id,
            provider="uber",
            resource="drivers",
            fetch_id=None,
            reason=reason,
            raw=raw,
        )


async def other_org(owner: asyncpg.Pool, org_id: UUID) -> UUID:
    return UUID(
        str(
            await owner.fetchval(
                "INSERT INTO orgs (slug, name) VALUES ($1, 'Other') RETURNING org_id",
                f"o-{org_id.hex[:12]}",
            )
        )
    )


HOUR = timedelta(hours=1)
