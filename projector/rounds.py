"""One row-at-a-time upsert, run for a whole batch in a few set-based statements.

Most projections write a batch with ``executemany`` of a single-row ``INSERT … VALUES (…)
ON CONFLICT (key) DO UPDATE … WHERE …``: PostgreSQL then runs the statement once per event,
and a rebuild of 50,000 events is 50,000 executions (docs/SCALING.md, "A year"). A
:class:`RowsUpsert` runs the same statement as ``INSERT … SELECT … FROM unnest(…)``: one
execution per *round*, where round ``n`` holds the ``n``-th row of each key, in log order.

Why the result is the one ``executemany`` gives, row after row: such a statement reads and
writes only the row of its own key (its conflict target; no subquery of the table it
writes), so rows of different keys commute, and each key's rows still apply in log order,
one round after the other. Within a round every key appears once, which is what a
multi-row ``ON CONFLICT DO UPDATE`` requires, and each row meets its key's row as the
previous round left it, as the single-row statement would. A statement whose ``WHERE`` or
values read *other* rows of the table it writes does not qualify (a multi-row statement
sees them as they were before it): leave it on ``executemany``.

Where the statement's update takes every column from the new row, and lets a newer row (by
position) replace one with the same value of something (its source: a provider's own
observation, a report row, the original's import) whatever else, a row followed by its
key's next row with the same value is skipped (``same``): that next row replaces whatever
the first one left, and applies wherever the first one would have (its condition holds
whenever the first one's held). A key observed thirty times in a batch is then written
once, not thirty times (each a new version of the row for PostgreSQL).

A failure fails the round, and so the batch, as the failing row failed ``executemany``: the
runner then applies the events one by one and parks the culprit (projector/parking.py).

Copied in: the first row of a key the table does not have yet
-------------------------------------------------------------
A rebuild writes into an empty shadow table, so most keys of a rebuild's batch are new, and
the first round of the batch is mostly plain inserts. For those, the upsert is the most
expensive way PostgreSQL has to write a row (a speculative insertion per row, the executor
per row, and on our side the encoding of one array per column), and ``COPY`` the cheapest:
on a year's batch of 50,000 Bolt state logs, 0.11 s against 0.37 s, the encoding included
(bench/year_replay.py). With :class:`CopyFirst`, :meth:`RowsUpsert.run` asks which keys of the
first round the table already has (one probe of its conflict target), copies the first row
of every other key in, and runs the upsert for the rest as before. The result is the
upsert's: a row of a key the table lacks is inserted by the upsert as it is (its conflict
clause, ``DO UPDATE … WHERE`` or ``DO NOTHING``, never runs), and the probe and the copy see
the same table, in the projection's transaction, whose checkpoint lock keeps any other
writer of the projection out. A statement whose ``VALUES`` compute something (a subquery, a
literal for a column) states the inserted row in Python (``CopyFirst.inserted``); one whose
insert has a condition of its own (``INSERT … SELECT … WHERE``) can be copied only once the
rows the condition skips are left out (``driver_payments``: the buckets a pay-week snapshot
superseded, projector/projections/uber_payments.py).

It pays only for many new rows at once (a ``COPY`` costs a round trip more, and asyncpg's
look-up of the table's columns): below ``CopyFirst.least`` new rows the upsert writes them,
so the live projector's small batches run as before, and a rebuild's large ones are copied.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from functools import partial

import asyncpg

from projector.projection import quote_table

Row = tuple[object, ...]

_PARAM = re.compile(r"\$(\d+)")
_TYPE = re.compile(r"^[a-z][a-z0-9_ ]*$")  # a type name of the code's (e.g. "timestamptz")


def rounds(rows: Sequence[Row], key: Callable[[Row], Hashable]) -> list[list[Row]]:
    """``rows`` cut into rounds: round ``n`` holds the ``n``-th row of each key, in order."""
    seen: dict[Hashable, int] = {}
    out: list[list[Row]] = []
    for row in rows:
        k = key(row)
        n = seen.get(k, 0)
        seen[k] = n + 1
        if n == len(out):
            out.append([])
        out[n].append(row)
    return out


def unnest_form(sql: str, types: Sequence[str]) -> str:
    """``sql``'s single ``VALUES ($1, …)`` as ``SELECT … FROM unnest($1::type[], …)``.

    ``types`` names the SQL type of each parameter ``$1 … $n``, in order; every other part of
    the statement (``ON CONFLICT``, ``WHERE``, casts, expressions around a parameter) stays.
    """
    if not all(_TYPE.match(t) for t in types):
        raise ValueError(f"not SQL type names: {types!r}")
    start = sql.index("VALUES (")
    end = _closing(sql, start + len("VALUES "))
    values = _PARAM.sub(lambda m: f"v.p{m.group(1)}", sql[start + len("VALUES (") : end])
    arrays = ", ".join(f"${n}::{t}[]" for n, t in enumerate(types, 1))
    names = ", ".join(f"p{n}" for n in range(1, len(types) + 1))
    select = f"SELECT {values} FROM unnest({arrays}) AS v({names})"  # noqa: S608 (ours, checked)
    return sql[:start] + select + sql[end + 1 :]


def _closing(sql: str, opening: int) -> int:
    """The index of the parenthesis closing the one at ``opening``."""
    depth = 0
    for i in range(opening, len(sql)):
        depth += {"(": 1, ")": -1}.get(sql[i], 0)
        if depth == 0:
            return i
    raise ValueError("unbalanced parentheses in VALUES (…)")


def superseded_dropped(
    rows: Sequence[Row], key: Callable[[Row], Hashable], same: Callable[[Row], Hashable]
) -> list[Row]:
    """``rows`` less each one whose key's next row has the same ``same`` value (see top)."""
    later: dict[Hashable, Hashable] = {}
    kept: list[Row] = []
    for row in reversed(rows):
        k, value = key(row), same(row)
        if k not in later or later[k] != value:
            kept.append(row)
        later[k] = value
    kept.reverse()
    return kept


