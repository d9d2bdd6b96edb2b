"""A single-row upsert run as one statement per round (projector/rounds.py) leaves the table
as ``executemany`` of the statement, row after row, leaves it."""

from __future__ import annotations

import random

import asyncpg

from projector.rounds import (
    CopyFirst,
    RowsUpsert,
    insert_columns,
    rounds,
    superseded_dropped,
    unnest_form,
)

_TABLE = """
CREATE TEMP TABLE counters (k text PRIMARY KEY, v integer NOT NULL, n integer NOT NULL,
                            last_position bigint NOT NULL)
"""
# A newer position wins, the value only grows, and the row counts the updates it took:
# each row's result depends on the row before it, as the projections' upserts do.
_UPSERT = """
INSERT INTO counters AS c (k, v, n, last_position) VALUES ($1, $2, 1, $3)
ON CONFLICT (k) DO UPDATE SET v = greatest(c.v, excluded.v), n = c.n + 1,
    last_position = excluded.last_position
WHERE c.last_position < excluded.last_position
"""


def test_round_n_holds_the_nth_row_of_each_key_in_order() -> None:
    rows = [("a", 1), ("b", 2), ("a", 3), ("c", 4), ("a", 5), ("b", 6)]

    found = rounds(rows, key=lambda r: r[0])

    assert found == [[("a", 1), ("b", 2), ("c", 4)], [("a", 3), ("b", 6)], [("a", 5)]]


def test_the_values_become_an_unnest_and_the_rest_of_the_statement_stays() -> None:
    sql = "INSERT INTO t (a, b) VALUES ($1, coalesce($2, 'x')) ON CONFLICT (a) DO NOTHING"

    found = unnest_form(sql, ["uuid", "text"])

    assert found == (
        "INSERT INTO t (a, b) SELECT v.p1, coalesce(v.p2, 'x') FROM unnest($1::uuid[], "
        "$2::text[]) AS v(p1, p2) ON CONFLICT (a) DO NOTHING"
    )


async def _table(conn: asyncpg.Connection) -> list[asyncpg.Record]:
    return await conn.fetch("SELECT k, v, n, last_position FROM counters ORDER BY k")


async def test_rounds_leave_the_rows_executemany_leaves(owner_pool: asyncpg.Pool) -> None:
    rng = random.Random(19)
    rows = [(rng.choice("abcdefg"), rng.randrange(100), rng.randrange(1, 60)) for _ in range(300)]
    upsert = RowsUpsert(_UPSERT, ["text", "integer", "bigint"], key=lambda r: r[0])

    async with owner_pool.acquire() as conn, conn.transaction():
        await conn.execute(_TABLE)
        await conn.executemany(_UPSERT, rows)
        one_by_one = await _table(conn)
        await conn.execute("TRUNCATE counters")
        await upsert.run(conn, rows)
        in_rounds = await _table(conn)
        await conn.execute("DROP TABLE counters")

    assert in_rounds == one_by_one
    assert max(r["n"] for r in in_rounds) > 1  # keys were updated, not only inserted


# The projections' rule for rows of two sources: a newer row of the same source replaces the
# row, a provider's row always replaces the original's (legacy) one.
_SOURCED = """
CREATE TEMP TABLE sourced (k text PRIMARY KEY, v integer NOT NULL, source text NOT NULL,
                           last_position bigint NOT NULL)
"""
_SOURCED_UPSERT = """
INSERT INTO sourced AS s (k, v, source, last_position) VALUES ($1, $2, $3, $4)
ON CONFLICT (k) DO UPDATE SET v = excluded.v, source = excluded.source,
    last_position = excluded.last_position
WHERE (s.source = excluded.source AND s.last_position < excluded.last_position)
   OR (s.source = 'legacy' AND excluded.source = 'provider')
"""


