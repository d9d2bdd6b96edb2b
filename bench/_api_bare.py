"""The bare baseline of ``bench_api.py``: a raw ASGI app on asyncpg, no FastAPI, no auth.

It answers the three benchmarked routes with the API's own SQL (imported, so both stay the
same), in the same kind of per-request read-only transaction that first sets ``app.org_id``
(as the API role, under row-level security), from a pool of the same size, and encodes the
same msgspec Structs. The org is fixed (``BENCH_ORG_ID``): there is no token to check. What
it leaves out is exactly what the API adds: routing, validation, JWT, roles, dependencies,
problem details and the metrics middleware.
"""

from __future__ import annotations

import base64
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import date
from typing import Any
from urllib.parse import parse_qs

import asyncpg
import msgspec

from query_api.routes.bolt_data import _TRIPS_FIRST
from query_api.routes.drivers import list_sql
from query_api.routes.uber_data import _METRICS_SQL
from query_api.schemas import Driver, DriverPage
from query_api.schemas_data import DailyMetrics, DailyMetricsList, MetricsTotals, Trip, TripPage

Scope = dict[str, Any]
Send = Callable[[dict[str, Any]], Awaitable[None]]
Receive = Callable[[], Awaitable[dict[str, Any]]]

_KNOWN = "SELECT 1 FROM drivers WHERE provider = $1 AND driver_id = $2"
_ENCODER = msgspec.json.Encoder()
_CURSOR = msgspec.json.Decoder(tuple[str, str, str])


class Bare:
    def __init__(self, api_url: str, api_role: str | None, org_id: str, pool_size: int) -> None:
        self.api_url, self.api_role, self.org_id = api_url, api_role, org_id
        self.pool_size = pool_size
        self.pool: asyncpg.Pool | None = None
        self.begin = (
            f"BEGIN READ ONLY; SELECT set_config('app.org_id', '{uuid.UUID(org_id)}', true)"
        )

    @asynccontextmanager
    async def tenant(self) -> AsyncIterator[asyncpg.Connection]:
        """The API's protocol: BEGIN and set_config in one round trip, the query, COMMIT."""
        assert self.pool is not None
        async with self.pool.acquire() as conn:
            await conn.execute(self.begin)
            try:
                yield conn
            except BaseException:
                await conn.execute("ROLLBACK")
                raise
            await conn.execute("COMMIT")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        parts = scope["path"].strip("/").split("/")
        query = {k: v[0] for k, v in parse_qs(scope["query_string"].decode()).items()}
        status, body = 404, b'{"title":"Not Found","status":404}'
        if parts == ["fleet", "drivers"]:
            status, body = 200, await self.drivers(query)
        elif len(parts) == 4 and parts[:2] == ["fleet", "drivers"] and parts[3] == "metrics":
            status, body = await self.metrics(parts[2], query)
        elif len(parts) == 4 and parts[:2] == ["bolt", "drivers"] and parts[3] == "trips":
            status, body = await self.trips(parts[2], query)
        elif parts == ["healthz"]:
            status, body = 200, b'{"status":"ok"}'
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                settings = {"application_name": "bench"} | (
                    {"role": self.api_role} if self.api_role else {}
                )
                self.pool = await asyncpg.create_pool(
                    self.api_url, max_size=self.pool_size, server_settings=settings,
                    reset=_keep_session,
                )  # fmt: skip
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self.pool is not None:
                    await self.pool.close()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def drivers(self, query: dict[str, str]) -> bytes:
        limit = int(query.get("limit", "50"))
        term = query.get("q")
        like = f"%{term}%" if term else None
        async with self.tenant() as conn:
            if cursor := query.get("cursor"):
                key = _CURSOR.decode(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
                sql = list_sql("uber", True, like)
                rows = await conn.fetch(sql, "uber", like, limit + 1, None, *key)
            else:
                sql = list_sql("uber", False, like)
                rows = await conn.fetch(sql, "uber", like, limit + 1, None)
        more, rows = len(rows) > limit, rows[:limit]
        items = [Driver(*r[:8], list(r["vehicle_ids"]), r["updated_at"]) for r in rows]
        last = rows[-1] if more else None
        next_cursor = (
            base64.urlsafe_b64encode(_ENCODER.encode([last["k1"], last["k2"], last["driver_id"]]))
            .decode()
            .rstrip("=")
            if last is not None
            else None
        )
        return _ENCODER.encode(DriverPage(items=items, next_cursor=next_cursor))

    async def metrics(self, driver_id: str, query: dict[str, str]) -> tuple[int, bytes]:
        first, last = date.fromisoformat(query["from"]), date.fromisoformat(query["to"])
        async with self.tenant() as conn:
            rows = await conn.fetch(_METRICS_SQL, driver_id, first, last)
            if not rows and not await conn.fetchval(_KNOWN, "uber", driver_id):
                return 404, b'{"title":"Not Found","status":404}'
        items = [
            DailyMetrics(
                r["day"], r["trips"], _float(r["hours_online"]), _float(r["hours_on_trip"]),
                r["earnings_minor"], r["currency"],
            )
            for r in rows
        ]  # fmt: skip
        totals = MetricsTotals(
            trips=sum(i.trips or 0 for i in items),
            hours_online=round(sum(i.hours_online or 0.0 for i in items), 2),
            hours_on_trip=round(sum(i.hours_on_trip or 0.0 for i in items), 2),
            earnings_minor=sum(i.earnings_minor or 0 for i in items),
            currency=next((i.currency for i in items if i.currency), None),
        )
        return 200, _ENCODER.encode(DailyMetricsList(items=items, totals=totals))

    async def trips(self, driver_id: str, query: dict[str, str]) -> tuple[int, bytes]:
        first, last = date.fromisoformat(query["from"]), date.fromisoformat(query["to"])
        limit = int(query.get("limit", "50"))
        async with self.tenant() as conn:
            rows = await conn.fetch(_TRIPS_FIRST, driver_id, first, last, limit + 1)
            if not rows and not await conn.fetchval(_KNOWN, "bolt", driver_id):
                return 404, b'{"title":"Not Found","status":404}'
        more, rows = len(rows) > limit, rows[:limit]
        items = [Trip(*r[:15]) for r in rows]
        next_cursor = None
        if more:
            r = rows[-1]
            key = [r["earnings_day"].isoformat(), r["k_time"].isoformat(), r["order_reference"]]
            next_cursor = base64.urlsafe_b64encode(_ENCODER.encode(key)).decode().rstrip("=")
        return 200, _ENCODER.encode(TripPage(items=items, next_cursor=next_cursor))


async def _keep_session(_: asyncpg.Connection) -> None:
    """As the API's pool: asyncpg still rolls back an open transaction, no RESET ALL."""


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def app_from_env() -> Bare:
    return Bare(
        os.environ["BENCH_API_URL"],
        os.environ.get("BENCH_API_ROLE") or None,
        os.environ["BENCH_ORG_ID"],
        int(os.environ.get("BENCH_POOL_SIZE", "20")),
    )