def _as_is(row: Row) -> Row:
    return row


@dataclass(frozen=True)
class CopyFirst:
    """How the first rows of keys the table lacks are copied in (see top).

    ``table``: the upsert's; ``key``: the conflict target's columns and SQL types, one per
    part of the upsert's key (its ``key(row)``), in order; ``fixed``: the rest of the conflict
    target, a condition on the table's row ``t`` (``t.provider = 'uber'``). ``inserted`` turns
    a row (the upsert's parameters) into the values of the statement's ``INSERT`` columns:
    the row the upsert would insert (by default the parameters are those values).
    """

    table: str
    key: Sequence[tuple[str, str]]
    inserted: Callable[[Row], Row] = _as_is
    fixed: str = "true"
    least: int = 1000

    @classmethod
    def provider_second(
        cls, table: str, key: Sequence[tuple[str, str]], provider: str
    ) -> CopyFirst:
        """For an upsert whose ``VALUES`` put ``provider`` as a literal after ``org_id`` (its
        first parameter), a column of its conflict target: the row it inserts has it second,
        and the table's rows of other providers never conflict."""
        return cls(table, key, partial(_with_provider, provider), f"t.provider = '{provider}'")

    def probe_sql(self) -> str:
        """The ordinals (``$n + 1``) of the keys the table has among the arrays ``$1 … $n``."""
        n = len(self.key)
        arrays = ", ".join(f"${i}::{t}[]" for i, (_, t) in enumerate(self.key, 1))
        names = ", ".join(f"k{i}" for i in range(1, n + 1))
        match = " AND ".join(f"t.{c} = k.k{i}" for i, (c, _) in enumerate(self.key, 1))
        return (
            f"SELECT k.n FROM unnest({arrays}, ${n + 1}::integer[]) AS k({names}, n) "  # noqa: S608
            f"WHERE EXISTS (SELECT 1 FROM {quote_table(self.table)} t "
            f"WHERE {match} AND {self.fixed})"
        )

    async def present(
        self, conn: asyncpg.Connection, rows: Sequence[Row], key: Callable[[Row], Hashable]
    ) -> set[int]:
        """The indexes in ``rows`` of those whose key the table has."""
        parts = [list(c) for c in zip(*(_parts(key(r)) for r in rows), strict=True)]
        found = await conn.fetch(self.probe_sql(), *parts, list(range(len(rows))))
        return {r[0] for r in found}

    async def copy(
        self, conn: asyncpg.Connection, rows: Sequence[Row], columns: Sequence[str]
    ) -> None:
        """Copy ``rows`` in, as the upsert would insert them into ``columns``."""
        schema, _, table = self.table.rpartition(".")
        await conn.copy_records_to_table(
            table,
            schema_name=schema or None,
            columns=list(columns),
            records=[self.inserted(r) for r in rows],
        )


