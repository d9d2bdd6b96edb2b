"""An event names an org that exists, and the call that fetched it if any; neither can go
while the log refers to it (migration 0029: checked once per statement, not per event)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from uuid import UUID

import asyncpg
import pytest

from eventlog.fetches import record_call
from eventlog.store import append_observations
from tests.api.seed import call, seed_page
from tests.helpers import append_drivers, driver_observation


async def _append(conn: asyncpg.Connection, org_id: UUID, fetch_id: int | None) -> list[int]:
    return await append_observations(
        conn, org_id=org_id, provider="uber", account_id="acct", entity_type="driver",
        observed_at=datetime.now(UTC), fetch_id=fetch_id,
        observations=[driver_observation(f"ref-{i}") for i in range(3)],
    )  # fmt: skip


async def _events(pool: asyncpg.Pool, org_id: UUID) -> int:
    return int(await pool.fetchval("SELECT count(*) FROM event_log WHERE org_id = $1", org_id))


async def test_an_append_for_an_org_that_does_not_exist_is_refused_and_writes_nothing(
    writer_pool: asyncpg.Pool,
) -> None:
    nobody = uuid.uuid4()
    async with writer_pool.acquire() as conn:
        with pytest.raises(asyncpg.ForeignKeyViolationError, match=str(nobody)):
            async with conn.transaction():
                await _append(conn, nobody, None)
    assert await _events(writer_pool, nobody) == 0


async def test_an_append_naming_a_call_that_was_never_recorded_is_refused(
    writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    async with writer_pool.acquire() as conn:
        missing = 2**62  # far beyond any call the identity will number
        with pytest.raises(asyncpg.ForeignKeyViolationError, match="provider fetch"):
            async with conn.transaction():
                await _append(conn, org_id, missing)
        async with conn.transaction():
            recorded = await record_call(conn, org_id, call(b'{"driverInformation": []}'))
            assert len(await _append(conn, org_id, recorded)) == 3
    assert await _events(writer_pool, org_id) == 3


async def test_a_statement_naming_one_missing_org_among_existing_ones_is_refused_whole(
    owner_pool: asyncpg.Pool, org_id: UUID
) -> None:
    rows = [
        (uuid.uuid4(), "uber.driver.observed", 1, "uber", org, "acct", f"d-{i}",
         datetime.now(UTC), b"{}", bytes(32), None)
        for i, org in enumerate([org_id, org_id, uuid.uuid4()])
    ]  # fmt: skip
    columns = ["event_id", "event_type", "schema_version", "provider", "org_id", "account_id",
               "entity_id", "observed_at", "record", "record_hash", "fetch_id"]  # fmt: skip
    async with owner_pool.acquire() as conn:
        with pytest.raises(asyncpg.ForeignKeyViolationError):
            await conn.copy_records_to_table("event_log", records=rows, columns=columns)
    assert await _events(owner_pool, org_id) == 0


async def test_an_org_or_a_call_the_log_refers_to_cannot_be_deleted_or_renumbered(
    owner_pool: asyncpg.Pool, writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    fetch_id, _, _ = await seed_page(writer_pool, org_id, ["kept-1"])
    for statement, key in (
        ("DELETE FROM orgs WHERE org_id = $1", org_id),
        ("UPDATE orgs SET org_id = gen_random_uuid() WHERE org_id = $1", org_id),
        ("DELETE FROM provider_fetches WHERE fetch_id = $1", fetch_id),
        ("UPDATE provider_fetches SET fetch_id = DEFAULT WHERE fetch_id = $1", fetch_id),
    ):
        with pytest.raises(asyncpg.ForeignKeyViolationError, match="refer to it"):
            await owner_pool.execute(statement, key)
    await owner_pool.execute("UPDATE orgs SET name = 'renamed' WHERE org_id = $1", org_id)
    assert await _events(owner_pool, org_id) == 1


async def test_an_org_without_events_can_still_be_deleted(owner_pool: asyncpg.Pool) -> None:
    org = await owner_pool.fetchval(
        "INSERT INTO orgs (slug, name) VALUES ($1, 'Gone') RETURNING org_id",
        f"gone-{uuid.uuid4().hex[:8]}",
    )
    assert await owner_pool.execute("DELETE FROM orgs WHERE org_id = $1", org) == "DELETE 1"


async def test_deleting_an_org_waits_for_an_append_in_flight_then_is_refused(
    owner_pool: asyncpg.Pool, writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    async with writer_pool.acquire() as appender:
        tx = appender.transaction()
        await tx.start()
        await _append(appender, org_id, None)  # the org's row is now locked FOR KEY SHARE
        delete = asyncio.create_task(
            owner_pool.execute("DELETE FROM orgs WHERE org_id = $1", org_id)
        )
        await asyncio.sleep(0.3)
        assert not delete.done()  # waits for the append's transaction
        await tx.commit()
        with pytest.raises(asyncpg.ForeignKeyViolationError):
            await delete
    assert await _events(owner_pool, org_id) == 3
    assert await append_drivers(writer_pool, org_id, [driver_observation("ref-9")])
