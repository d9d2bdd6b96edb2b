"""Polls on schedules (APScheduler), one run at a time per resource, retried on failure.

A failed run is logged and tried again after a backoff (30 s, doubling up to 15 min) rather
than waiting for the next regular slot: a provider outage delays a poll, never loses it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler

log = logging.getLogger(__name__)

Poll = Callable[[], Awaitable[Any]]


class PollScheduler:
    """Runs each poll every ``interval_s``, first right away."""

    def __init__(self, retry_base_s: float = 30.0, retry_cap_s: float = 900.0) -> None:
        self._scheduler = AsyncIOScheduler(timezone=UTC)
        self._retry_base_s = retry_base_s
        self._retry_cap_s = retry_cap_s
        self._failures: dict[str, int] = {}

    def add(self, name: str, poll: Poll, interval_s: float) -> None:
        self._scheduler.add_job(
            self._run,
            "interval",
            seconds=interval_s,
            args=[name, poll],
            id=name,
            max_instances=1,
            coalesce=True,
            next_run_time=datetime.now(UTC),
            misfire_grace_time=None,
        )

    async def _run(self, name: str, poll: Poll) -> None:
        try:
            result = await poll()
        except asyncio.CancelledError:
            # The process is stopping and cancels polls in flight: not an error. The run's
            # row stays 'running' and the next start marks it failed (ingest/sync.py).
            log.info("poll %s interrupted by shutdown", name)
            return
        except Exception as exc:
            failures = self._failures.get(name, 0) + 1
            self._failures[name] = failures
            delay = min(self._retry_base_s * 2 ** (failures - 1), self._retry_cap_s)
            log.error(
                "poll %s failed (%s: %s); retrying in %.0fs", name, type(exc).__name__, exc, delay
            )
            self._scheduler.add_job(
                self._run,
                "date",
                run_date=datetime.now(UTC) + timedelta(seconds=delay),
                args=[name, poll],
                id=f"{name}:retry",
                replace_existing=True,
                max_instances=1,
            )
            return
        self._failures.pop(name, None)
        log.info("poll %s done: %s", name, result)

    def start(self) -> None:
        self._scheduler.start()

    def shutdown(self) -> None:
        self._scheduler.shutdown(wait=False)
