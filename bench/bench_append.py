"""Append rate of ``append_observations`` in page-sized batches, beside a raw COPY.

Baseline: the same rows written by asyncpg's binary COPY into ``bench_scratch``, a table
``LIKE event_log INCLUDING ALL`` with the log's check of the orgs and calls its rows name
(``create_log_like``): the same columns, defaults, identity, indexes and checks, so any index
added to ``event_log`` weighs on both sides, and the same (time-ordered) event ids, drawn by
``new_event_ids`` (no row-level security; the one trigger that fires on an insert, the
reference check, on both tables). Two figures: one COPY and one commit per page, like the
append path (the like-for-like ratio), and one COPY of every row in one transaction (the
ceiling, which also saves the commits).
The append and the per-page COPY take turns page by page (each first on every other page):
measured one after the other, the machine's other work (a shared two-core machine) fell on
one side more than the other, and single runs read anywhere from 0.6× to 1.0×.

The append path writes with the same binary COPY (eventlog/store.py), so the difference with
the first figure is its price: one call that takes the serialising lock, detects changes
(reading each record's latest hash from ``event_log`` by index), reserves the positions and
notifies (one round trip), and building the rows and their event ids. Every page here is
new, so the lookup finds nothing: a re-poll of unchanged records costs the lookup alone.
The bench connects as the owner, which row-level security does not bind; the writer role
gets the same COPY through BYPASSRLS.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import asyncpg
from _harness import (
    append_driver_page,
    create_log_like,
    driver_observations,
    embedded,
    new_org,
    report,
    scaled,
)

from eventlog.store import Observation, new_event_ids

EVENTS = scaled(200_000)
PAGE = 500


async def _append_page(conn: asyncpg.Connection, org: uuid.UUID, page: list[Observation]) -> float:
    started = time.perf_counter()
    await append_driver_page(conn, org, page)
    return time.perf_counter() - started


_COLUMNS = [
    "event_id", "event_type", "schema_version", "provider", "org_id", "account_id", "entity_id",
    "observed_at", "record", "record_hash", "fetch_id",
]  # fmt: skip


def _rows(org: uuid.UUID, pages: list[list[Observation]]) -> list[list[tuple[Any, ...]]]:
    now = datetime.now(UTC)
    return [
        [(event_id, o.event_type, o.schema_version, "uber", org, "bench", o.entity_id, now,
          o.record, o.record_hash, None)
         for event_id, o in zip(new_event_ids(len(page)), page, strict=True)]
        for page in pages
    ]  # fmt: skip


async def _copy(conn: asyncpg.Connection, name: str, batch: list[tuple[Any, ...]]) -> float:
    """One COPY and its commit into the scratch table ``name``."""
    started = time.perf_counter()
    async with conn.transaction():
        await conn.copy_records_to_table(name, records=batch, columns=_COLUMNS)
    return time.perf_counter() - started


async def _paired(
    conn: asyncpg.Connection, org: uuid.UUID, pages: list[list[Observation]]
) -> tuple[float, float]:
    """Each page appended, and COPYed into the per-page scratch table, one after the other
    (in turn first), so that whatever else the machine does weighs on both alike."""
    await create_log_like(conn, "bench_scratch_pages")
    rows = _rows(org, pages)
    append_s = copy_s = 0.0
    for n, (page, batch) in enumerate(zip(pages, rows, strict=True)):
        if n % 2:
            copy_s += await _copy(conn, "bench_scratch_pages", batch)
            append_s += await _append_page(conn, org, page)
        else:
            append_s += await _append_page(conn, org, page)
            copy_s += await _copy(conn, "bench_scratch_pages", batch)
    return append_s, copy_s


async def _copy_once(
    conn: asyncpg.Connection, org: uuid.UUID, pages: list[list[Observation]]
) -> float:
    """Every row in one COPY and one commit: the ceiling."""
    await create_log_like(conn, "bench_scratch_once")
    return await _copy(conn, "bench_scratch_once", [r for page in _rows(org, pages) for r in page])


async def main() -> None:
    async with embedded() as (_, db):
        conn = await asyncpg.connect(db.owner_url)
        try:
            org = await new_org(conn)
            observations = driver_observations(EVENTS, round_=1)
            pages = [observations[i : i + PAGE] for i in range(0, EVENTS, PAGE)]
            append_s, pages_s = await _paired(conn, org, pages)
            once_s = await _copy_once(conn, org, pages)
        finally:
            await conn.close()
    append_eps, copy_eps, once_eps = EVENTS / append_s, EVENTS / pages_s, EVENTS / once_s
    report(
        "append",
        [
            f"append_observations: {EVENTS:,} events in pages of {PAGE}: {append_eps:,.0f} ev/s",
            "  baseline, raw binary COPY of the same rows into a table LIKE event_log "
            "(same columns, indexes, reference checks):",
            f"    one COPY + commit per page of {PAGE}: {copy_eps:,.0f} ev/s "
            f"(append path at {append_eps / copy_eps:.0%} of it)",
            f"    one COPY of all {EVENTS:,} rows, one commit: {once_eps:,.0f} ev/s "
            f"(append path at {append_eps / once_eps:.0%} of it)",
        ],
        {
            "events": EVENTS,
            "page": PAGE,
            "append_eps": append_eps,
            "copy_eps": copy_eps,
            "copy_once_eps": once_eps,
            "baseline": "binary COPY into LIKE event_log INCLUDING ALL + its reference checks; "
            "copy_eps: one COPY and commit per page, copy_once_eps: one COPY of all rows",
        },
    )


if __name__ == "__main__":
    asyncio.run(main())
