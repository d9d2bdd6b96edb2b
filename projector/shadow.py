"""Shadow tables for replays: create one like a live table, compare, and swap them.

Everything here is DDL on table names that come from code (a projection's ``table`` plus a
fixed suffix), checked by :func:`projector.projection.quote_table`; no user input reaches it.

What a rename does not carry
----------------------------
``ALTER TABLE … RENAME`` keeps a table's policies, grants and RLS flags with the table (they
hang on its OID), and ``CREATE TABLE … (LIKE … INCLUDING ALL)`` copies none of them. So when
the rebuilt table takes the live name, the live table's row-level security would silently
vanish with the old one: :func:`copy_security` re-creates the RLS flags, every policy and
every grant of the old table on the new one, inside the swap transaction, so no reader ever
sees the new table without them. Index names are carried over too (matched by definition),
so the live table keeps names such as ``drivers_list`` that code and runbooks refer to.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

import asyncpg

from projector.projection import quote_table

_INDEX_HEAD = re.compile(r"^CREATE (UNIQUE )?INDEX \S+ ON \S+ ")
# hash_record_extended: each column's own 64-bit hash, no text form of the row (see digest).
_DIGEST_SQL = "SELECT count(*) AS n, coalesce(sum(hash_record_extended(t, 0)), 0) AS s FROM {} t"
_COMMANDS = {"r": "SELECT", "a": "INSERT", "w": "UPDATE", "d": "DELETE", "*": "ALL"}


@dataclass(frozen=True)
class Digest:
    """Row count and an order-independent checksum of a table's rows."""

    rows: int
    checksum: int


async def table_exists(conn: asyncpg.Connection, table: str) -> bool:
    return bool(await conn.fetchval("SELECT to_regclass($1) IS NOT NULL", quote_table(table)))


async def create_like(conn: asyncpg.Connection, live: str, shadow: str) -> None:
    """``shadow``: an empty table with the columns, defaults, constraints, indexes of ``live``."""
    await conn.execute(
        f"CREATE TABLE {quote_table(shadow)} (LIKE {quote_table(live)} INCLUDING ALL)"
    )


async def drop_secondary_indexes(
    conn: asyncpg.Connection, table: str, keep: Collection[str] = ()
) -> None:
    """Drop the indexes of ``table`` that are not unique, to build them after a bulk load.

    A rebuild writes every row of a shadow table at least once, and GIN indexes (the drivers'
    trigram search) cost more to maintain row by row than the rows themselves: building them
    once after the load is faster, the build included (bench_rebuild; figures in
    docs/SCALING.md). Unique indexes stay: upserts (ON CONFLICT) need them. Partial indexes
    stay too: they are small by design, and serve a projection's own lookups while it
    writes (``driver_payments_snapshots``, migrations/0024_year_indexes.sql), and so do the
    indexes in ``keep`` (definitions as ``USING btree (…)``): those a projection reads
    while it writes (:func:`projector.projection.indexes_read`), whose absence would turn each
    of its lookups into a scan of the whole shadow table, a rebuild quadratic in the log.
    :func:`add_missing_indexes` builds the rest.
    """
    rows = await conn.fetch(
        "SELECT c.relname, pg_get_indexdef(i.indexrelid) AS def FROM pg_index i "
        "JOIN pg_class c ON c.oid = i.indexrelid "
        "WHERE i.indrelid = $1::regclass AND NOT i.indisunique AND NOT i.indisexclusion "
        "AND i.indpred IS NULL",
        quote_table(table),
    )
    for row in rows:
        if _INDEX_HEAD.sub(r"\1", row["def"]) not in keep:
            await conn.execute(f"DROP INDEX {_qualified(table, row['relname'])}")


async def add_missing_indexes(conn: asyncpg.Connection, live: str, shadow: str) -> int:
    """Create on ``shadow`` each index of ``live`` it lacks (same definition); how many."""
    present = await _indexes(conn, shadow)
    missing = [d for d in await _indexes(conn, live) if d not in present]
    for definition in missing:  # "[UNIQUE ]USING method (…) [WHERE …]", see _indexes
        unique = "UNIQUE " if definition.startswith("UNIQUE ") else ""
        rest = definition.removeprefix("UNIQUE ")
        await conn.execute(f"CREATE {unique}INDEX ON {quote_table(shadow)} {rest}")
    return len(missing)


async def digest(conn: asyncpg.Connection, table: str) -> Digest:
    """Count and checksum (sum of each row's 64-bit hash) of ``table``.

    The row's hash is PostgreSQL's own (``hash_record_extended``: the hash functions of its
    columns' types, combined), not an md5 of the row as text: printing every column as text
    and hashing that was most of the swap's time, twice per table (live and rebuilt), and a
    tenth of a unit's replay on a year (bench/year_replay.py). Equal rows hash equally; what it
    looks at is the values as their types compare them (``1.0`` and ``1.00`` as numeric are
    one value), which is what a replay must reproduce. Every column type of our tables has
    a hash function (arrays and ranges of them too).
    """
    row = await conn.fetchrow(_DIGEST_SQL.format(quote_table(table)))
    assert row is not None
    return Digest(int(row["n"]), int(row["s"]))


