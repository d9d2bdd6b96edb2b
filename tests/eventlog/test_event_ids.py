"""Event ids: unique, version 7 (time-ordered), on both append paths."""

from __future__ import annotations

import asyncio
import time
from uuid import UUID

import asyncpg

from eventlog.store import new_event_ids
from tests.helpers import append_drivers, driver_observation


def _unix_ms(event_id: UUID) -> int:
    return int.from_bytes(event_id.bytes[:6], "big")


def test_new_ids_are_distinct_version_7_uuids_stamped_with_the_current_millisecond() -> None:
    before = time.time_ns() // 1_000_000
    ids = [UUID(text) for text in new_event_ids(5000)]
    after = time.time_ns() // 1_000_000

    assert len(set(ids)) == 5000
    assert {i.version for i in ids} == {7}
    assert {i.variant for i in ids} == {"specified in RFC 4122"}
    assert all(before <= _unix_ms(i) <= after for i in ids)


async def test_appended_events_get_ids_that_sort_in_the_order_of_their_pages(
    writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    first = await append_drivers(
        writer_pool, org_id, [driver_observation(f"i{n}") for n in range(3)]
    )
    await asyncio.sleep(0.002)  # the next millisecond at least
    second = await append_drivers(
        writer_pool, org_id, [driver_observation(f"j{n}") for n in range(3)]
    )

    rows = await writer_pool.fetch(
        "SELECT position, event_id FROM event_log WHERE position = ANY($1) ORDER BY position",
        first + second,
    )
    ids = [r["event_id"] for r in rows]
    assert {i.version for i in ids} == {7}
    assert max(ids[:3]) < min(ids[3:])
