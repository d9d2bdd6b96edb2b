"""Calling a provider: rate limit, retries with backoff and jitter, and a record of each call.

Every attempt becomes a :class:`~eventlog.fetches.ProviderCall` (what was asked, what came
back, how long it took). The successful one is returned with the parsed body, so the poller
stores it in the same transaction as the events it produced; failed attempts go to
``on_failure`` as they happen, so the history shows the 503s and 429s too.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

import httpx

from eventlog.fetches import ProviderCall
from ingest.errors import (
    ProviderAuthError,
    ProviderBadResponse,
    ProviderError,
    ProviderRateLimited,
    ProviderRejected,
    ProviderUnavailable,
)
from ingest.metrics import PROVIDER_CALL_SECONDS, PROVIDER_CALLS, RATE_LIMITED

log = logging.getLogger(__name__)

T = TypeVar("T")
Parse = Callable[[bytes], T]
FailureSink = Callable[[ProviderCall], Awaitable[None]]
Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with full jitter, honouring Retry-After up to ``max_wait_s``."""

    attempts: int = 5
    base_s: float = 0.5
    cap_s: float = 30.0
    max_wait_s: float = 300.0

    def delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(retry_after, self.max_wait_s)
        return random.uniform(0, min(self.cap_s, self.base_s * 2**attempt))


class RateLimiter:
    """A token bucket: ``rate`` requests per second on average, bursts up to ``burst``."""

    def __init__(self, rate: float, burst: int = 1, provider: str = "") -> None:
        self._rate = rate
        self._burst = float(burst)
        self._tokens = float(burst)
        self._last = time.monotonic()
        self._lock = asyncio.Lock()
        self.waits = 0
        self._provider = provider

    async def acquire(self) -> None:
        async with self._lock:
            now = time.monotonic()
            self._tokens = min(self._burst, self._tokens + (now - self._last) * self._rate)
            self._last = now
            if self._tokens < 1:
                self.waits += 1
                RATE_LIMITED.labels(self._provider, "limiter").inc()
                await asyncio.sleep((1 - self._tokens) / self._rate)
                self._tokens = 1.0
                self._last = time.monotonic()
            self._tokens -= 1


@dataclass(frozen=True)
class Fetched(Generic[T]):
    """A successful call and its parsed body."""

    call: ProviderCall
    body: T


class ProviderHttp:
    """One provider's HTTP client: everything that is the same for Uber and Bolt."""

    def __init__(
        self,
        provider: str,
        client: httpx.AsyncClient,
        *,
        retry: RetryPolicy | None = None,
        limiter: RateLimiter | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.provider = provider
        self._client = client
        self._retry = retry or RetryPolicy()
        self._limiter = limiter
        self._sleep = sleep

    def _observe(self, call: ProviderCall, outcome: object) -> ProviderCall:
        """Count and time the call for /metrics.

        A call the auth flow ended (the token endpoint refused us) has no answer of its own
        in the provider history; it is counted under the token endpoint's status, so that
        the credentials panel and alert see a 401/403 wherever it came from.
        """
        status_code = call.status
        if status_code is None and isinstance(outcome, ProviderError):
            status_code = outcome.status
        status = str(status_code) if status_code is not None else "error"
        PROVIDER_CALLS.labels(self.provider, call.endpoint, status).inc()
        PROVIDER_CALL_SECONDS.labels(self.provider, call.endpoint).observe(call.duration_ms / 1000)
        if call.status == 429:
            RATE_LIMITED.labels(self.provider, "provider").inc()
        return call

    async def request(
        self,
        method: str,
        url: str,
        parse: Parse[T],
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        on_failure: FailureSink | None = None,
    ) -> Fetched[T]:
        """Call, retrying the "unavailable" family; raise the last error when out of tries."""
        for attempt in range(self._retry.attempts):
            call, outcome = await self._attempt(method, url, parse, params, json)
            self._observe(call, outcome)
            if not isinstance(outcome, ProviderError):
                return Fetched(call, outcome)
            if on_failure:
                await on_failure(call)
            if not isinstance(outcome, ProviderUnavailable) or attempt + 1 == self._retry.attempts:
                raise outcome
            wait = self._retry.delay(attempt, getattr(outcome, "retry_after", None))
            log.warning(
                "%s %s %s: %s; retry %d in %.2fs",
                self.provider,
                method,
                url,
                outcome,
                attempt + 1,
                wait,
            )
            await self._sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _attempt(
        self,
        method: str,
        url: str,
        parse: Parse[T],
        params: Mapping[str, Any] | None,
        json: Any,
    ) -> tuple[ProviderCall, T | ProviderError]:
        if self._limiter:
            await self._limiter.acquire()
        started, t0 = datetime.now(UTC), time.perf_counter()
        try:
            response = await self._client.request(method, url, params=params, json=json)
        except ProviderError as exc:  # raised by the auth flow (token endpoint)
            return self._call(method, url, params, started, t0, None, None, str(exc)), exc
        except httpx.TransportError as exc:
            down = ProviderUnavailable(self.provider, f"{type(exc).__name__} on {url}")
            return self._call(method, url, params, started, t0, None, None, str(down)), down
        outcome = self._outcome(response, parse)
        error = str(outcome) if isinstance(outcome, ProviderError) else None
        call = self._call(
            method,
            url,
            params,
            started,
            t0,
            response.status_code,
            response.content,
            error,
            response.headers.get("content-type"),
        )
        return call, outcome

    def _outcome(self, response: httpx.Response, parse: Parse[T]) -> T | ProviderError:
        status = response.status_code
        if status == 200:
            try:
                return parse(response.content)
            except ProviderError as exc:
                return exc
            except Exception as exc:  # any parse failure of a 2xx body is retried
                return ProviderBadResponse(self.provider, f"unreadable body: {exc}", status)
        return self._error(response)

    def _error(self, response: httpx.Response) -> ProviderError:
        status = response.status_code
        what = f"{response.request.method} {response.request.url.path} answered {status}"
        if status == 429:
            return ProviderRateLimited(self.provider, what, retry_after(response.headers))
        if status >= 500:
            return ProviderUnavailable(self.provider, what, status)
        if status in (401, 403):
            return ProviderAuthError(self.provider, what, status)
        return ProviderRejected(self.provider, what, status)

    def _call(
        self,
        method: str,
        url: str,
        params: Mapping[str, Any] | None,
        started: datetime,
        t0: float,
        status: int | None,
        body: bytes | None,
        error: str | None,
        content_type: str | None = None,
    ) -> ProviderCall:
        return ProviderCall(
            provider=self.provider,
            method=method,
            endpoint=httpx.URL(url).path,
            started_at=started,
            duration_ms=round((time.perf_counter() - t0) * 1000),
            status=status,
            body=body,
            content_type=content_type,
            params=dict(params or {}),
            error=error,
        )


def retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date), if any."""
    raw = headers.get("retry-after")
    if not raw:
        return None
    try:
        return max(float(raw), 0.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    return max((when - datetime.now(UTC)).total_seconds(), 0.0)
