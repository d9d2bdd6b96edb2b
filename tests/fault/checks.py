"""What the fault tests verify: read models against a rebuild, duplicates, and catch-up."""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

import asyncpg

from eventlog.store import head_position
from projector.projections import all_projections
from projector.runner import ProjectionRunner

# Every read table the projector writes (migrations 0001, 0003, 0004, 0026).
READ_TABLES = (
    "drivers",
    "uber_vehicles",
    "uber_driver_status",
    "uber_driver_status_history",
    "driver_daily_metrics",
    "driver_payments",
    "uber_transactions",
    "bolt_companies",
    "bolt_vehicles",
    "bolt_orders",
    "bolt_state_logs",
    "bolt_daily_earnings",
    "uber_fleet_days",
    "uber_active_months",
    "bolt_fleet_days",
    "bolt_active_months",
)
# The people tables (migration 0014) are rebuilt and compared too, but only within one org:
# their ids derive from log positions and the org (projector/people/fold.py), so the chaos
# test's comparison of two orgs' read models (READ_TABLES) cannot include them.
PEOPLE_TABLES = (
    "people",
    "people_identities",
    "people_suggestions",
    "people_vetoes",
    "people_history",
)
# The settlements' tables (migration 0021): projections of managers' decisions only.
SETTLEMENT_TABLES = ("settlement_schemes", "settlement_lines", "settlements")
REBUILT_TABLES = (*READ_TABLES, *PEOPLE_TABLES, *SETTLEMENT_TABLES)
# Columns that say when a row was computed, not what it holds.
WALL_CLOCK = {"bolt_daily_earnings": ("updated_at",)}

Snapshot = dict[str, Counter[str]]

# An event repeating the record its entity already had is a duplicate (a record may change
# back to an earlier state, so only consecutive repeats count).
REPEATS = """
SELECT count(*) FROM (
    SELECT record_hash = lag(record_hash) OVER (
        PARTITION BY org_id, provider, event_type, entity_id ORDER BY position) AS repeat
    FROM event_log) e
WHERE repeat
"""


async def snapshot(
    conn: asyncpg.Connection, ignore: Mapping[str, tuple[str, ...]] = {}
) -> Snapshot:
    """Every row of every read table, as canonical JSON (a multiset per table)."""
    found: Snapshot = {}
    for table in REBUILT_TABLES:
        drop = " - ".join(f"'{c}'" for c in (*WALL_CLOCK.get(table, ()), *ignore.get(table, ())))
        expr = f"to_jsonb(t) - {drop}" if drop else "to_jsonb(t)"
        rows = await conn.fetch(f"SELECT ({expr})::text AS row FROM {table} t")  # noqa: S608
        found[table] = Counter(json.dumps(json.loads(r["row"]), sort_keys=True) for r in rows)
    return found


async def rebuild_from_log(owner_url: str) -> int:
    """Empty every read table and checkpoint, and apply the whole log again; return its head.

    The projections run one after the other, in the projector's order, from position 0:
    the read models a fresh projector would build from this log.
    """
    pool = await asyncpg.create_pool(owner_url, min_size=1, max_size=4)
    assert pool is not None
    try:
        async with pool.acquire() as conn, conn.transaction():
            await conn.execute(f"TRUNCATE {', '.join(REBUILT_TABLES)}")
            await conn.execute("DELETE FROM projection_checkpoints")
            await conn.execute("DELETE FROM parked_events")
        for projection in all_projections():
            await ProjectionRunner(pool, None, projection, batch_size=1000).catch_up()
        return await head_position(pool)
    finally:
        await pool.close()


async def primary_keys(conn: asyncpg.Connection) -> dict[str, list[str]]:
    """The primary-key columns of each read table."""
    rows = await conn.fetch(
        "SELECT c.relname AS t, a.attname AS col FROM pg_index i "
        "JOIN pg_class c ON c.oid = i.indrelid "
        "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = ANY(i.indkey) "
        "WHERE i.indisprimary AND c.relname = ANY($1::text[])",
        list(READ_TABLES),
    )
    keys: dict[str, list[str]] = {}
    for row in rows:
        keys.setdefault(row["t"], []).append(row["col"])
    return keys


def differences(
    live: Snapshot, rebuilt: Snapshot, keys: Mapping[str, list[str]] | None = None
) -> dict[str, str]:
    """Per table that differs: rows only one side has, and the columns that differ."""
    found = {}
    for table in READ_TABLES:
        only_live = live[table] - rebuilt[table]
        only_rebuilt = rebuilt[table] - live[table]
        if only_live or only_rebuilt:
            columns = _columns_differing(only_live, only_rebuilt, (keys or {}).get(table, []))
            found[table] = (
                f"{sum(only_live.values())} rows only live, {sum(only_rebuilt.values())} only "
                f"rebuilt; columns differing on the same key: {columns or 'none (other keys)'}; "
                f"e.g. live {list(only_live)[:1]} rebuilt {list(only_rebuilt)[:1]}"
            )
    return found