async def test_skipping_rows_a_newer_one_of_their_source_replaces_changes_nothing(
    owner_pool: asyncpg.Pool,
) -> None:
    rng = random.Random(27)
    positions = sorted(rng.sample(range(1, 10_000), 400))
    rows = [(rng.choice("abcde"), rng.randrange(100), rng.choice(["provider", "legacy"]), p)
            for p in positions]  # fmt: skip
    again = rows[100:200]  # redelivered: older than the rows there
    upsert = RowsUpsert(
        _SOURCED_UPSERT, ["text", "integer", "text", "bigint"], key=lambda r: r[0],
        same=lambda r: r[2],
    )  # fmt: skip

    async with owner_pool.acquire() as conn, conn.transaction():
        await conn.execute(_SOURCED)
        await conn.executemany(_SOURCED_UPSERT, [*rows, *again])
        one_by_one = await conn.fetch("SELECT * FROM sourced ORDER BY k")
        await conn.execute("TRUNCATE sourced")
        await upsert.run(conn, rows)
        await upsert.run(conn, again)
        skipping = await conn.fetch("SELECT * FROM sourced ORDER BY k")
        await conn.execute("DROP TABLE sourced")

    assert skipping == one_by_one
    assert len(superseded_dropped(rows, lambda r: r[0], lambda r: r[2])) < len(rows)


# A key of two columns, one of them fixed by the statement (as driver_daily_metrics' provider),
# and an inserted row that is not the parameters (the literals the VALUES add).
_PROVIDED = """
CREATE TEMP TABLE provided (k text NOT NULL, provider text NOT NULL, v integer NOT NULL,
                            n integer NOT NULL, last_position bigint NOT NULL,
                            PRIMARY KEY (k, provider))
"""
_PROVIDED_UPSERT = """
INSERT INTO provided AS c (k, provider, v, n, last_position) VALUES ($1, 'uber', $2, 1, $3)
ON CONFLICT (k, provider) DO UPDATE SET v = greatest(c.v, excluded.v), n = c.n + 1,
    last_position = excluded.last_position
WHERE c.last_position < excluded.last_position
"""


def test_the_columns_an_upsert_inserts_are_read_from_its_statement() -> None:
    assert insert_columns(_PROVIDED_UPSERT) == ("k", "provider", "v", "n", "last_position")
    assert insert_columns("INSERT INTO t (a, b) VALUES ($1, $2) ON CONFLICT DO NOTHING") == (
        "a", "b"
    )  # fmt: skip


async def test_new_keys_copied_in_leave_the_rows_executemany_leaves(
    owner_pool: asyncpg.Pool,
) -> None:
    rng = random.Random(31)
    rows = [(f"k{rng.randrange(60)}", rng.randrange(100), p) for p in range(1, 401)]
    first, then = rows[:150], rows[150:]  # the second batch meets keys of the first
    copy = CopyFirst("provided", (("k", "text"),), inserted=lambda r: (r[0], "uber", r[1], 1, r[2]),
                     fixed="t.provider = 'uber'", least=1)  # fmt: skip
    upsert = RowsUpsert(_PROVIDED_UPSERT, ["text", "integer", "bigint"], key=lambda r: r[0],
                        copy=copy)  # fmt: skip
    other = [(f"k{n}", "bolt", 0, 1, 0) for n in range(0, 60, 2)]  # same keys, not the target

    async with owner_pool.acquire() as conn, conn.transaction():
        await conn.execute(_PROVIDED)
        await conn.executemany("INSERT INTO provided VALUES ($1, $2, $3, $4, $5)", other)
        await conn.executemany(_PROVIDED_UPSERT, first)
        await conn.executemany(_PROVIDED_UPSERT, then)
        one_by_one = await conn.fetch("SELECT * FROM provided ORDER BY k, provider")
        await conn.execute("DELETE FROM provided WHERE provider = 'uber'")
        await upsert.run(conn, first)
        await upsert.run(conn, then)
        copied = await conn.fetch("SELECT * FROM provided ORDER BY k, provider")
        await conn.execute("DROP TABLE provided")

    assert copied == one_by_one
    assert max(r["n"] for r in copied) > 1


async def test_few_new_keys_are_left_to_the_upsert(owner_pool: asyncpg.Pool) -> None:
    copy = CopyFirst("counters", (("k", "text"),), inserted=lambda r: (r[0], r[1], 1, r[2]))
    upsert = RowsUpsert(_UPSERT, ["text", "integer", "bigint"], key=lambda r: r[0], copy=copy)
    rows = [("a", 1, 1), ("b", 2, 2), ("a", 3, 3)]

    async with owner_pool.acquire() as conn, conn.transaction():
        await conn.execute(_TABLE)
        await upsert.run(conn, rows)  # fewer than ``least`` new keys: no COPY
        found = await _table(conn)
        await conn.execute("DROP TABLE counters")

    assert [tuple(r) for r in found] == [("a", 3, 2, 3), ("b", 2, 1, 2)]
