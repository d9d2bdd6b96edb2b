"""The log is append-only whatever the code does, and appends only what changed."""

from __future__ import annotations

from uuid import UUID

import asyncpg
import pytest

from contracts.uber import DRIVER_OBSERVED
from eventlog.store import head_position, read_after, read_types_after
from tests.helpers import append_drivers, driver_observation


async def test_database_refuses_update_delete_truncate_even_for_the_table_owner(
    owner_pool: asyncpg.Pool, writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    [position] = await append_drivers(writer_pool, org_id, [driver_observation("d-immutable")])
    statements = [
        ("UPDATE event_log SET entity_id = 'x' WHERE position = $1", position),
        ("DELETE FROM event_log WHERE position = $1", position),
        ("TRUNCATE event_log",),
    ]
    for sql, *args in statements:
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
            await owner_pool.execute(sql, *args)
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await writer_pool.execute(sql, *args)
    assert (
        await owner_pool.fetchval("SELECT entity_id FROM event_log WHERE position = $1", position)
        == "d-immutable"
    )


async def test_unchanged_repoll_appends_nothing_and_a_change_appends_one_event(
    writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    first = await append_drivers(
        writer_pool, org_id, [driver_observation("d1"), driver_observation("d2")]
    )
    again = await append_drivers(
        writer_pool, org_id, [driver_observation("d1"), driver_observation("d2")]
    )
    changed = await append_drivers(
        writer_pool, org_id, [driver_observation("d1"), driver_observation("d2", phone="699")]
    )
    assert len(first) == 2
    assert again == []
    assert len(changed) == 1
    async with writer_pool.acquire() as conn:
        [event] = await read_after(conn, changed[0] - 1, 1)
    assert event.entity_id == "d2"
    assert b'"699"' in bytes(event.record)


async def test_key_order_and_whitespace_do_not_count_as_a_change(
    writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    from contracts.uber import DRIVER_OBSERVED
    from eventlog.store import Observation, canonical_hash

    a = b'{"driverId": "d9", "firstName": "A"}'
    b = b'{"firstName":"A","driverId":"d9"}'
    obs = [Observation("d9", DRIVER_OBSERVED, 1, raw, canonical_hash(raw)) for raw in (a, b)]
    assert len(await append_drivers(writer_pool, org_id, [obs[0]])) == 1
    assert await append_drivers(writer_pool, org_id, [obs[1]]) == []


async def test_events_keep_the_provider_bytes_exactly(
    writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    obs = driver_observation("d-bytes")
    [position] = await append_drivers(writer_pool, org_id, [obs])
    stored = await writer_pool.fetchval(
        "SELECT record FROM event_log WHERE position = $1", position
    )
    assert stored == obs.record


async def test_a_page_appends_only_its_changed_records_in_page_order_and_notifies_the_last(
    writer_pool: asyncpg.Pool, owner_pool: asyncpg.Pool, org_id: UUID
) -> None:
    from eventlog.store import NOTIFY_CHANNEL

    await append_drivers(writer_pool, org_id, [driver_observation("p1"), driver_observation("p2")])
    heard: list[str] = []

    def hear(*args: object) -> None:
        heard.append(str(args[-1]))

    listener = await owner_pool.acquire()
    await listener.add_listener(NOTIFY_CHANNEL, hear)
    try:
        page = [
            driver_observation("p3"),
            driver_observation("p1"),  # unchanged
            driver_observation("p2", phone="611"),
            driver_observation("p3", phone="622"),  # repeated: the last one counts
        ]
        positions = await append_drivers(writer_pool, org_id, page)
        assert await append_drivers(writer_pool, org_id, page) == []  # nothing to notify
        await listener.execute("SELECT 1")  # notifications arrive with the next reply
    finally:
        await listener.remove_listener(NOTIFY_CHANNEL, hear)
        await owner_pool.release(listener)
    async with writer_pool.acquire() as conn:
        events = await read_after(conn, positions[0] - 1, 10)
    mine = [e for e in events if e.org_id == org_id]
    assert [e.entity_id for e in mine] == ["p2", "p3"]
    assert [e.position for e in mine] == positions
    assert b'"622"' in bytes(mine[1].record)
    assert heard[-1:] == [str(positions[-1])] and "" not in heard


async def test_an_append_whose_transaction_rolls_back_notifies_nothing(
    writer_pool: asyncpg.Pool, owner_pool: asyncpg.Pool, org_id: UUID
) -> None:
    """The notification is sent before the COPY (one round trip with the lock), so only the
    commit may deliver it: a page that never commits must not wake the relay."""
    from datetime import UTC, datetime

    from eventlog.store import NOTIFY_CHANNEL, append_observations

    heard: list[str] = []
    listener = await owner_pool.acquire()
    await listener.add_listener(NOTIFY_CHANNEL, lambda *args: heard.append(str(args[-1])))
    try:
        async with writer_pool.acquire() as conn:
            transaction = conn.transaction()
            await transaction.start()
            positions = await append_observations(
                conn, org_id=org_id, provider="uber", account_id="acct", entity_type="driver",
                observed_at=datetime.now(UTC), fetch_id=None,
                observations=[driver_observation("rb1"), driver_observation("rb2")],
            )  # fmt: skip
            await transaction.rollback()
        committed = await append_drivers(writer_pool, org_id, [driver_observation("rb3")])
        await listener.execute("SELECT 1")  # notifications arrive with the next reply
    finally:
        await listener.reset()
        await owner_pool.release(listener)
    assert len(positions) == 2
    assert str(positions[-1]) not in heard and heard[-1:] == [str(committed[-1])]


async def _types_read(
    conn: asyncpg.Connection, limit: int, types: list[str], until: int
) -> list[int]:
    """The positions read_types_after gives, batch after batch, up to ``until``."""
    position, found = 0, []
    while position < until:
        batch = await read_types_after(conn, position, limit, types, until)
        found += [e.position for e in batch]
        position = batch[-1].position if len(batch) == limit else until
    return found


async def test_a_types_read_gives_every_event_of_its_types_in_order_sparse_or_dense(
    writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    await append_drivers(writer_pool, org_id, [driver_observation(f"s{n}") for n in range(12)])
    async with writer_pool.acquire() as conn:
        until = await head_position(conn)
        log = await read_after(conn, 0, until + 1, until=until)
        wanted = [e.position for e in log if e.event_type == DRIVER_OBSERVED]
        sparse = await _types_read(conn, 2, [DRIVER_OBSERVED], until)  # a bitmap's batches
        dense = await _types_read(conn, len(log), [DRIVER_OBSERVED], until)  # one range

    assert sparse == dense == wanted
    assert len(wanted) >= 12
