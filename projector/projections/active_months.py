"""uber_active_months and bolt_active_months: on which days of a month a driver was active.

A row per tenant, month and driver holds one bit per day of the month (bit ``d - 1`` for day
``d``), set while that driver-day's daily row is active (the overview's "active"); a row
with no bit left is deleted. The overview counts the drivers active over a range of days,
each once, from these ~1,500 rows a month instead of every active driver-day
(query_api/routes/overview.py, _ACTIVE).

:func:`projector.projections.fleet_days.add_changes` calls :func:`add_changes` with the same
rows before and after a batch: only driver-days whose "active" flipped write anything, so a
day's hourly updates of an already active driver cost nothing here. The bits are a function
of the daily rows alone, so a replay that rebuilds them together ends with the same rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from typing import Any
from uuid import UUID

import asyncpg

from projector.projection import quote_table

MonthKey = tuple[UUID, date, str]  # org, first day of the month, driver

_SET = """
INSERT INTO {table} AS a (org_id, month, driver_id, days)
SELECT * FROM unnest($1::uuid[], $2::date[], $3::text[], $4::integer[])
ON CONFLICT (org_id, month, driver_id) DO UPDATE SET days = a.days | excluded.days
"""
_CLEAR = """
UPDATE {table} a SET days = a.days & ~k.bits
FROM unnest($1::uuid[], $2::date[], $3::text[], $4::integer[]) AS k(org_id, month, driver_id, bits)
WHERE a.org_id = k.org_id AND a.month = k.month AND a.driver_id = k.driver_id
"""
_EMPTIED = """
DELETE FROM {table} a
USING unnest($1::uuid[], $2::date[], $3::text[]) AS k(org_id, month, driver_id)
WHERE a.org_id = k.org_id AND a.month = k.month AND a.driver_id = k.driver_id AND a.days = 0
"""


def _states(
    rows: Iterable[Mapping[str, Any]], active: Callable[[Mapping[str, Any]], bool]
) -> dict[tuple[UUID, str, date], bool]:
    return {(r["org_id"], r["driver"], r["day"]): active(r) for r in rows}


def flips(
    active: Callable[[Mapping[str, Any]], bool],
    before: Iterable[Mapping[str, Any]],
    after: Iterable[Mapping[str, Any]],
) -> tuple[dict[MonthKey, int], dict[MonthKey, int]]:
    """The day bits to set and to clear, per month key: the driver-days whose "active"
    differs between ``before`` and ``after`` (a row missing counts as not active)."""
    was, now = _states(before, active), _states(after, active)
    set_, clear = dict[MonthKey, int](), dict[MonthKey, int]()
    for org, driver, day in was.keys() | now.keys():
        on = now.get((org, driver, day), False)
        if on == was.get((org, driver, day), False):
            continue
        into = set_ if on else clear
        key = (org, day.replace(day=1), driver)
        into[key] = into.get(key, 0) | 1 << (day.day - 1)
    return set_, clear


def _arrays(found: Mapping[MonthKey, int], bits: bool = True) -> list[list[Any]]:
    keys = sorted(found)
    columns: list[list[Any]] = [list(c) for c in zip(*keys, strict=True)]
    return [*columns, [found[k] for k in keys]] if bits else columns


async def add_changes(
    conn: asyncpg.Connection,
    table: str,
    active: Callable[[Mapping[str, Any]], bool],
    before: Sequence[Mapping[str, Any]],
    after: Sequence[Mapping[str, Any]],
) -> None:
    """Set and clear the bits of the driver-days whose "active" flipped (rows with ``driver``,
    ``org_id``, ``day`` and what ``active`` reads); delete the rows left with none."""
    set_, clear = flips(active, before, after)
    name = quote_table(table)
    if clear:
        await conn.execute(_CLEAR.format(table=name), *_arrays(clear))
    if set_:
        await conn.execute(_SET.format(table=name), *_arrays(set_))
    if clear:
        await conn.execute(_EMPTIED.format(table=name), *_arrays(clear, bits=False))
