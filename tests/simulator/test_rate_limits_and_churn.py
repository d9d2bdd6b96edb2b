"""Provider rate limits (token buckets, the mint cap) and drivers joining and leaving."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from simulator import FixedClock, SimulatorSettings
from simulator.ratelimit import Buckets
from tests.simulator.conftest import NOW, BoltCalls, UberCalls

DRIVERS = "/v1/vehicle-suppliers/drivers"
TXNS = "/v1/vehicle-suppliers/transactions"


class Ticker:
    """A hand-moved monotonic clock for the token buckets."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_bucket_grants_its_burst_then_one_request_per_interval() -> None:
    ticker = Ticker()
    buckets = Buckets(ticker)
    granted = [buckets.take("k", rate=1.0, burst=5) for _ in range(6)]
    ticker.now += 0.5
    half = buckets.take("k", rate=1.0, burst=5)
    ticker.now += 0.5
    full = buckets.take("k", rate=1.0, burst=5)

    assert granted[:5] == [0.0] * 5 and granted[5] == 1.0
    assert half == 0.5 and full == 0.0


async def test_uber_endpoints_answer_429_past_their_rate_without_retry_after(
    open_uber: Any,
) -> None:
    uber: UberCalls = await open_uber(SimulatorSettings(rate_limits=True, uber_rate_per_s=3))
    org = await uber.org_id()
    answers = [await uber.get(DRIVERS, org_id=org) for _ in range(4)]

    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[-1].json()["code"] == "rate_limited"
    assert "retry-after" not in answers[-1].headers


async def test_retry_after_is_sent_when_the_toggle_is_on(open_uber: Any) -> None:
    settings = SimulatorSettings(rate_limits=True, uber_rate_per_s=1, uber_emit_retry_after=True)
    uber: UberCalls = await open_uber(settings)
    org = await uber.org_id()
    await uber.get(DRIVERS, org_id=org)
    limited = await uber.get(DRIVERS, org_id=org)
    assert limited.status_code == 429 and limited.headers["retry-after"] == "1"


async def test_transactions_allow_one_request_per_second(open_uber: Any) -> None:
    uber: UberCalls = await open_uber(SimulatorSettings(rate_limits=True))
    org = await uber.org_id()
    end = int(NOW.timestamp()) * 1000
    body = {"filters": [{"field": "timeRange", "value": [str(end - 900_000), str(end)]}]}
    statuses = [(await uber.post(TXNS, body, org_id=org)).status_code for _ in range(2)]
    assert statuses == [200, 429]


async def test_bolt_allows_bursts_of_five(open_bolt: Any) -> None:
    bolt: BoltCalls = await open_bolt(SimulatorSettings(rate_limits=True))
    statuses = [(await bolt.call("getCompanies")).status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]


async def test_the_101st_uber_token_within_an_hour_is_refused(
    open_uber: Any, clock: FixedClock
) -> None:
    uber: UberCalls = await open_uber(SimulatorSettings(uber_token_mint_per_hour=3))
    # open_uber minted one already
    form = {
        "client_id": "sim-uber-client", "client_secret": "sim-uber-secret",
        "grant_type": "client_credentials",
    }  # fmt: skip
    statuses = [
        (await uber.client.post("/oauth/v2/token", data=form)).status_code for _ in range(3)
    ]
    clock.advance(timedelta(hours=1))
    later = await uber.client.post("/oauth/v2/token", data=form)

    assert statuses == [200, 200, 429] and later.status_code == 200


async def roster_after(open_uber: Any, clock: FixedClock, hours: int) -> list[str]:
    uber: UberCalls = await open_uber(SimulatorSettings(churn_per_hour=4, seed=3))
    clock.advance(timedelta(hours=hours))
    org = await uber.org_id()
    page = await uber.get(DRIVERS, org_id=org, page_size=100)
    clock.set(NOW)
    return [d["driverId"] for d in page.json()["driverInformation"]]


async def test_drivers_join_and_leave_as_the_clock_moves_deterministically(
    open_uber: Any, clock: FixedClock
) -> None:
    before = await roster_after(open_uber, clock, 0)
    after = await roster_after(open_uber, clock, 5)
    again = await roster_after(open_uber, clock, 5)

    assert len(before) == 25 and after == again
    assert set(after) != set(before)
    joined, left = set(after) - set(before), set(before) - set(after)
    assert len(joined) + len(left) > 0 and len(after) == 25 + len(joined) - len(left)


async def test_no_churn_by_default(uber: UberCalls, clock: FixedClock) -> None:
    org = await uber.org_id()
    clock.advance(timedelta(hours=48))
    page = await uber.get(DRIVERS, org_id=org, page_size=100)
    assert len(page.json()["driverInformation"]) == 25
