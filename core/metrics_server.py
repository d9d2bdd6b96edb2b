"""The /metrics endpoint of the worker processes (ingest, relay, projector)."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from prometheus_client import start_http_server

from core.config import env_int

log = logging.getLogger(__name__)


def serve_metrics(env: Mapping[str, str], process: str) -> int | None:
    """Serve the default registry on ``FLEET_METRICS_PORT`` (off when unset or 0)."""
    port = env_int(env, "FLEET_METRICS_PORT", 0)
    if not port:
        return None
    host = env.get("FLEET_METRICS_HOST", "127.0.0.1")
    start_http_server(port, addr=host)
    log.info("%s metrics on http://%s:%d/metrics", process, host, port)
    return port
