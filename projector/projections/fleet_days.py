"""uber_fleet_days and bolt_fleet_days: the fleet's daily figures, kept with the daily rows.

A row per tenant, Paris day and currency sums one provider's daily rows of that day
(migrations/0026_fleet_days.sql): how many, how many active, and each figure. The fleet
overview of a month reads these few rows instead of every driver's day.

The projection that writes the daily rows (``driver_daily_metrics``, ``bolt_daily_earnings``)
calls :func:`add_changes` in the same transaction with the rows it touched as they were
before and after: the fleet rows change by (after − before). Counts, cents and hours
(``numeric``) add exactly, so the sums never drift, and a replay, which rebuilds the daily
table and this one together (``RebuildableTables``), ends with the same rows. Keys are
written in sorted order, so two transactions touching the same days lock them in one order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

import asyncpg

from projector.projection import quote_table
from projector.projections import active_months

Key = tuple[UUID, date, str]
Figure = int | Decimal


@dataclass(frozen=True)
class FleetDays:
    """How one provider's daily rows add up into its fleet table."""

    table: str
    months: str  # the drivers' active days (projector/projections/active_months.py)
    driver: str  # the daily table's driver column
    sums: Mapping[str, str]  # daily column (same name in the fleet table) -> SQL array type
    active: Callable[[Mapping[str, Any]], bool]

    def at(self, table: str, months: str) -> FleetDays:
        """The same sums, kept in ``table`` and ``months`` (a replay's shadows)."""
        return FleetDays(table, months, self.driver, self.sums, self.active)

    def columns(self, alias: str) -> str:
        """The columns a daily row must have for :func:`add_changes`: a select list of the
        daily table under ``alias``."""
        names = ("org_id", "day", "currency", *self.sums)
        return ", ".join((f"{alias}.{self.driver} AS driver", *(f"{alias}.{c}" for c in names)))


def _uber_active(row: Mapping[str, Any]) -> bool:
    return (row["trips"] or 0) > 0 or (row["hours_online"] or 0) > 0


def _bolt_active(row: Mapping[str, Any]) -> bool:
    return bool(row["orders"] > 0 or row["gross"] > 0)


UBER = FleetDays(
    "uber_fleet_days", "uber_active_months", "driver_id",
    {"trips": "bigint", "hours_online": "numeric", "hours_on_trip": "numeric",
     "earnings_minor": "bigint"},
    _uber_active,
)  # fmt: skip
BOLT = FleetDays(
    "bolt_fleet_days", "bolt_active_months", "driver_uuid",
    {c: "bigint" for c in ("orders", "gross", "commission", "net_earnings", "tips", "tolls",
                           "cash_gross", "in_app_gross")},
    _bolt_active,
)  # fmt: skip


def changes(
    kind: FleetDays, before: Iterable[Mapping[str, Any]], after: Iterable[Mapping[str, Any]]
) -> dict[Key, list[Figure]]:
    """Per key, (rows, active, each sum) of ``after`` minus ``before``; keys that net to
    nothing left out."""
    found: dict[Key, list[Figure]] = {}
    for sign, rows in ((-1, before), (1, after)):
        for row in rows:
            key = (row["org_id"], row["day"], row["currency"] or "")
            into = found.setdefault(key, [0] * (2 + len(kind.sums)))
            into[0] += sign
            into[1] += sign * kind.active(row)
            for n, column in enumerate(kind.sums, start=2):
                into[n] += sign * (row[column] or 0)
    return {k: v for k, v in found.items() if any(v)}


_UPSERT = """
INSERT INTO {table} AS f (org_id, day, currency, {names})
SELECT * FROM unnest($1::uuid[], $2::date[], $3::text[], {arrays})
ON CONFLICT (org_id, day, currency) DO UPDATE SET {additions}
"""


def _upsert(kind: FleetDays) -> str:
    names = ["drivers", "active", *kind.sums]
    types = ["integer", "integer", *kind.sums.values()]
    return _UPSERT.format(
        table=quote_table(kind.table),
        names=", ".join(names),
        arrays=", ".join(f"${n}::{t}[]" for n, t in enumerate(types, start=4)),
        additions=", ".join(f"{c} = f.{c} + excluded.{c}" for c in names),
    )


_EMPTIED = """
DELETE FROM {table} f
USING unnest($1::uuid[], $2::date[], $3::text[]) AS k(org_id, day, currency)
WHERE f.org_id = k.org_id AND f.day = k.day AND f.currency = k.currency AND f.drivers = 0
"""


async def add_changes(
    conn: asyncpg.Connection,
    kind: FleetDays,
    before: Sequence[Mapping[str, Any]],
    after: Sequence[Mapping[str, Any]],
) -> None:
    """Move ``kind``'s fleet rows by the daily rows' change (``before`` → ``after``, each
    with :meth:`FleetDays.columns`), deleting the rows left with no daily row; and the
    drivers' active days."""
    await active_months.add_changes(conn, kind.months, kind.active, before, after)
    found = changes(kind, before, after)
    if not found:
        return
    keys = sorted(found)
    columns = [list(c) for c in zip(*(found[k] for k in keys), strict=True)]
    await conn.execute(_upsert(kind), *([list(c) for c in zip(*keys, strict=True)] + columns))
    if any(found[k][0] < 0 for k in keys):
        emptied = [k for k in keys if found[k][0] < 0]
        args = [list(c) for c in zip(*emptied, strict=True)]
        await conn.execute(_EMPTIED.format(table=quote_table(kind.table)), *args)
