"""A driver's rows in time order over Paris days: keyset pages, the CSV export, and the 404.

Three histories have this shape (Uber transactions, Uber status changes, Bolt state logs):
rows of one driver, ordered by a time column and a text column that breaks ties, where
(driver, time, text) leads an index of the table (its primary key, or migration 0011), so a
page is one index range scan. RLS adds ``org_id``, the first column of each of those indexes.

The page queries carry the unknown-driver check (no row for a driver the fleet does not have,
as in bolt_data's trips): one query answers the common case, and only an empty page asks
``known_driver`` whether to say 404.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic

import asyncpg
import msgspec
from starlette.responses import Response

from query_api.days import DayRange
from query_api.listing import T, csv_response, decode_time_key, page_of
from query_api.routes.drivers import known_driver
from query_api.schemas import MsgspecResponse

_SQL = """
SELECT {columns}, {time} AS k_time, {tie} AS k_tie
FROM {table}
WHERE {driver} = $1 AND {time} >= $2 AND {time} < $3 {after}{known}
ORDER BY {time}, {tie}
LIMIT $4
"""
_AFTER = "AND ({time}, {tie}) > ($5::timestamptz, $6::text) "
_KNOWN = (
    "\n  AND EXISTS (SELECT 1 FROM drivers d WHERE d.provider = '{provider}' AND d.driver_id = $1)"
)


@dataclass(frozen=True)
class Timeline(Generic[T]):
    """Where a driver's history is (constants only, never user input) and how to show a row."""

    provider: str
    table: str
    driver: str  # the driver id column
    columns: str
    time: str
    tie: str
    to_item: Callable[[asyncpg.Record], T]
    item_type: type[T]
    page_type: Callable[..., msgspec.Struct]
    csv_name: str  # {driver_id} is the driver's id
    _sql: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        parts = {"columns": self.columns, "table": self.table, "driver": self.driver}
        parts |= {"time": self.time, "tie": self.tie}
        known = _KNOWN.format(provider=self.provider)
        after = _AFTER.format(**parts)
        sql = {
            "all": _SQL.format(**parts, after="", known=""),
            "first": _SQL.format(**parts, after="", known=known),
            "next": _SQL.format(**parts, after=after, known=known),
        }
        object.__setattr__(self, "_sql", sql)

    async def respond(
        self,
        conn: asyncpg.Connection,
        driver_id: str,
        days: DayRange,
        csv: bool,
        limit: int,
        cursor: str | None,
    ) -> Response:
        """The page after ``cursor``, or with ``csv`` every row of the days; 404 if unknown."""
        if csv:
            return await self.csv(conn, driver_id, days)
        items, next_cursor = await self.page(conn, driver_id, days, limit, cursor)
        return MsgspecResponse(self.page_type(items=items, next_cursor=next_cursor))

    async def page(
        self,
        conn: asyncpg.Connection,
        driver_id: str,
        days: DayRange,
        limit: int,
        cursor: str | None,
    ) -> tuple[list[T], str | None]:
        """One page of the driver's rows over the days, after ``cursor``; 404 if unknown."""
        args = (driver_id, *days.instants(), limit + 1)
        if cursor:
            rows = await conn.fetch(self._sql["next"], *args, *decode_time_key(cursor))
        else:
            rows = await conn.fetch(self._sql["first"], *args)
        if not rows:
            await known_driver(conn, self.provider, driver_id)
        return page_of(rows, limit, self.to_item, _time_key)

    async def csv(self, conn: asyncpg.Connection, driver_id: str, days: DayRange) -> Response:
        """Every row of the driver over the days, as CSV; 404 if unknown."""
        await known_driver(conn, self.provider, driver_id)
        args = (driver_id, *days.instants(), None)
        name = self.csv_name.format(driver_id=driver_id)
        return csv_response(conn, self._sql["all"], args, self.to_item, self.item_type, name)


def _time_key(row: asyncpg.Record) -> tuple[str, str]:
    return (row["k_time"].isoformat(), row["k_tie"])
