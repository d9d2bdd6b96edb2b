"""Change detection whatever the planner's statistics say (migrations 0027 and 0028)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from uuid import UUID

import asyncpg

from eventlog.store import Observation, append_observations, canonical_hash


async def test_autovacuum_analyses_the_log_after_every_20000_new_events_whatever_its_size(
    owner_pool: asyncpg.Pool,
) -> None:
    options = await owner_pool.fetchval(
        "SELECT reloptions FROM pg_class WHERE relname = 'event_log'"
    )
    assert {"autovacuum_analyze_scale_factor=0", "autovacuum_analyze_threshold=20000"} <= set(
        options
    )


WALKS = ("event_log_type", "event_log_org_position")


async def _index_reads(conn: asyncpg.Connection) -> dict[str, tuple[int, int]]:
    """(scans, entries read) of each event_log index, this session's counts flushed first."""
    await conn.execute("SELECT pg_stat_force_next_flush()")  # flushed once this one ends
    await conn.execute("SELECT 1")
    rows = await conn.fetch(
        "SELECT indexrelname, idx_scan, idx_tup_read FROM pg_stat_user_indexes "
        "WHERE relname = 'event_log'"
    )
    return {r["indexrelname"]: (r["idx_scan"], r["idx_tup_read"]) for r in rows}


def _page(event_type: str, round_: int, first: int, size: int) -> list[Observation]:
    out = []
    for i in range(first, first + size):
        record = f'{{"id": "k{i}", "round": {round_}}}'.encode()
        out.append(Observation(f"k{i}", event_type, 1, record, canonical_hash(record)))
    return out


async def test_a_tenant_and_kind_the_statistics_never_saw_are_looked_up_by_entity_only(
    owner_pool: asyncpg.Pool, writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    """Statistics taken before this tenant and this event type existed estimate one row for
    them: the lookup of migration 0023 then walked event_log_type backwards for each record,
    through every event of the type appended since. The lookup must read its own index and
    nothing else, from the first page to the last (past PL/pgSQL's switch to a generic plan),
    and read at most the one entry it finds for each record."""
    await owner_pool.execute("ANALYZE event_log")
    event_type = f"test.kind_{uuid.uuid4().hex[:8]}.observed"
    async with writer_pool.acquire() as conn:
        before = await _index_reads(conn)
        for round_ in range(2):  # new records, then every one changed
            for first in range(0, 2000, 200):
                async with conn.transaction():
                    await append_observations(
                        conn, org_id=org_id, provider="uber", account_id="acct",
                        entity_type="kind", observed_at=datetime.now(UTC), fetch_id=None,
                        observations=_page(event_type, round_, first, 200),
                    )  # fmt: skip
        after = await _index_reads(conn)
        appended = await conn.fetchval(
            "SELECT count(*) FROM event_log WHERE org_id = $1 AND event_type = $2",
            org_id,
            event_type,
        )

    assert appended == 4000
    scans, read = (
        a - b
        for a, b in zip(
            after["event_log_latest_by_entity"], before["event_log_latest_by_entity"], strict=True
        )
    )
    assert scans > 0
    assert read <= 2000  # the second round's one entry each; the first round's none
    for index in WALKS:
        assert after[index][1] - before[index][1] == 0, index
