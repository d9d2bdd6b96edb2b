"""The log's planner statistics are kept fresh while backfills run (migration 0027)."""

from __future__ import annotations

import asyncpg


async def test_autovacuum_analyses_the_log_after_every_20000_new_events_whatever_its_size(
    owner_pool: asyncpg.Pool,
) -> None:
    options = await owner_pool.fetchval(
        "SELECT reloptions FROM pg_class WHERE relname = 'event_log'"
    )
    assert {"autovacuum_analyze_scale_factor=0", "autovacuum_analyze_threshold=20000"} <= set(
        options
    )
