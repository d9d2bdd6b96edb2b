"""Where an API request's CPU goes: the routes of ``bench_api.py`` driven in-process.

Loads the same fleet as ``bench_api.py`` (``BENCH_SCALE`` sizes it; 0.02 is plenty, the
CPU of a request hardly depends on the table sizes) and calls three apps in this process as
ASGI, with no HTTP and no uvicorn (which every server pays alike), ``BENCH_PROFILE_REQUESTS``
requests per route, 16 at a time, in alternating rounds: the real API (``create_app``), the
bare app (``_api_bare.py``), and the floor of any FastAPI route: the bare app's handlers
behind FastAPI routes that declare nothing but the request (no dependency, no validation,
no middleware of ours). It prints each one's CPU per request in this process (the
database's work runs in PostgreSQL's processes, so this is the Python side: ours,
FastAPI's, asyncpg's); with ``--profile`` also cProfile's top frames per route of the app
``BENCH_PROFILE_APP`` names (``api`` by default) as µs of CPU per request (cProfile slows
small calls most, so read the shares, not the sums). A developer's tool: it writes
nothing to ``bench/out``.
"""

from __future__ import annotations

import asyncio
import cProfile
import os
import pstats
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

from _api_bare import Bare
from _harness import embedded
from bench_api import JWT, load, workloads
from fastapi import FastAPI, Request
from starlette.responses import Response

from core.config import DatabaseSettings
from query_api.app import POOL_SIZE, ApiSettings, create_app

REQUESTS = int(os.environ.get("BENCH_PROFILE_REQUESTS", "3000"))
AT_ONCE = 16
ROUNDS = 6  # the least CPU per request of these rounds: the machine is shared
PROFILED = os.environ.get("BENCH_PROFILE_APP", "api")
App = Callable[..., Awaitable[None]]


async def _lifespan(app: App) -> Callable[[], Awaitable[None]]:
    """Start ``app``'s lifespan; the coroutine that ends it."""
    inbox: asyncio.Queue[dict[str, str]] = asyncio.Queue()
    outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    await inbox.put({"type": "lifespan.startup"})
    task = asyncio.create_task(app({"type": "lifespan", "state": {}}, inbox.get, outbox.put))
    started = await outbox.get()
    assert started["type"] == "lifespan.startup.complete", started

    async def stop() -> None:
        await inbox.put({"type": "lifespan.shutdown"})
        await task

    return stop


def _scope(path: str, token: str) -> dict[str, Any]:
    route, _, query = path.partition("?")
    return {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
        "scheme": "http", "path": route, "raw_path": route.encode(), "root_path": "",
        "query_string": query.encode(), "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000), "state": {},
        "headers": [
            (b"host", b"127.0.0.1"), (b"authorization", f"Bearer {token}".encode()),
            (b"accept", b"application/json"),
        ],
    }  # fmt: skip


async def _call(app: App, path: str, token: str) -> int:
    status = 0

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(_scope(path, token), receive, send)
    return status


async def _drive(app: App, paths: list[str], token: str, count: int) -> float:
    """CPU seconds of this process per request over ``count`` requests, 16 at a time."""
    queue = iter(paths[i % len(paths)] for i in range(count))

    async def worker() -> None:
        for path in queue:
            if (status := await _call(app, path, token)) != 200:
                raise RuntimeError(f"{path}: {status}")

    started = time.process_time()
    await asyncio.gather(*(worker() for _ in range(AT_ONCE)))
    return (time.process_time() - started) / count


def floor_app(bare: Bare) -> FastAPI:
    """The bare app's handlers as FastAPI routes that declare nothing but the request."""
    app = FastAPI()

    def answer(status: int, body: bytes) -> Response:
        return Response(body, status, media_type="application/json")

    @app.get("/fleet/drivers")
    async def drivers(request: Request) -> Response:
        return answer(200, await bare.drivers(dict(request.query_params)))

    @app.get("/fleet/drivers/{driver_id}/metrics")
    async def metrics(driver_id: str, request: Request) -> Response:
        return answer(*await bare.metrics(driver_id, dict(request.query_params)))

    @app.get("/bolt/drivers/{driver_id}/trips")
    async def trips(driver_id: str, request: Request) -> Response:
        return answer(*await bare.trips(driver_id, dict(request.query_params)))

    return app


def _top(profile: cProfile.Profile, count: int, lines: int = 30) -> str:
    """The frames with the most cumulative CPU, then with the most of their own, as µs per
    request (calls per request: a coroutine counts once per resumption)."""
    stats: dict[Any, Any] = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    total = max(cum for _, _, _, cum, _ in stats.values())
    by_cum = sorted(stats.items(), key=lambda item: item[1][3], reverse=True)[:lines]
    by_own = sorted(stats.items(), key=lambda item: item[1][2], reverse=True)[:lines]
    out = [f"  {'cum µs':>7} {'own µs':>7} {'share':>6} {'calls':>6}  frame"]
    for title, rows in (("by cumulative CPU", by_cum), ("by own CPU", by_own)):
        out.append(f"  -- {title}")
        for (file, line, name), (calls, _, own, cum, _) in rows:
            where = file.split("site-packages/")[-1].split("apispeed/")[-1]
            out.append(
                f"  {cum / count * 1e6:7.0f} {own / count * 1e6:7.0f} {cum / total:6.0%} "
                f"{calls / count:6.1f}  {where}:{line}({name})"
            )
    return "\n".join(out)


async def run(db: DatabaseSettings, profile: bool) -> None:
    fleet, _ = await load(db)
    settings = ApiSettings(database=db, jwt=JWT, nats_url=None)
    bare = Bare(db.api_url, db.api_role, str(fleet.org), POOL_SIZE)
    apps: dict[str, App] = {"api": create_app(settings), "bare": bare}
    stops = [await _lifespan(app) for app in apps.values()]
    apps["floor"] = floor_app(bare)  # on the bare app's pool
    try:
        for route, paths in workloads(fleet).items():
            for app in apps.values():
                await _drive(app, paths, fleet.token, 300)  # warm: connections, statements
            rounds: dict[str, list[float]] = {kind: [] for kind in apps}
            for _ in range(ROUNDS):  # alternating, so that the machine's load weighs alike
                for kind, app in apps.items():
                    rounds[kind].append(await _drive(app, paths, fleet.token, REQUESTS // ROUNDS))
            cpu = {kind: min(values) for kind, values in rounds.items()}
            print(
                f"{route}: API {cpu['api'] * 1e6:.0f} µs of CPU per request, bare "
                f"{cpu['bare'] * 1e6:.0f} µs ({cpu['bare'] / cpu['api']:.2f}× the API's), "
                f"FastAPI floor {cpu['floor'] * 1e6:.0f} µs ({cpu['bare'] / cpu['floor']:.2f}×)"
            )
            if profile:
                profiler = cProfile.Profile(time.process_time)
                profiler.enable()
                await _drive(apps[PROFILED], paths, fleet.token, REQUESTS)
                profiler.disable()
                print(_top(profiler, REQUESTS))
    finally:
        for stop in stops:
            await stop()


async def _main(profile: bool) -> None:
    async with embedded() as (_, db):
        await run(db, profile)


if __name__ == "__main__":
    asyncio.run(_main("--profile" in sys.argv))
