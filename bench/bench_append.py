"""Append rate of ``append_observations`` in page-sized batches, beside a raw COPY.

Baseline: the same rows (same columns as ``event_log``) written by one asyncpg COPY into a
scratch table, the ceiling of what PostgreSQL takes on this machine. The difference is the
price of the append path: the serialising lock, the change detection against
``entity_observations`` and its upsert, and one transaction per page.
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


async def _copy(conn: asyncpg.Connection, org: uuid.UUID, pages: list[list[Observation]]) -> float:
    await conn.execute("CREATE TABLE bench_scratch (LIKE event_log)")
    now = datetime.now(UTC)
    rows = [
        (n, uuid.uuid4(), o.event_type, o.schema_version, "uber", org, "bench", o.entity_id, now,
         now, o.record, o.record_hash, None)
        for n, o in enumerate((o for page in pages for o in page), start=1)
    ]  # fmt: skip
    started = time.perf_counter()
    await conn.copy_records_to_table("bench_scratch", records=rows)
    return time.perf_counter() - started


async def main() -> None:
    async with embedded() as (_, db):
        conn = await asyncpg.connect(db.owner_url)
        try:
            org = await new_org(conn)
            observations = driver_observations(EVENTS, round_=1)
            pages = [observations[i : i + PAGE] for i in range(0, EVENTS, PAGE)]
            append_s = await _append(conn, org, pages)
            copy_s = await _copy(conn, org, pages)
        finally:
            await conn.close()
    append_eps, copy_eps = EVENTS / append_s, EVENTS / copy_s
    report(
        "append",
        [
            f"append_observations: {EVENTS:,} events in pages of {PAGE}: {append_eps:,.0f} ev/s",
            f"  baseline, one raw COPY of the same rows: {copy_eps:,.0f} ev/s "
            f"(append path at {append_eps / copy_eps:.0%} of it)",
        ],
        {"events": EVENTS, "page": PAGE, "append_eps": append_eps, "copy_eps": copy_eps},
    )


if __name__ == "__main__":
    asyncio.run(main())