async def _policies(conn: asyncpg.Connection, table: str) -> list[asyncpg.Record]:
    rows: list[asyncpg.Record] = await conn.fetch(
        """
        SELECT polname, polpermissive, polcmd::text AS polcmd,
               ARRAY(SELECT CASE WHEN r = 0 THEN 'PUBLIC' ELSE r::regrole::text END
                     FROM unnest(polroles) AS r) AS roles,
               pg_get_expr(polqual, polrelid) AS qual,
               pg_get_expr(polwithcheck, polrelid) AS with_check
        FROM pg_policy WHERE polrelid = $1::regclass ORDER BY polname
        """,
        quote_table(table),
    )
    return rows


def _policy_sql(policy: asyncpg.Record, target: str) -> str:
    kind = "PERMISSIVE" if policy["polpermissive"] else "RESTRICTIVE"
    sql = (
        f'CREATE POLICY "{policy["polname"]}" ON {quote_table(target)} AS {kind} '
        f"FOR {_COMMANDS[policy['polcmd']]} TO {', '.join(policy['roles'])}"
    )
    if policy["qual"] is not None:
        sql += f" USING ({policy['qual']})"
    if policy["with_check"] is not None:
        sql += f" WITH CHECK ({policy['with_check']})"
    return sql


async def _grants(conn: asyncpg.Connection, table: str) -> list[asyncpg.Record]:
    rows: list[asyncpg.Record] = await conn.fetch(
        """
        SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE a.grantee::regrole::text END AS role,
               a.privilege_type, a.is_grantable
        FROM pg_class c, aclexplode(c.relacl) AS a
        WHERE c.oid = $1::regclass AND a.grantee <> c.relowner
        ORDER BY 1, 2
        """,
        quote_table(table),
    )
    return rows


async def grantees(conn: asyncpg.Connection, table: str) -> list[str]:
    """The roles (other than the owner) holding a privilege on ``table``."""
    return sorted({g["role"] for g in await _grants(conn, table)})


async def copy_security(
    conn: asyncpg.Connection, source: str, target: str, *, read_only: bool = False
) -> None:
    """Give ``target`` the RLS flags, policies and grants of ``source`` (see module doc).

    ``read_only`` copies only the SELECT grants (an audit snapshot nobody writes to).
    """
    flags = await conn.fetchrow(
        "SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE oid = $1::regclass",
        quote_table(source),
    )
    assert flags is not None
    if flags["relrowsecurity"]:
        await conn.execute(f"ALTER TABLE {quote_table(target)} ENABLE ROW LEVEL SECURITY")
    if flags["relforcerowsecurity"]:
        await conn.execute(f"ALTER TABLE {quote_table(target)} FORCE ROW LEVEL SECURITY")
    for policy in await _policies(conn, source):
        await conn.execute(_policy_sql(policy, target))
    for grant in await _grants(conn, source):
        if read_only and grant["privilege_type"] != "SELECT":
            continue
        option = " WITH GRANT OPTION" if grant["is_grantable"] else ""
        await conn.execute(
            f"GRANT {grant['privilege_type']} ON {quote_table(target)} TO {grant['role']}{option}"
        )


async def _indexes(conn: asyncpg.Connection, table: str) -> dict[str, str]:
    """Index definition without its name and table → index name."""
    rows = await conn.fetch(
        "SELECT c.relname, pg_get_indexdef(i.indexrelid) AS def FROM pg_index i "
        "JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = $1::regclass",
        quote_table(table),
    )
    return {_INDEX_HEAD.sub(r"\1", row["def"]): row["relname"] for row in rows}


def _qualified(table: str, index: str) -> str:
    """The quoted name of ``index``, in the schema of ``table`` (if it names one)."""
    schema = table.rpartition(".")[0]
    return quote_table(f"{schema}.{index}" if schema else index)


async def _rename_indexes(conn: asyncpg.Connection, table: str, names: dict[str, str]) -> None:
    for definition, current in (await _indexes(conn, table)).items():
        wanted = names.get(definition)
        if wanted and wanted != current:
            await conn.execute(f'ALTER INDEX {_qualified(table, current)} RENAME TO "{wanted}"')


async def swap_tables(conn: asyncpg.Connection, live: str, shadow: str, old: str) -> None:
    """In the caller's transaction: ``live`` → ``old``, ``shadow`` → ``live``, security kept.

    ``old`` must not exist. Index names of the live table move to the new one; the old
    table's indexes get an ``__old`` suffix.
    """
    live_names = await _indexes(conn, live)
    await conn.execute(f'ALTER TABLE {quote_table(live)} RENAME TO "{_bare(old)}"')
    old_names = {d: f"{n[:57]}__old" for d, n in live_names.items()}
    await _rename_indexes(conn, old, old_names)
    await conn.execute(f'ALTER TABLE {quote_table(shadow)} RENAME TO "{_bare(live)}"')
    await _rename_indexes(conn, live, live_names)
    await copy_security(conn, old, live)


def _bare(table: str) -> str:
    """The table name without its schema (RENAME TO takes no schema)."""
    return table.rpartition(".")[2]