def _with_provider(provider: str, row: Row) -> Row:
    return (row[0], provider, *row[1:])


def _parts(key: Hashable) -> tuple[object, ...]:
    return key if isinstance(key, tuple) else (key,)


_INSERT = re.compile(r"^\s*INSERT INTO \S+ (?:AS \w+ )?\(([^)]*)\)\s*(?:VALUES \(|SELECT )", re.I)


def insert_columns(sql: str) -> tuple[str, ...]:
    """The columns of ``sql``'s ``INSERT INTO table [AS t] (…) VALUES|SELECT …``, in order."""
    found = _INSERT.match(sql)
    if found is None:
        raise ValueError("not an INSERT … (columns) VALUES|SELECT … statement")
    return tuple(c.strip() for c in found.group(1).split(","))


class RowsUpsert:
    """A single-row upsert (see top), applied to many rows in one statement per round.

    ``same``, when given, says what a newer row must share with an older one of its key to
    replace it for sure: the older one is then not written (see top). ``unnested``: ``sql``
    is already the set-based statement, taking one array per parameter (``types`` its width).
    ``copy``: the first rows of new keys are copied in when there are many (see top).
    """

    def __init__(
        self,
        sql: str,
        types: Sequence[str],
        key: Callable[[Row], Hashable],
        same: Callable[[Row], Hashable] | None = None,
        *,
        unnested: bool = False,
        copy: CopyFirst | None = None,
    ) -> None:
        self.sql = sql if unnested else unnest_form(sql, types)
        self._width = len(types)
        self._key = key
        self._same = same
        self._copy = copy
        self._columns = insert_columns(sql) if copy is not None else ()
        self._hopeful = True  # copy a first round whole, until a key of one was there

    async def run(self, conn: asyncpg.Connection, rows: Sequence[Row]) -> None:
        """Apply ``rows`` (in log order) as ``executemany`` of the single-row statement."""
        if self._same is not None:
            rows = superseded_dropped(rows, self._key, self._same)
        batches = rounds(rows, self._key)
        if self._copy is not None and len(batches[0] if batches else ()) >= self._copy.least:
            batches[0] = await self._copied(conn, self._copy, batches[0])
        for batch in batches:
            if not batch:
                continue
            columns = [list(c) for c in zip(*batch, strict=True)]
            if len(columns) != self._width:
                raise ValueError(f"rows of {len(columns)} values for {self._width} parameters")
            await conn.execute(self.sql, *columns)

    async def _copied(
        self, conn: asyncpg.Connection, copy: CopyFirst, first: list[Row]
    ) -> list[Row]:
        """Copy in the rows of ``first`` (a first round) whose key the table lacks; return
        the others, for the upsert.

        Hopeful at first: the whole round is copied in a savepoint, without asking (a
        rebuild's first batch, and tables whose every event is a row of its own, have only
        new keys). A key already there fails the copy (its unique index), which is undone,
        and from then on the table is asked first.
        """
        if self._hopeful:
            try:
                async with conn.transaction():
                    await copy.copy(conn, first, self._columns)
                return []
            except asyncpg.UniqueViolationError:
                self._hopeful = False
        present = await copy.present(conn, first, self._key)
        if len(first) - len(present) < copy.least:
            return first
        await copy.copy(conn, [r for n, r in enumerate(first) if n not in present], self._columns)
        return [r for n, r in enumerate(first) if n in present]
