"""ProviderHttp's retry contract, against a scripted upstream (httpx.MockTransport).

Only the "unavailable" family is retried (5xx, 429, transport errors, unreadable bodies), a
bounded number of times, after the provider's Retry-After when it sent one; every attempt is
recorded; errors keep their cause. No test here sleeps: the sleep is injected.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import msgspec
import pytest

from eventlog.fetches import ProviderCall
from ingest.errors import (
    ProviderBadResponse,
    ProviderRateLimited,
    ProviderRejected,
    ProviderUnavailable,
)
from ingest.http import ProviderHttp, RetryPolicy

URL = "https://provider.test/v1/things"
Answer = Callable[[httpx.Request], httpx.Response]


class NoSleep:
    """Stands in for asyncio.sleep between retries: remembers each wait, waits for none."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


class Failures:
    """An ``on_failure`` sink keeping each failed attempt."""

    def __init__(self) -> None:
        self.calls: list[ProviderCall] = []

    async def __call__(self, call: ProviderCall) -> None:
        self.calls.append(call)


def scripted(*answers: Answer) -> httpx.AsyncClient:
    """A client whose n-th request gets the n-th answer."""
    script: Iterator[Answer] = iter(answers)
    return httpx.AsyncClient(transport=httpx.MockTransport(lambda request: next(script)(request)))


def status(code: int, **headers: str) -> Answer:
    return lambda request: httpx.Response(code, headers=headers, json={"code": "x"})


def ok(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"things": [1, 2]})


def refused(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("connection refused", request=request)


def things(body: bytes) -> list[int]:
    return list(msgspec.json.decode(body)["things"])


def provider(client: httpx.AsyncClient, sleep: NoSleep, attempts: int = 4) -> ProviderHttp:
    return ProviderHttp("uber", client, retry=RetryPolicy(attempts=attempts), sleep=sleep)


async def test_a_5xx_and_a_refused_connection_are_retried_and_every_attempt_is_recorded() -> None:
    sleep, failures = NoSleep(), Failures()
    http = provider(scripted(status(503), refused, ok), sleep)

    fetched = await http.request("GET", URL, things, on_failure=failures)

    assert fetched.body == [1, 2] and fetched.call.status == 200
    assert [c.status for c in failures.calls] == [503, None]
    assert "ConnectError" in (failures.calls[1].error or "")
    assert len(sleep.waits) == 2


async def test_the_backoff_is_jittered_and_grows_within_its_cap() -> None:
    sleep = NoSleep()
    policy = RetryPolicy(attempts=6, base_s=1.0, cap_s=4.0)
    http = ProviderHttp("uber", scripted(*[status(500)] * 6), retry=policy, sleep=sleep)

    with pytest.raises(ProviderUnavailable):
        await http.request("GET", URL, things)

    bounds = [1.0, 2.0, 4.0, 4.0, 4.0]
    assert all(0 <= wait <= bound for wait, bound in zip(sleep.waits, bounds, strict=True))


async def test_a_429_waits_what_retry_after_says_up_to_the_policy_maximum() -> None:
    sleep = NoSleep()
    policy = RetryPolicy(attempts=3, max_wait_s=60.0)
    http = ProviderHttp(
        "bolt",
        scripted(status(429, **{"Retry-After": "7"}), status(429, **{"Retry-After": "900"}), ok),
        retry=policy,
        sleep=sleep,
    )

    await http.request("POST", URL, things)

    assert sleep.waits == [7.0, 60.0]


async def test_retries_are_bounded_and_the_last_error_comes_out_as_ours() -> None:
    sleep, failures = NoSleep(), Failures()
    http = provider(scripted(*[status(429)] * 3), sleep, attempts=3)

    with pytest.raises(ProviderRateLimited) as raised:
        await http.request("GET", URL, things, on_failure=failures)

    assert raised.value.status == 429 and len(failures.calls) == 3 and len(sleep.waits) == 2


async def test_a_4xx_is_not_retried() -> None:
    sleep, failures = NoSleep(), Failures()
    http = provider(scripted(status(400), ok), sleep)

    with pytest.raises(ProviderRejected):
        await http.request("GET", URL, things, on_failure=failures)

    assert sleep.waits == [] and [c.status for c in failures.calls] == [400]


async def test_a_mapped_error_keeps_its_cause() -> None:
    refused_twice = provider(scripted(refused, refused), NoSleep(), attempts=2)
    garbled = provider(scripted(lambda r: httpx.Response(200, content=b"{")), NoSleep(), 1)

    with pytest.raises(ProviderUnavailable) as down:
        await refused_twice.request("GET", URL, things)
    with pytest.raises(ProviderBadResponse) as unreadable:
        await garbled.request("GET", URL, things)

    assert isinstance(down.value.__cause__, httpx.ConnectError)
    assert isinstance(unreadable.value.__cause__, msgspec.DecodeError)
