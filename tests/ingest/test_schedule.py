"""The poll scheduler: failures are retried later; a shutdown is not a failure."""

from __future__ import annotations

import asyncio
import logging

import pytest

from ingest.schedule import PollScheduler


async def test_a_poll_cancelled_by_shutdown_is_logged_as_such_not_as_a_failure(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def poll() -> None:
        raise asyncio.CancelledError

    with caplog.at_level(logging.INFO, logger="ingest.schedule"):
        await PollScheduler()._run("uber.transactions", poll)
    messages = [(r.levelno, r.getMessage()) for r in caplog.records]
    assert messages == [(logging.INFO, "poll uber.transactions interrupted by shutdown")]


async def test_a_failed_poll_is_tried_again_later() -> None:
    scheduler = PollScheduler(retry_base_s=30)

    async def poll() -> None:
        raise RuntimeError("provider down")

    scheduler.start()
    try:
        await scheduler._run("bolt.orders", poll)
        retry = scheduler._scheduler.get_job("bolt.orders:retry")
    finally:
        scheduler.shutdown()
    assert retry is not None
