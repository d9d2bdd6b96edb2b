"""Uber's driver-status webhooks, sent to ``SIM_UBER_WEBHOOK_URL`` (docs/PROVIDERS.md §1.9).

Every status change the simulated drivers go through (``uber_status``: online, on trip,
offline) is POSTed as a ``REALTIME_STATUS_CHANGE``::

    {"event_id": "<uuid>", "event_type": "REALTIME_STATUS_CHANGE", "event_time": <unix s>,
     "meta": {"org_id": "<encrypted org id>", "driver_id": "<driverId>",
              "vehicle_id": "<vehicleId>" | null, "status": "DRIVER_STATUS_…"}}

signed with ``X-Uber-Signature``: the hex HMAC-SHA256 of the exact body, keyed with the app's
client secret. A delivery that gets no 2xx (or no answer) is sent again, with the same body,
up to ``RETRIES`` times, waiting ``retry_s`` and then twice as long each time: with the
default 30 s that is about an hour in all, as Uber's retries (the body shape and the schedule
are the simulator's choice, docs/PROVIDERS.md §4 #21).

Changes are found by looking at every driver's status every ``scan_s`` seconds (the statuses
are a function of the clock, so there is no event to hook); the first look only remembers.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx
from starlette.routing import Route

from simulator.control import ControlError, control
from simulator.state import SimState
from simulator.uber_status import status_entries
from simulator.world import UberDriver

log = logging.getLogger(__name__)

RETRIES = 7
SIGNATURE_HEADER = "X-Uber-Signature"

# POST ``body`` with ``headers`` to the URL; the answer's status (raises when none came).
Post = Callable[[bytes, dict[str, str]], Awaitable[int]]


def sign(secret: str, body: bytes) -> str:
    """The ``X-Uber-Signature`` of ``body``."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def status_change(driver: UberDriver, status: str, at: int) -> bytes:
    """The body of one ``REALTIME_STATUS_CHANGE`` of ``driver`` to ``status`` at ``at``."""
    body = {
        "event_id": str(uuid.uuid4()),
        "event_type": "REALTIME_STATUS_CHANGE",
        "event_time": at,
        "meta": {
            "org_id": driver.org_id,
            "driver_id": driver.driver_id,
            "vehicle_id": driver.vehicle_ids[0] if driver.vehicle_ids else None,
            "status": status,
        },
    }
    return json.dumps(body, separators=(",", ":")).encode()


