"""Composition root of the projector process (``fleet projector``)."""

from __future__ import annotations

import asyncio
import logging

from prometheus_client import REGISTRY, start_http_server

from core.config import env_int, environ, load_database, load_nats_url, nats_stream_replicas
from core.logs import setup_logging
from core.signals import stop_event
from eventlog.bus import connect, ensure_events_stream
from eventlog.db import create_pool
from projector.feed import EventFeed, drop_projection_consumers
from projector.metrics import ProjectorMetrics
from projector.projections import all_projections
from projector.runner import ProjectionRunner

log = logging.getLogger(__name__)

DEFAULT_METRICS_PORT = 9100


def serve_metrics(port: int) -> ProjectorMetrics:
    """The projector's gauges, served on ``port`` (all interfaces: Prometheus scrapes it).

    Port 0 turns the endpoint off. A port already taken (several workers on one host under
    ``fleet up``) is logged, not fatal: metrics are no reason to stop projecting.
    """
    metrics = ProjectorMetrics(REGISTRY)
    if port == 0:
        return metrics
    try:
        start_http_server(port, addr="0.0.0.0", registry=REGISTRY)  # noqa: S104
    except OSError as exc:
        log.warning("projector metrics not served on :%d (%s)", port, exc)
    else:
        log.info("projector metrics on :%d/metrics", port)
    return metrics


async def main() -> None:
    env = environ()
    db = load_database(env)
    metrics_port = env_int(env, "FLEET_METRICS_PORT", DEFAULT_METRICS_PORT)
    stop = stop_event()
    projections = all_projections()
    # Each runner holds one connection for its whole life (its advisory lock) and needs a
    # second to work: a smaller pool deadlocks once every connection is a held lock.
    pool = await create_pool(db.writer_url, role=db.writer_role, max_size=2 * len(projections) + 2)
    replicas = nats_stream_replicas(env)
    nc = await connect(load_nats_url(env), "fleet-projector")
    feed: EventFeed | None = None
    try:
        js = nc.jetstream()
        await ensure_events_stream(js, replicas)
        await drop_projection_consumers(js, [p.name for p in projections])
        feed = await EventFeed.subscribe(nc)
        metrics = serve_metrics(metrics_port)
        runners = [ProjectionRunner(pool, feed, p) for p in projections]
        await asyncio.gather(
            metrics.keep_fresh(pool, [p.name for p in projections], stop),
            *(runner.run(stop) for runner in runners),
        )
    finally:
        if feed is not None:
            await feed.close()
        await nc.close()
        await pool.close()


def run() -> None:
    setup_logging("projector")
    asyncio.run(main())
