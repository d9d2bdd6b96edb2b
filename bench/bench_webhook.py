"""Uber's webhook to the served status: how long a signed push takes to reach the read model.

The API (in this process, Uber's signing key configured) receives ``REALTIME_STATUS_CHANGE``
deliveries one after another, ``RATE`` a second; the relay (``fleet relay``) and the
projector (``fleet projector``) run as their own processes on the bench's embedded
PostgreSQL and NATS, as in production. Latency of a push = the moment the driver's row of
``uber_driver_status`` shows its status − the moment the delivery was sent (the API's answer
included). Goal (issue 18): within a second.

Baseline, in the same run: the same deliveries' API answers alone (verify the signature,
append the bytes, answer 200), the part of the path a faster relay or projector cannot take
away.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
import uuid
from pathlib import Path

import asyncpg
import httpx
from _harness import embedded, fleet_processes, new_org, percentile, report, scaled

from core.config import DatabaseSettings, JwtSettings
from core.state import read_nats_url
from query_api.app import ApiSettings, create_app

RATE = 20  # deliveries a second: a busy fleet's status changes
PUSHES = scaled(200)
SECRET = "bench-webhook-key-" + "k" * 24
STATUSES = ("DRIVER_STATUS_ONLINE", "DRIVER_STATUS_ONTRIP")


def _delivery(account: str, driver: str, status: str, at: int) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(
        {
            "event_id": str(uuid.uuid4()),
            "event_type": "REALTIME_STATUS_CHANGE",
            "event_time": at,
            "meta": {"org_id": account, "driver_id": driver, "status": status},
        }
    ).encode()
    signature = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    return body, {"X-Uber-Signature": signature, "Content-Type": "application/json"}


async def _served(conn: asyncpg.Connection, driver: str, status: str, timeout_s: float) -> float:
    """Poll the read table every 2 ms until the driver shows ``status``; when it did."""
    deadline = time.perf_counter() + timeout_s
    query = "SELECT status FROM uber_driver_status WHERE driver_id = $1"
    while time.perf_counter() < deadline:
        if await conn.fetchval(query, driver) == status:
            return time.perf_counter()
        await asyncio.sleep(0.002)
    raise RuntimeError(f"the pushed status of {driver} was not served in {timeout_s} s")


async def _run(state: Path, db: DatabaseSettings) -> tuple[list[float], list[float]]:
    owner = await asyncpg.connect(db.owner_url)
    org = await new_org(owner)
    account = f"uber-org-{uuid.uuid4().hex}=="
    await owner.execute(
        "INSERT INTO provider_accounts (org_id, provider, account_id) VALUES ($1, 'uber', $2)",
        org,
        account,
    )
    settings = ApiSettings(
        database=db,
        jwt=JwtSettings(secret="bench-" + "x" * 40),
        nats_url=read_nats_url(state),
        uber_webhook_secret=SECRET,
    )
    app = create_app(settings)
    served: list[float] = []
    answered: list[float] = []
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://bench") as client,
    ):
        start = time.perf_counter()
        for n in range(PUSHES + 1):  # the first one warms the path up and is not counted
            await asyncio.sleep(max(start + n / RATE - time.perf_counter(), 0))
            driver, status = f"d-{n}", STATUSES[n % 2]
            body, headers = _delivery(account, driver, status, int(time.time()))
            sent = time.perf_counter()
            answer = await client.post("/webhooks/uber", content=body, headers=headers)
            if answer.status_code != 200:
                raise RuntimeError(f"the webhook answered {answer.status_code}: {answer.text}")
            done = time.perf_counter()
            seen = await _served(owner, driver, status, 60 if n == 0 else 30)
            if n:
                answered.append((done - sent) * 1000)
                served.append((seen - sent) * 1000)
    await owner.close()
    return served, answered


async def main() -> None:
    async with embedded(nats=True) as (state, db):
        with fleet_processes(state, "relay", "projector"):
            served, answered = await _run(state, db)
    figures = {
        "pushes": len(served),
        "rate_per_s": RATE,
        "served_p50_ms": percentile(served, 0.5),
        "served_p99_ms": percentile(served, 0.99),
        "served_max_ms": max(served),
        "answer_p50_ms": percentile(answered, 0.5),
        "answer_p99_ms": percentile(answered, 0.99),
    }
    report(
        "webhook",
        [
            f"signed push → status served, {len(served)} pushes at {RATE}/s: "
            f"p50 {figures['served_p50_ms']:.1f} ms, p99 {figures['served_p99_ms']:.1f} ms, "
            f"max {figures['served_max_ms']:.1f} ms (goal: within 1,000 ms)",
            f"  baseline, the API's answer alone: p50 {figures['answer_p50_ms']:.1f} ms, "
            f"p99 {figures['answer_p99_ms']:.1f} ms",
        ],
        figures,
    )


if __name__ == "__main__":
    asyncio.run(main())
