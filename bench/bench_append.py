"""Append rate of ``append_observations`` in page-sized batches, beside a raw COPY.

Baseline: the same rows written by asyncpg's binary COPY into ``bench_scratch``, a table
``LIKE event_log INCLUDING ALL`` plus its two foreign keys: the same columns, defaults,
identity, indexes and constraints, so any index added to ``event_log`` weighs on both sides
(no row-level security, no trigger that fires on insert, none on ``event_log`` either). Two
figures: one COPY and one commit per page, like the append path (the like-for-like ratio),
and one COPY of every row in one transaction (the ceiling, which also saves the commits).

The append path writes with the same binary COPY (eventlog/store.py), so the difference with
the first figure is its price: the serialising lock (one round trip), the change detection
(one statement reading each record's latest hash from ``event_log`` by index), building the
rows and their event ids, and reading the page's last position and notifying (one round
trip). Every page here is new, so the lookup finds nothing: a re-poll of unchanged records
costs the lookup alone. The bench connects as the owner, which row-level security does not
bind; the writer role gets the same COPY through BYPASSRLS.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime

import asyncpg
from _harness import driver_observations, embedded, new_org, report, scaled

from eventlog.store import Observation, append_observations

EVENTS = scaled(200_000)
PAGE = 500


async def _append(
    conn: asyncpg.Connection, org: uuid.UUID, pages: list[list[Observation]]
) -> float:
    started = time.perf_counter()
    for page in pages:
        async with conn.transaction():
            await append_observations(
                conn,
                org_id=org,
                provider="uber",
                account_id="bench",
                entity_type="driver",
                observed_at=datetime.now(UTC),
                fetch_id=None,
                observations=page,
            )
    return time.perf_counter() - started


_SCRATCH = """
CREATE TABLE {name} (LIKE event_log INCLUDING ALL);
ALTER TABLE {name} ADD FOREIGN KEY (org_id) REFERENCES orgs,
    ADD FOREIGN KEY (fetch_id) REFERENCES provider_fetches;
"""
_COLUMNS = [
    "event_id", "event_type", "schema_version", "provider", "org_id", "account_id", "entity_id",
    "observed_at", "record", "record_hash", "fetch_id",
]  # fmt: skip


async def _copy(
    conn: asyncpg.Connection, org: uuid.UUID, pages: list[list[Observation]], *, per_page: bool
) -> float:
    """COPY the rows into a fresh table shaped like ``event_log``; one COPY per page or one."""
    name = "bench_scratch_pages" if per_page else "bench_scratch_once"
    await conn.execute(_SCRATCH.format(name=name))
    now = datetime.now(UTC)
    rows = [
        [(uuid.uuid4(), o.event_type, o.schema_version, "uber", org, "bench", o.entity_id, now,
          o.record, o.record_hash, None) for o in page]
        for page in pages
    ]  # fmt: skip
    batches = rows if per_page else [[row for page in rows for row in page]]
    started = time.perf_counter()
    for batch in batches:
        async with conn.transaction():
            await conn.copy_records_to_table(name, records=batch, columns=_COLUMNS)
    return time.perf_counter() - started


async def main() -> None:
    async with embedded() as (_, db):
        conn = await asyncpg.connect(db.owner_url)
        try:
            org = await new_org(conn)
            observations = driver_observations(EVENTS, round_=1)
            pages = [observations[i : i + PAGE] for i in range(0, EVENTS, PAGE)]
            append_s = await _append(conn, org, pages)
            pages_s = await _copy(conn, org, pages, per_page=True)
            once_s = await _copy(conn, org, pages, per_page=False)
        finally:
            await conn.close()
    append_eps, copy_eps, once_eps = EVENTS / append_s, EVENTS / pages_s, EVENTS / once_s
    report(
        "append",
        [
            f"append_observations: {EVENTS:,} events in pages of {PAGE}: {append_eps:,.0f} ev/s",
            "  baseline, raw binary COPY of the same rows into a table LIKE event_log "
            "(same columns, indexes, foreign keys):",
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
            "baseline": "binary COPY into LIKE event_log INCLUDING ALL + its foreign keys; "
            "copy_eps: one COPY and commit per page, copy_once_eps: one COPY of all rows",
        },
    )


if __name__ == "__main__":
    asyncio.run(main())
