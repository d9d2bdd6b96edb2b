"""What every list shares: opaque keyset cursors, filters, time windows and CSV export.

Pages are keyset-paginated: ``next_cursor`` encodes the sort key of the last row, and the next
page starts strictly after it, so rows inserted meanwhile never shift a page. The cursor is
opaque to clients (base64url of a JSON array); a malformed one is a 400 problem.
A list by position also reads newest first (``order=desc``); its cursor says which order
it was made in, and is a 400 problem in the other.

CSV export (``?format=csv`` or ``Accept: text/csv``) streams **every** row matching the
filters, in the list's order: the cursor and the limit do not apply. Rows are read through a
server-side cursor in the request's read-only transaction and sent in chunks, so a large
export needs neither memory nor a second query.
"""

from __future__ import annotations

import base64
import binascii
import csv
import io
import re
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Generic, Literal, TypeVar

import asyncpg
import msgspec
from fastapi import Depends, Query, Request
from starlette.responses import Response, StreamingResponse

from query_api.days import IsoInstant
from query_api.problems import ApiProblem
from query_api.schemas import CSV, MsgspecResponse

MAX_BIGINT = 2**63 - 1
CSV_CHUNK_ROWS = 500
NO_NUL = r"^[^\x00]*$"  # PostgreSQL text cannot hold NUL: refused as 422, not a 500

T = TypeVar("T", bound=msgspec.Struct)

Limit = Annotated[int, Query(ge=1, le=500, description="Page size (max 500)")]
Cursor = Annotated[str | None, Query(max_length=2048, description="Opaque cursor from next_cursor")]
Since = Annotated[
    IsoInstant | None,
    Query(alias="from", description="From this time (inclusive), e.g. 2025-03-30T00:00:00+01:00"),
]
Until = Annotated[IsoInstant | None, Query(alias="to", description="Before this time")]
Provider = Annotated[str | None, Query(max_length=32, pattern=NO_NUL, description="uber or bolt")]
Position = Annotated[int, Query(ge=1, le=MAX_BIGINT)]
SortOrder = Literal["asc", "desc"]
Order = Annotated[
    SortOrder,
    Query(description="asc: oldest first (the default); desc: newest first"),
]
Format = Annotated[
    Literal["json", "csv"] | None,
    Query(alias="format", description="csv: export every matching row (also Accept: text/csv)"),
]


def filter_text(description: str) -> Any:
    """A text filter's Query: bounded, and without NUL."""
    return Query(max_length=200, pattern=NO_NUL, description=description)


def like_pattern(term: str | None) -> str | None:
    """An ILIKE pattern finding ``term`` anywhere, its wildcards escaped; None when blank."""
    if not term or not term.strip():
        return None
    escaped = term.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def wants_csv(request: Request, fmt: Format = None) -> bool:
    """True when the caller asks for the CSV export, by parameter or by Accept header."""
    if fmt is not None:
        return fmt == "csv"
    return CSV in request.headers.get("accept", "").lower()


ExportCsv = Annotated[bool, Depends(wants_csv)]


def encode_cursor(key: Sequence[object]) -> str:
    return base64.urlsafe_b64encode(msgspec.json.encode(key)).decode().rstrip("=")


