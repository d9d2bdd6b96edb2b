"""HTTP load over loopback, in a process of its own (``bench_api.py`` runs it).

Raw asyncio HTTP/1.1 with keep-alive. Closed loop (the default): ``concurrency``
connections, each sending its next request when the previous answer is read, for
``seconds`` after a short warm-up. Open loop (``rate`` set): requests leave on a fixed
schedule, one every 1/``rate`` s, whatever the answers do, each on a free connection of at
most ``concurrency``; a request's latency runs from its scheduled time, so time spent
waiting for a free connection counts (no coordinated omission). A hand-written client
rather than httpx so that the load generator, which shares the machine's cores with the
server under test, costs as little CPU as possible.

Input (stdin, JSON): port, token, paths, seconds, warmup, concurrency, cpu, raw, and
optionally rate. Output (stdout, JSON): requests, errors, rps, p50_ms, p90_ms, p99_ms,
max_ms, elapsed_s, and with ``raw`` every latency (ms).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import sys
import time
from typing import Any


class _Conn:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    async def get(self, request: bytes) -> int:
        """Send one request, read its whole answer; the status code."""
        self.writer.write(request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = 0
        for line in head.split(b"\r\n"):
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
                break
        else:
            raise RuntimeError("no content-length (chunked answers are not expected here)")
        await self.reader.readexactly(length)
        return status


def _request(path: str, token: str) -> bytes:
    return (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
        "Accept: application/json\r\n\r\n"
    ).encode()


async def _worker(
    port: int,
    requests: list[bytes],
    warm_until: float,
    stop_at: float,
    latencies: list[float],
    errors: list[int],
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    conn = _Conn(reader, writer)
    rng = random.Random()
    try:
        while (now := time.perf_counter()) < stop_at:
            status = await conn.get(rng.choice(requests))
            done = time.perf_counter()
            if now >= warm_until:
                latencies.append(done - now)
                if status != 200:
                    errors.append(status)
    finally:
        writer.close()


async def _open_loop(
    spec: dict[str, Any],
    requests: list[bytes],
    warm_until: float,
    stop_at: float,
    latencies: list[float],
    errors: list[int],
) -> None:
    """Requests at a steady ``rate``, each timed from the moment it was due."""
    idle: asyncio.Queue[_Conn] = asyncio.Queue()
    writers = []
    for _ in range(spec["concurrency"]):
        reader, writer = await asyncio.open_connection("127.0.0.1", spec["port"])
        writers.append(writer)
        idle.put_nowait(_Conn(reader, writer))
    rng = random.Random()

    async def one(due: float, request: bytes) -> None:
        conn = await idle.get()
        try:
            status = await conn.get(request)
        finally:
            idle.put_nowait(conn)
        if due >= warm_until:
            latencies.append(time.perf_counter() - due)
            if status != 200:
                errors.append(status)

    interval = 1.0 / spec["rate"]
    due = time.perf_counter()
    sent: set[asyncio.Task[None]] = set()
    while due < stop_at:
        await asyncio.sleep(max(due - time.perf_counter(), 0))
        task = asyncio.create_task(one(due, rng.choice(requests)))
        sent.add(task)
        task.add_done_callback(sent.discard)
        due += interval
    await asyncio.gather(*sent)
    for writer in writers:
        writer.close()


async def run(spec: dict[str, Any]) -> dict[str, Any]:
    requests = [_request(p, spec["token"]) for p in spec["paths"]]
    start = time.perf_counter()
    warm_until = start + spec["warmup"]
    stop_at = warm_until + spec["seconds"]
    latencies: list[float] = []
    errors: list[int] = []
    if spec.get("rate"):
        await _open_loop(spec, requests, warm_until, stop_at, latencies, errors)
    else:
        await asyncio.gather(
            *(
                _worker(spec["port"], requests, warm_until, stop_at, latencies, errors)
                for _ in range(spec["concurrency"])
            )
        )
    elapsed = time.perf_counter() - warm_until
    latencies.sort()

    def pct(share: float) -> float:
        return latencies[min(int(share * len(latencies)), len(latencies) - 1)] * 1000

    return {
        "requests": len(latencies),
        "errors": len(errors),
        "error_statuses": sorted(set(errors)),
        "rps": len(latencies) / elapsed,
        "p50_ms": pct(0.50),
        "p90_ms": pct(0.90),
        "p99_ms": pct(0.99),
        "max_ms": latencies[-1] * 1000,
        "elapsed_s": elapsed,
        "latencies_ms": [round(x * 1000, 3) for x in latencies] if spec.get("raw") else [],
    }


def main() -> None:
    spec = json.load(sys.stdin)
    if spec.get("cpu") is not None:
        os.sched_setaffinity(0, {spec["cpu"]})
    json.dump(asyncio.run(run(spec)), sys.stdout)


if __name__ == "__main__":
    main()
