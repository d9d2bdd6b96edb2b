"""Small builders shared by tests (no fakes of our infrastructure here)."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from uuid import UUID

import asyncpg

from contracts.uber import DRIVER_OBSERVED, DRIVER_OBSERVED_VERSION
from eventlog.store import Observation, append_observations, canonical_hash
from projector.shadow import copy_security, create_like


def driver_record(driver_id: str, first: str = "Rui", phone: str = "600000001") -> bytes:
    return json.dumps(
        {
            "driverId": driver_id,
            "firstName": first,
            "lastName": "Costa",
            "email": f"{driver_id}@example.test",
            "phoneNumber": {"countryCode": "+33", "number": phone},
        }
    ).encode()


def driver_observation(driver_id: str, **fields: str) -> Observation:
    record = driver_record(driver_id, **fields)
    return Observation(
        driver_id, DRIVER_OBSERVED, DRIVER_OBSERVED_VERSION, record, canonical_hash(record)
    )


async def append_drivers(
    pool: asyncpg.Pool, org_id: UUID, observations: list[Observation], account: str = "acct"
) -> list[int]:
    async with pool.acquire() as conn, conn.transaction():
        return await append_observations(
            conn,
            org_id=org_id,
            provider="uber",
            account_id=account,
            entity_type="driver",
            observed_at=datetime.now(UTC),
            fetch_id=None,
            observations=observations,
        )


async def finished_run(pool: asyncpg.Pool, run_id: UUID, wait_s: float = 60.0) -> asyncpg.Record:
    """A sync run's status and error once it has left 'queued' and 'running' (or when
    ``wait_s`` has passed: the caller's assertion then says what it was)."""
    for _ in range(int(wait_s * 10)):
        run = await pool.fetchrow("SELECT status, error FROM sync_runs WHERE run_id = $1", run_id)
        if run["status"] not in ("queued", "running"):
            break
        await asyncio.sleep(0.1)
    return run


async def secured_copies(owner: asyncpg.Pool, tables: Iterable[str]) -> tuple[str, dict[str, str]]:
    """Empty copies of live read tables, secured like them, for a test's own projection:
    a suffix of their own, and live table -> copy."""
    suffix = uuid.uuid4().hex[:8]
    targets = {t: f"{t}_{suffix}" for t in tables}
    async with owner.acquire() as conn, conn.transaction():
        for live, mine in targets.items():
            await create_like(conn, live, mine)
            await copy_security(conn, live, mine)
    return suffix, targets
