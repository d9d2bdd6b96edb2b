"""Composition root of the relay process (``fleet relay``)."""

from __future__ import annotations

import asyncio

from core.config import environ, load_database, load_nats_url, nats_stream_replicas
from core.logs import setup_logging
from core.metrics_server import serve_metrics
from core.signals import stop_event
from eventlog.bus import connect, ensure_events_stream
from eventlog.db import create_pool
from eventlog.relay import Relay


async def main() -> None:
    env = environ()
    db = load_database(env)
    stop = stop_event()
    pool = await create_pool(db.writer_url, role=db.writer_role, max_size=3)
    nc = await connect(load_nats_url(env), "fleet-relay")
    replicas = nats_stream_replicas(env)
    try:
        await ensure_events_stream(nc.jetstream(), replicas)
        await Relay(pool, nc, replicas=replicas).run(stop)
    finally:
        await nc.close()
        await pool.close()


def run() -> None:
    setup_logging("relay")
    serve_metrics(environ(), "relay")
    asyncio.run(main())