def _columns_differing(a: Counter[str], b: Counter[str], key: list[str]) -> list[str]:
    """Each column differing between rows of the same key, with one example of it."""
    if not key:
        return []
    by_key = {tuple(row[k] for k in key): row for row in map(json.loads, b)}
    columns: dict[str, str] = {}
    for row in map(json.loads, a):
        other = by_key.get(tuple(row[k] for k in key))
        if other is not None:
            for c in row:
                if row[c] != other.get(c):
                    columns.setdefault(c, f"{c}: {row[c]!r} live, {other.get(c)!r} rebuilt")
    return sorted(columns.values())


@dataclass(frozen=True)
class Comparison:
    """The live read models against a rebuild from the log."""

    differences: dict[str, str]
    sizes: str
    quarantined: int
    parked: int


# Columns allowed to differ between the live read models and a rebuild: none. (drivers.status
# once had two writers and did; see tests/fault/test_projection_order.py.)
KNOWN_DIVERGENCE: dict[str, tuple[str, ...]] = {}


async def compare_with_rebuild(
    owner_url: str, ignore: Mapping[str, tuple[str, ...]] = KNOWN_DIVERGENCE
) -> Comparison:
    """Snapshot the read models, rebuild them from the log, and compare (workers stopped)."""
    conn = await asyncpg.connect(owner_url)
    try:
        keys = await primary_keys(conn)
        live = await snapshot(conn, ignore)
        quarantined = int(await conn.fetchval("SELECT count(*) FROM quarantine"))
        parked = int(await conn.fetchval("SELECT count(*) FROM parked_events"))
        await conn.close()
        await rebuild_from_log(owner_url)
        conn = await asyncpg.connect(owner_url)
        rebuilt = await snapshot(conn, ignore)
    finally:
        await conn.close()
    return Comparison(differences(live, rebuilt, keys), sizes(live), quarantined, parked)


def ignored(ignore: Mapping[str, tuple[str, ...]] = KNOWN_DIVERGENCE) -> str:
    """The columns left out of a comparison, for the test's report."""
    return ", ".join(f"{t}.{c}" for t, cs in ignore.items() for c in cs) or "none"


def sizes(snap: Snapshot) -> str:
    return ", ".join(f"{t} {sum(c.values())}" for t, c in snap.items() if c)


async def positions(conn: asyncpg.Connection) -> tuple[int, int, dict[str, int]]:
    """(log head, relay checkpoint, each projection's checkpoint)."""
    head = await head_position(conn)
    relay = await conn.fetchval("SELECT coalesce(max(position), 0) FROM relay_checkpoints")
    rows = await conn.fetch("SELECT name, position FROM projection_checkpoints")
    return head, int(relay), {r["name"]: int(r["position"]) for r in rows}


async def wait_caught_up(owner_url: str, timeout_s: float) -> float:
    """Wait until the relay and every projection reached the log's head; return the wait."""
    started = time.monotonic()
    names = {p.name for p in all_projections()}
    conn = await asyncpg.connect(owner_url)
    try:
        while True:
            head, relay, checkpoints = await positions(conn)
            if relay >= head and all(checkpoints.get(n, 0) >= head for n in names):
                return time.monotonic() - started
            if time.monotonic() - started > timeout_s:
                raise AssertionError(
                    f"not caught up after {timeout_s:.0f}s: head {head}, relay {relay}, "
                    f"projections {checkpoints}"
                )
            await asyncio.sleep(0.2)
    finally:
        await conn.close()


async def projected_drivers(conn: asyncpg.Connection) -> set[tuple[str, str, str]]:
    """(provider, driver id, e-mail) of every row of the drivers read table."""
    rows = await conn.fetch("SELECT provider, driver_id, email FROM drivers")
    return {(r["provider"], r["driver_id"], r["email"]) for r in rows}


async def wait_for_drivers(
    owner_url: str, expected: set[tuple[str, str, str]], timeout_s: float
) -> float:
    """Wait until the drivers table holds exactly ``expected``; return the wait."""
    started = time.monotonic()
    conn = await asyncpg.connect(owner_url)
    try:
        while True:
            found = await projected_drivers(conn)
            if found == expected:
                return time.monotonic() - started
            if time.monotonic() - started > timeout_s:
                raise AssertionError(
                    f"drivers table != simulator after {timeout_s:.0f}s: "
                    f"missing {sorted(expected - found)[:5]}, extra {sorted(found - expected)[:5]}"
                )
            await asyncio.sleep(0.3)
    finally:
        await conn.close()