@dataclass
class WebhookSender:
    """Delivers bodies, each in a task of its own so that one failing never holds others."""

    secret: str
    retry_s: float
    post: Post
    counts: dict[str, int] = field(
        default_factory=lambda: {"sent": 0, "delivered": 0, "attempts": 0, "abandoned": 0}
    )
    _tasks: set[asyncio.Task[bool]] = field(default_factory=set)

    def send(self, body: bytes) -> None:
        """Start delivering ``body`` (retried in the background)."""
        self.counts["sent"] += 1
        task = asyncio.create_task(self.deliver(body))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def deliver(self, body: bytes) -> bool:
        """Send ``body`` until a 2xx, at most ``1 + RETRIES`` times; whether it got one."""
        headers = {SIGNATURE_HEADER: sign(self.secret, body), "Content-Type": "application/json"}
        for attempt in range(1 + RETRIES):
            if attempt:
                await asyncio.sleep(self.retry_s * 2 ** (attempt - 1))
            self.counts["attempts"] += 1
            if await self._attempt(body, headers):
                self.counts["delivered"] += 1
                return True
        self.counts["abandoned"] += 1
        log.warning("webhook abandoned after %d retries", RETRIES)
        return False

    async def _attempt(self, body: bytes, headers: dict[str, str]) -> bool:
        try:
            return 200 <= await self.post(body, headers) < 300
        except Exception as exc:  # no answer: retried like an error answer
            log.info("webhook attempt failed: %s", type(exc).__name__)
            return False

    async def close(self) -> None:
        """Stop every delivery under way."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)


class StatusWatch:
    """Finds the drivers whose status changed since the last look."""

    def __init__(self, sim: SimState) -> None:
        self._sim = sim
        self._last: dict[str, tuple[str, str]] = {}

    def changes(self) -> list[bytes]:
        """The bodies of the changes since the last call (none on the first)."""
        now = self._sim.now_s()
        bodies = []
        for driver in self.drivers():
            entries = status_entries(self._sim.plans, driver.person_index, now)
            if not entries:
                continue  # not tracked: nothing new to say
            current = (entries[0]["status"], entries[0]["timestamp"])
            previous = self._last.get(driver.driver_id)
            self._last[driver.driver_id] = current
            if previous is not None and previous != current:
                bodies.append(status_change(driver, current[0], _epoch(current[1])))
        return bodies

    def drivers(self) -> list[UberDriver]:
        world = self._sim.uber_world
        return [d for org in world.orgs() for d in world.drivers(org.org_id)]


def _epoch(iso: str) -> int:
    """Unix seconds of an ISO-8601 UTC output time (``…Z``)."""
    return int(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp())


async def watch(sim: SimState, sender: WebhookSender, every_s: float) -> None:
    """Send every status change, looking every ``every_s`` seconds, until cancelled."""
    statuses = StatusWatch(sim)
    while True:
        try:
            sim.tick()
            for body in statuses.changes():
                sender.send(body)
        except Exception:  # a failed look must not end the webhooks for the process's life
            log.exception("looking for status changes failed; trying again")
        await asyncio.sleep(every_s)


class Webhooks:
    """The simulator's webhooks: started and stopped with its app (a no-op without a URL)."""

    def __init__(self, sim: SimState) -> None:
        self._sim = sim
        self.sender: WebhookSender | None = None
        self._client: httpx.AsyncClient | None = None
        self._watch: asyncio.Task[None] | None = None

    async def start(self) -> None:
        settings = self._sim.settings
        if not settings.uber_webhook_url:
            return
        client = self._client = httpx.AsyncClient(timeout=10)

        async def post(body: bytes, headers: dict[str, str]) -> int:
            answer = await client.post(settings.uber_webhook_url, content=body, headers=headers)
            return answer.status_code

        secret = settings.uber_client_secret  # Uber signs with the app's client secret
        self.sender = WebhookSender(secret, settings.uber_webhook_retry_s, post)
        self._watch = asyncio.create_task(
            watch(self._sim, self.sender, settings.uber_webhook_scan_s)
        )

    async def stop(self) -> None:
        if self._watch is not None:
            self._watch.cancel()
            await asyncio.gather(self._watch, return_exceptions=True)
        if self.sender is not None:
            await self.sender.close()
        if self._client is not None:
            await self._client.aclose()

    def push_now(self, body: dict[str, Any]) -> dict[str, Any]:
        """Send a status change of one driver now: ``{"driver_id", "status"}``."""
        if self.sender is None:
            raise ControlError("no webhook URL is configured (SIM_UBER_WEBHOOK_URL)")
        driver_id, status = body.get("driver_id"), body.get("status", "DRIVER_STATUS_ONLINE")
        found = [d for d in StatusWatch(self._sim).drivers() if d.driver_id == driver_id]
        if not found or not isinstance(status, str):
            raise ControlError("driver_id must be an Uber driver's, status a DRIVER_STATUS_*")
        payload = status_change(found[0], status, self._sim.now_s())
        self.sender.send(payload)
        return {"event_id": json.loads(payload)["event_id"]}

    def routes(self) -> list[Route]:
        """``POST /_sim/uber/webhooks/push`` and ``GET /_sim/uber/webhooks`` (the counts)."""
        counts = control(lambda b: dict(self.sender.counts) if self.sender else {})
        return [
            Route("/_sim/uber/webhooks/push", control(self.push_now), methods=["POST"]),
            Route("/_sim/uber/webhooks", counts, methods=["GET"]),
        ]
