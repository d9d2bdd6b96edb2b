"""The simulator sends Uber's driver-status webhooks: signed, retried, for every change."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from datetime import timedelta

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from simulator import FixedClock, SimulatorSettings, create_app
from simulator.state import build_state
from simulator.uber_status import status_entries
from simulator.webhooks import RETRIES, StatusWatch, WebhookSender
from tests.simserver import serve_app
from tests.simulator.conftest import NOW

SECRET = "sim-webhook-test-secret"


class Receiver:
    """An endpoint answering the given statuses in turn (then 200), keeping what it got."""

    def __init__(self, *answers: int) -> None:
        self.answers = list(answers)
        self.got: list[tuple[bytes, str, int]] = []

    async def endpoint(self, request: Request) -> Response:
        status = self.answers.pop(0) if self.answers else 200
        self.got.append((await request.body(), request.headers["x-uber-signature"], status))
        return Response(status_code=status)

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/hooks", self.endpoint, methods=["POST"])])


async def test_a_status_change_is_posted_signed_and_sent_again_after_a_503() -> None:
    receiver = Receiver(503)
    with serve_app(receiver.app(), SimulatorSettings()) as server:
        settings = SimulatorSettings(
            uber_client_secret=SECRET,
            uber_webhook_url=f"{server.url}/hooks",
            uber_webhook_retry_s=0.05,
            uber_webhook_scan_s=3600,
        )
        app = create_app(settings, FixedClock(NOW))
        driver = app.state.sim.uber_world.all_drivers()[0]
        transport = httpx.ASGITransport(app=app)
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=transport, base_url="http://sim") as sim,
        ):
            pushed = await sim.post(
                "/_sim/uber/webhooks/push",
                json={"driver_id": driver.driver_id, "status": "DRIVER_STATUS_ONTRIP"},
            )
            # Until the sender has counted the delivery: the receiver holds the second post a
            # moment before the sender reads its 200.
            for _ in range(200):
                counts = (await sim.get("/_sim/uber/webhooks")).json()
                if counts["delivered"] == 1:
                    break
                await asyncio.sleep(0.02)

    assert pushed.status_code == 200
    [(first, signature, answered), (again, signature_again, _)] = receiver.got
    assert answered == 503 and first == again and signature == signature_again
    assert signature == hmac.new(SECRET.encode(), first, hashlib.sha256).hexdigest()
    body = json.loads(first)
    assert body["event_id"] == pushed.json()["event_id"]
    assert body["event_type"] == "REALTIME_STATUS_CHANGE"
    assert body["meta"]["driver_id"] == driver.driver_id
    assert body["meta"]["org_id"] == driver.org_id
    assert body["meta"]["status"] == "DRIVER_STATUS_ONTRIP"
    assert counts == {"sent": 1, "delivered": 1, "attempts": 2, "abandoned": 0}


async def test_a_delivery_never_answered_2xx_is_abandoned_after_seven_retries() -> None:
    posts: list[bytes] = []

    async def failing(body: bytes, headers: dict[str, str]) -> int:
        posts.append(body)
        return 500

    sender = WebhookSender(SECRET, retry_s=0.001, post=failing)

    delivered = await sender.deliver(b"{}")

    assert delivered is False
    assert len(posts) == 1 + RETRIES == 8
    assert sender.counts["abandoned"] == 1


def test_each_status_change_of_a_simulated_driver_becomes_one_body() -> None:
    clock = FixedClock(NOW)
    sim = build_state(SimulatorSettings(seed=7, uber_drivers=25), clock)
    watch = StatusWatch(sim)
    first = watch.changes()
    bodies: list[bytes] = []
    for _ in range(24 * 12):  # a day, every 5 minutes
        clock.advance(timedelta(minutes=5))
        bodies = watch.changes()
        if bodies:
            break

    assert first == []
    assert bodies, "no driver changed status in a day"
    now = sim.now_s()
    drivers = {d.driver_id: d for d in sim.uber_world.all_drivers()}
    for raw in bodies:
        body = json.loads(raw)
        driver = drivers[body["meta"]["driver_id"]]
        [entry] = status_entries(sim.plans, driver.person_index, now) or []
        assert body["meta"]["status"] == entry["status"]
        assert body["event_time"] <= now
