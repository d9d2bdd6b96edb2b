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
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Sequence

import asyncpg

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


class RowsUpsert:
    """A single-row upsert (see top), applied to many rows in one statement per round.

    ``same``, when given, says what a newer row must share with an older one of its key to
    replace it for sure: the older one is then not written (see top). ``unnested``: ``sql``
    is already the set-based statement, taking one array per parameter (``types`` its width).
    """

    def __init__(
        self,
        sql: str,
        types: Sequence[str],
        key: Callable[[Row], Hashable],
        same: Callable[[Row], Hashable] | None = None,
        *,
        unnested: bool = False,
    ) -> None:
        self.sql = sql if unnested else unnest_form(sql, types)
        self._width = len(types)
        self._key = key
        self._same = same

    async def run(self, conn: asyncpg.Connection, rows: Sequence[Row]) -> None:
        """Apply ``rows`` (in log order) as ``executemany`` of the single-row statement."""
        if self._same is not None:
            rows = superseded_dropped(rows, self._key, self._same)
        for batch in rounds(rows, self._key):
            columns = [list(c) for c in zip(*batch, strict=True)]
            if len(columns) != self._width:
                raise ValueError(f"rows of {len(columns)} values for {self._width} parameters")
            await conn.execute(self.sql, *columns)
