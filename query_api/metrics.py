"""HTTP metrics: a latency histogram per route template, method and status.

With several uvicorn workers (``FLEET_API_WORKERS`` > 1) each worker is a process of its own
and a scrape of /metrics reaches one of them at random. prometheus_client's multiprocess mode
fixes that: with ``PROMETHEUS_MULTIPROC_DIR`` set before the workers import it, every worker
writes its samples to files in that folder, and /metrics sums the files of every worker
(:func:`exposition`). :func:`prepare_multiprocess_dir` sets the folder up, empty, before the
workers start: files left by an earlier run would be added to this run's counts.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import MutableMapping
from pathlib import Path

from prometheus_client import CollectorRegistry, Histogram, generate_latest, multiprocess
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HttpMetrics:
    """ASGI middleware timing each request under its route template (not its raw path)."""

    def __init__(self, app: ASGIApp, registry: CollectorRegistry) -> None:
        self.app = app
        self.latency = Histogram(
            "fleet_http_request_duration_seconds",
            "HTTP request latency",
            ["route", "method", "status"],
            registry=registry,
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
        )
        # Each labelled child, kept: ``labels()`` takes a lock and checks its arguments on
        # every call. As many as the histogram itself keeps (route templates, methods, statuses).
        self._children: dict[tuple[str, str, int], Histogram] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500
        start = time.perf_counter()

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            self._child(_route(scope), scope["method"], status).observe(time.perf_counter() - start)

    def _child(self, route: str, method: str, status: int) -> Histogram:
        key = (route, method, status)
        child = self._children.get(key)
        if child is None:
            child = self._children[key] = self.latency.labels(route, method, str(status))
        return child


def _route(scope: Scope) -> str:
    # FastAPI (0.165) includes routers lazily: the app's route list holds one opaque entry per
    # included router, and the matched route's own path lacks the router's prefix. The full
    # template is on the route context FastAPI keeps in the scope; read it after the request
    # (tests/ops/test_metrics_exposed.py fails if an upgrade moves it).
    context = scope.get("fastapi", {}).get("effective_route_context")
    if template := getattr(context, "path_format", None):
        return str(template)
    for route in scope["app"].router.routes:
        match, _ = route.matches(scope)
        if match == Match.FULL:
            return str(getattr(route, "path", "other"))
    return "unmatched"


MULTIPROC_DIR = "PROMETHEUS_MULTIPROC_DIR"


def prepare_multiprocess_dir(env: MutableMapping[str, str]) -> Path:
    """Create (or empty) the workers' shared metrics folder and name it in ``env``."""
    if configured := env.get(MULTIPROC_DIR):
        folder = Path(configured)
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob("*.db"):
            stale.unlink()
    else:
        folder = Path(tempfile.mkdtemp(prefix="fleet-api-metrics-"))
        env[MULTIPROC_DIR] = str(folder)
    return folder


def exposition(registry: CollectorRegistry) -> bytes:
    """The /metrics body: ``registry``, or the sum of every worker's files in multiprocess mode."""
    if not os.environ.get(MULTIPROC_DIR):
        return generate_latest(registry)
    merged = CollectorRegistry()
    multiprocess.MultiProcessCollector(merged)  # type: ignore[no-untyped-call]
    return generate_latest(merged)
