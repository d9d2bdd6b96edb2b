"""Composition root of the projector process (``fleet projector``)."""

from __future__ import annotations

import asyncio
import logging

from eventlog.bus import connect, ensure_events_stream
from eventlog.db import create_pool
from fleet.config import environ, load_database, load_nats_url
from fleet.logs import setup_logging
from fleet.signals import stop_event
from projector.projections import all_projections
from projector.runner import ProjectionRunner

log = logging.getLogger(__name__)


async def main() -> None:
    env = environ()
    db = load_database(env)
    stop = stop_event()
    pool = await create_pool(db.writer_url, role=db.writer_role, max_size=10)
    nc = await connect(load_nats_url(env), "fleet-projector")
    try:
        await ensure_events_stream(nc.jetstream())
        runners = [ProjectionRunner(pool, nc, p) for p in all_projections()]
        await asyncio.gather(*(runner.run(stop) for runner in runners))
    finally:
        await nc.close()
        await pool.close()


def run() -> None:
    setup_logging("projector")
    asyncio.run(main())