def decode_cursor(cursor: str, key_type: Any) -> tuple[Any, ...]:
    """The key in ``cursor``; a 400 problem when it is not one of ours."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        key: tuple[Any, ...] = msgspec.json.decode(raw, type=key_type)
    except (binascii.Error, ValueError, msgspec.DecodeError) as exc:
        raise ApiProblem(400, "Bad Request", "malformed cursor") from exc
    if any(isinstance(part, str) and "\x00" in part for part in key):
        raise ApiProblem(400, "Bad Request", "malformed cursor")
    return key


# An ascending cursor is ``[id]`` (as before ``order`` existed, so older cursors still work);
# a descending one is ``[id, "desc"]``. The direction travels in the cursor so that a cursor
# made in one order is refused in the other, instead of silently skipping or repeating rows.
PositionCursor = list[Annotated[int, msgspec.Meta(ge=0, le=MAX_BIGINT)] | str]
_FIRST_BOUND: dict[SortOrder, int] = {"asc": 0, "desc": MAX_BIGINT}


def _position_cursor(position: int, order: SortOrder) -> tuple[object, ...]:
    return (position,) if order == "asc" else (position, order)


def _cursor_order(key: Sequence[object]) -> tuple[int, SortOrder]:
    match key:
        case [int(position)]:
            return position, "asc"
        case [int(position), "desc"]:
            return position, "desc"
    raise ApiProblem(400, "Bad Request", "malformed cursor")


def position_bound(cursor: str | None, order: SortOrder) -> int:
    """The id a page starts after (asc) or before (desc); a 400 problem for the other order."""
    if not cursor:
        return _FIRST_BOUND[order]
    position, made_for = _cursor_order(decode_cursor(cursor, PositionCursor))
    if made_for != order:
        detail = f"this cursor is for order={made_for}, not order={order}"
        raise ApiProblem(400, "Bad Request", detail)
    return position


# A (time, text) key; times are written in UTC, and a cursor with another offset is not ours.
TimeKey = tuple[Annotated[datetime, msgspec.Meta(tz=True)], str]


def decode_time_key(cursor: str) -> tuple[datetime, str]:
    """The (UTC time, text) key of ``cursor``; a 400 problem when it is not one of ours."""
    moment, text = decode_cursor(cursor, TimeKey)
    if moment.utcoffset() != timedelta(0):
        raise ApiProblem(400, "Bad Request", "malformed cursor")
    return moment, text


def _utc(moment: datetime | None, fallback: datetime) -> datetime | None:
    if moment is None:
        return None
    try:
        return moment.astimezone(UTC)
    except OverflowError:  # year 1 at +01:00, year 9999 at -01:00: past what we store
        return fallback


def time_window(since: datetime | None, until: datetime | None) -> tuple[Any, Any]:
    """``(from, to)`` in UTC; ``from`` after ``to`` is a 400 problem."""
    if since is not None and until is not None and since > until:
        raise ApiProblem(400, "Bad Request", "from must not be after to")
    low = datetime.min.replace(tzinfo=UTC)
    high = datetime.max.replace(tzinfo=UTC)
    return _utc(since, low), _utc(until, high)


def page_of(
    rows: Sequence[asyncpg.Record],
    limit: int,
    to_item: Callable[[asyncpg.Record], T],
    key_of: Callable[[asyncpg.Record], Sequence[object]],
) -> tuple[list[T], str | None]:
    """The items of a page fetched with ``limit + 1`` rows, and the cursor of the next."""
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = encode_cursor(key_of(rows[-1])) if more else None
    return [to_item(r) for r in rows], next_cursor


def _cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, list | dict):
        return msgspec.json.encode(value).decode()
    return value


def _csv_line(values: Sequence[object]) -> str:
    out = io.StringIO()
    csv.writer(out).writerow([_cell(v) for v in values])
    return out.getvalue()


async def _csv_chunks(
    items: AsyncIterator[msgspec.Struct], item_type: type[msgspec.Struct]
) -> AsyncIterator[str]:
    yield _csv_line(item_type.__struct_fields__)
    chunk: list[str] = []
    async for item in items:
        chunk.append(_csv_line(list(msgspec.to_builtins(item).values())))
        if len(chunk) >= CSV_CHUNK_ROWS:
            yield "".join(chunk)
            chunk = []
    if chunk:
        yield "".join(chunk)


def _streaming_csv(
    items: AsyncIterator[msgspec.Struct], item_type: type[msgspec.Struct], name: str
) -> Response:
    return StreamingResponse(
        _csv_chunks(items, item_type),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


async def _rows_as_items(
    conn: asyncpg.Connection,
    sql: str,
    args: Sequence[object],
    to_item: Callable[[asyncpg.Record], T],
) -> AsyncIterator[T]:
    async for row in conn.cursor(sql, *args, prefetch=CSV_CHUNK_ROWS):
        yield to_item(row)


def csv_response(
    conn: asyncpg.Connection,
    sql: str,
    args: Sequence[object],
    to_item: Callable[[asyncpg.Record], T],
    item_type: type[T],
    filename: str,
) -> Response:
    """Every row of ``sql`` as CSV, one column per field of ``item_type``, streamed."""
    return _streaming_csv(_rows_as_items(conn, sql, args, to_item), item_type, filename)


def csv_of(items: Sequence[T], item_type: type[T], filename: str) -> Response:
    """A list already in memory (a few rows) as the same CSV."""

    async def each() -> AsyncIterator[T]:
        for item in items:
            yield item

    return _streaming_csv(each(), item_type, filename)


def _placeholders(sql: str) -> int:
    return max((int(n) for n in re.findall(r"\$(\d+)", sql)), default=0)


@dataclass(frozen=True)
class PositionList(Generic[T]):
    """A list in the order of one increasing id, either way, by keyset pages or as one CSV.

    ``select`` is the statement up to its filters (``$1``..``$n``, then ``AND`` may follow);
    the keyset condition, the order and the limit are appended here, so that both orders
    read the same btree on the id, forwards or backwards: an index range scan either way.
    The descending first page starts below MAX_BIGINT, which an identity never reaches.
    """

    select: str
    id_sql: str
    id_column: str
    to_item: Callable[[asyncpg.Record], T]
    item_type: type[T]
    page_type: Callable[..., msgspec.Struct]
    filename: str

    def sql(self, order: SortOrder) -> str:
        """The statement: filters, then the id bound, then the limit (NULL: no limit)."""
        bound, limit = _placeholders(self.select) + 1, _placeholders(self.select) + 2
        compare, direction = (">", "ASC") if order == "asc" else ("<", "DESC")
        return (
            f"{self.select.rstrip()}\n  AND {self.id_sql} {compare} ${bound}\n"
            f"ORDER BY {self.id_sql} {direction} LIMIT ${limit}"
        )

    async def respond(
        self,
        conn: asyncpg.Connection,
        csv: bool,
        filters: Sequence[object],
        cursor: str | None,
        limit: int,
        order: SortOrder = "asc",
    ) -> Response:
        """The page after ``cursor`` in ``order``, or with ``csv`` every row in that order."""
        sql = self.sql(order)
        if csv:
            args = (*filters, _FIRST_BOUND[order], None)
            return csv_response(conn, sql, args, self.to_item, self.item_type, self.filename)
        rows = await conn.fetch(sql, *filters, position_bound(cursor, order), limit + 1)
        items, next_cursor = page_of(
            rows, limit, self.to_item, lambda r: _position_cursor(r[self.id_column], order)
        )
        return MsgspecResponse(self.page_type(items=items, next_cursor=next_cursor))
