"""Where an API request's CPU goes: the routes of ``bench_api.py`` driven in-process.

Loads the same fleet as ``bench_api.py`` (``BENCH_SCALE`` sizes it; 0.02 is plenty, the
CPU of a request hardly depends on the table sizes), builds the real API (``create_app``)
and the bare app (``_api_bare.py``) in this process, and calls each as ASGI, no HTTP and no
uvicorn (which both servers pay alike), ``BENCH_PROFILE_REQUESTS`` requests per route at 16
at a time. It prints the CPU of this process per request (the database's work runs in
PostgreSQL's processes, so this is the Python side: ours, FastAPI's and asyncpg's), API
beside bare; with ``--profile`` also cProfile's top frames of the API per route, as
microseconds of CPU per request (cProfile slows everything alike, several times over, so
read the shares, not the sums). A developer's tool: it writes nothing to ``bench/out``.
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
    apps: dict[str, App] = {
        "api": create_app(settings),
        "bare": Bare(db.api_url, db.api_role, str(fleet.org), POOL_SIZE),
    }
    stops = [await _lifespan(app) for app in apps.values()]
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
                f"{cpu['bare'] * 1e6:.0f} µs ({cpu['bare'] / cpu['api']:.2f}× the API's)"
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
