"""Change detection reads the log itself; the positions an append returns are its rows'.

The writer appends with COPY (it has BYPASSRLS); a writer under row-level security falls
back to an INSERT with the same detection (eventlog/store.py).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from uuid import UUID

import asyncpg
import pytest

from contracts.bolt import DRIVER_OBSERVED, VEHICLE_OBSERVED
from core.config import DatabaseSettings
from eventlog.store import Observation, append_observations, canonical_hash
from tests.helpers import append_drivers, driver_observation


def bolt(event_type: str, entity_id: str, body: bytes) -> Observation:
    return Observation(entity_id, event_type, 1, body, canonical_hash(body))


async def append(
    conn: asyncpg.Connection, org_id: UUID, entity_type: str, observations: list[Observation]
) -> list[int]:
    return await append_observations(
        conn, org_id=org_id, provider="bolt", account_id="c1", entity_type=entity_type,
        observed_at=datetime.now(UTC), fetch_id=None, observations=observations,
    )  # fmt: skip


async def drivers(
    conn: asyncpg.Connection, org_id: UUID, observations: list[Observation]
) -> list[int]:
    """Uber drivers appended on this connection, in a transaction (a savepoint if in one)."""
    async with conn.transaction():
        return await append_observations(
            conn, org_id=org_id, provider="uber", account_id="acct", entity_type="driver",
            observed_at=datetime.now(UTC), fetch_id=None, observations=observations,
        )  # fmt: skip


async def stored_positions(pool: asyncpg.Pool, org_id: UUID) -> list[int]:
    rows = await pool.fetch(
        "SELECT position FROM event_log WHERE org_id = $1 ORDER BY position", org_id
    )
    return [r["position"] for r in rows]


async def test_a_driver_and_a_vehicle_with_the_same_id_are_not_confused(
    writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    same = b'{"id": 123}'
    async with writer_pool.acquire() as conn:
        driver = await append(conn, org_id, "driver", [bolt(DRIVER_OBSERVED, "123", same)])
        vehicle = await append(conn, org_id, "vehicle", [bolt(VEHICLE_OBSERVED, "123", same)])
        changed = await append(conn, org_id, "vehicle", [bolt(VEHICLE_OBSERVED, "123", b"{}")])
        driver_again = await append(conn, org_id, "driver", [bolt(DRIVER_OBSERVED, "123", same)])
    assert len(driver) == 1
    assert len(vehicle) == 1  # the driver's identical record is another entity's
    assert len(changed) == 1
    assert driver_again == []  # compared with the driver's last event, not the vehicle's


async def test_an_unchanged_record_after_a_rolled_back_change_appends_nothing(
    writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    [first] = await append_drivers(writer_pool, org_id, [driver_observation("rb1")])
    async with writer_pool.acquire() as conn:
        tx = conn.transaction()
        await tx.start()
        await drivers(conn, org_id, [driver_observation("rb1", phone="611")])
        await tx.rollback()
        again = await drivers(conn, org_id, [driver_observation("rb1")])
        changed = await drivers(conn, org_id, [driver_observation("rb1", phone="611")])
    assert again == []
    assert await stored_positions(writer_pool, org_id) == [first, *changed]


async def test_returned_positions_are_the_rows_positions_after_holes_and_other_writers(
    writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    returned: list[int] = []
    async with writer_pool.acquire() as mine, writer_pool.acquire() as other:
        tx = mine.transaction()
        await tx.start()
        await drivers(mine, org_id, [driver_observation(f"h{i}") for i in range(3)])
        await tx.rollback()  # a hole, and this session's currval is past it
        returned += await drivers(other, org_id, [driver_observation("o1")])
        page = [driver_observation(f"h{i}") for i in range(3)] + [driver_observation("o1")]
        returned += await drivers(mine, org_id, page)  # o1 is unchanged
    assert len(returned) == 4
    assert await stored_positions(writer_pool, org_id) == returned


async def test_the_position_sequence_hands_out_consecutive_values(
    owner_pool: asyncpg.Pool,
) -> None:
    """An append derives its positions from currval: one step, no values cached ahead."""
    increment, cache = await owner_pool.fetchrow(
        "SELECT seqincrement, seqcache FROM pg_sequence "
        "WHERE seqrelid = pg_get_serial_sequence('event_log', 'position')::regclass"
    )
    assert (increment, cache) == (1, 1)


@pytest.fixture
async def rls_writer(superuser_url: str, db: DatabaseSettings) -> AsyncIterator[asyncpg.Connection]:
    """A session with the writer's grants and policies but no BYPASSRLS (a managed server)."""
    role = f"writer_rls_{uuid.uuid4().hex[:8]}"
    base, _, _ = superuser_url.rpartition("/")
    conn = await asyncpg.connect(f"{base}/{db.owner_url.rpartition('/')[2]}")
    try:
        await conn.execute(f"CREATE ROLE {role} NOLOGIN NOBYPASSRLS IN ROLE fleet_writer")
        await conn.execute(f"SET ROLE {role}")
        yield conn
    finally:
        await conn.execute("RESET ROLE")
        await conn.execute(f"DROP ROLE {role}")
        await conn.close()


async def test_a_writer_under_row_security_appends_by_insert_with_the_same_detection(
    rls_writer: asyncpg.Connection, writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    assert await rls_writer.fetchval("SELECT row_security_active('event_log')")
    async with rls_writer.transaction():
        with pytest.raises(asyncpg.FeatureNotSupportedError):  # why COPY is not an option
            await rls_writer.copy_records_to_table("event_log", records=[], columns=["record"])
    page = [driver_observation("r1"), driver_observation("r2"), driver_observation("r1", phone="6")]
    async with rls_writer.transaction():
        first = await drivers(rls_writer, org_id, page)
    async with rls_writer.transaction():
        again = await drivers(rls_writer, org_id, page)
    changed = await append_drivers(writer_pool, org_id, [driver_observation("r2", phone="7")])
    assert len(first) == 2
    assert again == []
    assert await stored_positions(writer_pool, org_id) == first + changed


async def test_the_suite_runs_each_append_path_it_names(
    writer_pool: asyncpg.Pool, request: pytest.FixtureRequest
) -> None:
    """Both variants of the suite really take their own path (eventlog/conftest.py)."""
    under_rls = await writer_pool.fetchval("SELECT row_security_active('event_log')")
    assert under_rls == (request.node.callspec.params["writer_pool"] == "insert")
