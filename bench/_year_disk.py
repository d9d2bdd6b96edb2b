"""What the year weighs on disk, and what compressing it would save.

Sizes are PostgreSQL's own (``pg_total_relation_size`` and friends), after a ``VACUUM``
so that the visibility map and free space are what a day-old table has. Compression is
measured on copies: the provider bodies and the event records of the year copied into
tables whose column uses ``pglz`` (PostgreSQL's default) or ``lz4``, the records also with
``toast_tuple_target = 128`` (a row is compressed when it is longer than the target: at the
default 2 kB, a 600-byte record is stored as it is).
"""

from __future__ import annotations

import time
from typing import Any

import asyncpg

TABLES = ("event_log", "provider_responses", "provider_fetches", "bench_scratch")
READ_TABLES = (
    "drivers", "uber_vehicles", "uber_driver_status", "driver_daily_metrics", "uber_payments",
    "uber_transactions", "bolt_orders", "bolt_daily_earnings", "bolt_state_logs", "people",
    "people_identities", "settlements", "uber_fleet_days", "bolt_fleet_days", "uber_active_months",
    "bolt_active_months",
)  # fmt: skip
_SIZES = """
SELECT c.relname AS name, pg_total_relation_size(c.oid) AS total,
       pg_relation_size(c.oid) AS heap, pg_indexes_size(c.oid) AS indexes,
       coalesce(pg_total_relation_size(nullif(c.reltoastrelid, 0)), 0) AS toast,
       c.reltuples::bigint AS rows
FROM pg_class c WHERE c.relname = ANY($1::text[]) AND c.relkind = 'r'
"""


async def sizes(conn: asyncpg.Connection, tables: tuple[str, ...]) -> dict[str, dict[str, int]]:
    """Each table's bytes (total, heap, indexes, TOAST) and rows (the planner's count)."""
    return {r["name"]: {k: int(r[k]) for k in ("total", "heap", "indexes", "toast", "rows")}
            for r in await conn.fetch(_SIZES, list(tables))}  # fmt: skip


async def database_size(conn: asyncpg.Connection) -> int:
    return int(await conn.fetchval("SELECT pg_database_size(current_database())"))


async def lz4_available(conn: asyncpg.Connection) -> bool:
    """Whether this PostgreSQL was built with lz4 (``default_toast_compression`` accepts it)."""
    try:
        async with conn.transaction():
            await conn.execute("SET LOCAL default_toast_compression = 'lz4'")
        return True
    except asyncpg.PostgresError:
        return False


_VARIANTS = {
    "pglz": "COMPRESSION pglz",
    "lz4": "COMPRESSION lz4",
}


async def compression(conn: asyncpg.Connection, sample: int) -> dict[str, Any]:
    """Bytes and copy time of the bodies and of a sample of records under each method."""
    methods = ["pglz", "lz4"] if await lz4_available(conn) else ["pglz"]
    out: dict[str, Any] = {"methods": methods, "bodies": {}, "records": {}}
    for method in methods:
        out["bodies"][method] = await _copy(
            conn, f"bench_bodies_{method}", f"body bytea {_VARIANTS[method]}", "",
            "SELECT body FROM provider_responses",
        )  # fmt: skip
        for target in (2032, 128):
            out["records"][f"{method}, toast_tuple_target {target}"] = await _copy(
                conn, f"bench_records_{method}_{target}", f"record bytea {_VARIANTS[method]}",
                f"WITH (toast_tuple_target = {target})",
                f"SELECT record FROM event_log ORDER BY position LIMIT {int(sample)}",  # noqa: S608
            )  # fmt: skip
    out["sample"] = sample
    return out


async def _copy(conn: asyncpg.Connection, table: str, column: str, options: str,
                source: str) -> dict[str, float]:  # fmt: skip
    await conn.execute(f"DROP TABLE IF EXISTS {table}")
    await conn.execute(f"CREATE TABLE {table} ({column}) {options}")
    started = time.perf_counter()
    await conn.execute(f"INSERT INTO {table} {source}")
    seconds = time.perf_counter() - started
    name = column.split()[0]
    raw_sql = f"SELECT coalesce(sum(octet_length({name})), 0) FROM {table}"  # noqa: S608
    raw = int(await conn.fetchval(raw_sql))
    stored = int(await conn.fetchval("SELECT pg_total_relation_size($1::regclass)", table))
    await conn.execute(f"DROP TABLE {table}")
    return {"raw_bytes": raw, "stored_bytes": stored, "seconds": seconds}
