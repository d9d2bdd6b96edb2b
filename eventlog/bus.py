"""NATS JetStream set-up: connections and the events stream."""

from __future__ import annotations

import asyncio
import logging

import nats
from nats.aio.client import Client as NATS
from nats.js import JetStreamContext
from nats.js.api import RetentionPolicy, StorageType, StreamConfig
from nats.js.errors import NotFoundError

from contracts.subjects import ALL_EVENTS, COMMANDS_PREFIX, COMMANDS_STREAM, EVENTS_STREAM

log = logging.getLogger(__name__)

POSITION_HEADER = "Fleet-Position"
DUPLICATE_WINDOW_S = 120.0


async def connect(url: str, name: str, *, retry_for_s: float | None = None) -> NATS:
    """Connect to NATS, reconnecting forever once connected.

    With ``retry_for_s`` the first connection is retried that long (``None``: forever), so a
    process started before nats-server waits for it instead of failing.
    """
    delay, waited = 0.2, 0.0
    while True:
        try:
            return await nats.connect(
                servers(url),
                name=name,
                allow_reconnect=True,
                max_reconnect_attempts=-1,
                reconnect_time_wait=0.5,
                connect_timeout=2,
                error_cb=_on_error,
                disconnected_cb=_on_disconnected,
                reconnected_cb=_on_reconnected,
            )
        except (OSError, nats.errors.NoServersError, TimeoutError) as exc:
            if retry_for_s is not None and waited >= retry_for_s:
                raise
            log.warning("NATS at %s not reachable (%s); retrying in %.1fs", url, exc, delay)
            await asyncio.sleep(delay)
            waited += delay
            delay = min(delay * 2, 5.0)


def servers(url: str) -> list[str]:
    """``NATS_URL`` may list a cluster's seed servers, comma-separated."""
    return [part.strip() for part in url.split(",") if part.strip()]


async def _on_error(exc: Exception) -> None:
    # one line, not nats-py's traceback per reconnect attempt
    log.warning("NATS: %s: %s", type(exc).__name__, exc or "connection lost")


async def _on_disconnected() -> None:
    log.warning("NATS disconnected; reconnecting")


async def _on_reconnected() -> None:
    log.info("NATS reconnected")


def events_stream_config(replicas: int = 1) -> StreamConfig:
    return StreamConfig(
        name=EVENTS_STREAM,
        subjects=[ALL_EVENTS],
        storage=StorageType.FILE,
        num_replicas=replicas,
        duplicate_window=DUPLICATE_WINDOW_S,
    )


def commands_stream_config(replicas: int = 1) -> StreamConfig:
    return StreamConfig(
        name=COMMANDS_STREAM,
        subjects=[f"{COMMANDS_PREFIX}.>"],
        storage=StorageType.FILE,
        retention=RetentionPolicy.WORK_QUEUE,
        num_replicas=replicas,
        max_age=24 * 3600,
    )


async def ensure_commands_stream(js: JetStreamContext, replicas: int = 1) -> None:
    """Create (or update) the work-queue stream carrying commands to the processes."""
    await _ensure(js, commands_stream_config(replicas))


async def _ensure(js: JetStreamContext, config: StreamConfig) -> None:
    assert config.name is not None
    try:
        await js.stream_info(config.name)
    except NotFoundError:
        await js.add_stream(config)
    else:
        await js.update_stream(config)


async def ensure_events_stream(js: JetStreamContext, replicas: int = 1) -> None:
    """Create the events stream, or bring an existing one to our configuration."""
    await _ensure(js, events_stream_config(replicas))
