"""A single-row upsert run as one statement per round (projector/rounds.py) leaves the table
as ``executemany`` of the statement, row after row, leaves it."""

from __future__ import annotations

import random

import asyncpg

from projector.rounds import RowsUpsert, rounds, unnest_form

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
