"""Per-route call counters, kept by a small ASGI middleware.

Tests read them through ``GET /_sim/stats`` to assert, for instance, that a
client retried after a 503. Control calls under ``/_sim/`` are not counted.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class CallStats:
    """Counts of API calls by ``"METHOD /path"`` and response status."""

    def __init__(self) -> None:
        self._counts: Counter[tuple[str, int]] = Counter()

    def record(self, route: str, status: int) -> None:
        """Count one answered call."""
        self._counts[(route, status)] += 1

    def reset(self) -> None:
        """Forget every count."""
        self._counts.clear()

    def as_dict(self) -> dict[str, dict[str, int]]:
        """``{"GET /v1/...": {"200": 3, "503": 1}}``, routes and statuses sorted."""
        view: dict[str, dict[str, int]] = {}
        for (route, status), count in sorted(self._counts.items()):
            view.setdefault(route, {})[str(status)] = count
        return view

    def total(self) -> int:
        """Number of counted calls."""
        return sum(self._counts.values())


class StatsMiddleware:
    """Record the method, path and status of every non-``/_sim/`` HTTP call."""

    def __init__(self, app: ASGIApp, stats: CallStats) -> None:
        self.app = app
        self.stats = stats

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the call through, noting the status it was answered with."""
        path: str = scope.get("path", "")
        if scope["type"] != "http" or path.startswith("/_sim/"):
            await self.app(scope, receive, send)
            return
        route = f"{scope['method']} {path}"
        seen: dict[str, Any] = {}

        async def send_and_note(message: Message) -> None:
            if message["type"] == "http.response.start":
                seen["status"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            self.stats.record(route, int(seen.get("status", 500)))
