"""Calling a provider: rate limit, retries with backoff and jitter, and a record of each call.

Every attempt becomes a :class:`~eventlog.fetches.ProviderCall` (what was asked, what came
back, how long it took). The successful one is returned with the parsed body, so the poller
stores it in the same transaction as the events it produced; failed attempts go to
``on_failure`` as they happen, so the history shows the 503s and 429s too.

Retries are tenacity's (``AsyncRetrying``), driven by :class:`RetryPolicy`: only the
"unavailable" family (:class:`~ingest.errors.ProviderUnavailable`: 5xx, 429, timeouts,
connection errors, unreadable bodies) is tried again, a bounded number of times, after a
jittered exponential wait or the provider's ``Retry-After``. The sleep between attempts is
injected, so tests retry without waiting. docs/DEPENDENCIES.md says why tenacity.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

import httpx
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    stop_after_attempt,
    wait_random_exponential,
)

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
    _backoff: wait_random_exponential = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Full jitter: uniform in [0, min(cap, base * 2**retry)], so that many pollers failing
        # together do not come back together.
        backoff = wait_random_exponential(multiplier=self.base_s, max=self.cap_s)
        object.__setattr__(self, "_backoff", backoff)

    def wait(self, state: RetryCallState) -> float:
        """Seconds before the next attempt: the provider's Retry-After, else the backoff."""
        failure = state.outcome.exception() if state.outcome else None
        retry_after = getattr(failure, "retry_after", None)
        if retry_after is not None:
            return float(min(retry_after, self.max_wait_s))
        return float(self._backoff(state))

    def retrying(
        self, sleep: Sleep, before_sleep: Callable[[RetryCallState], None]
    ) -> AsyncRetrying:
        """A tenacity controller for one request: our own exception comes out, never RetryError."""
        return AsyncRetrying(
            stop=stop_after_attempt(self.attempts),
            wait=self.wait,
            retry=retry_if_exception_type(ProviderUnavailable),
            sleep=sleep,
            before_sleep=before_sleep,
            reraise=True,
        )


class RateLimiter:
    """A token bucket: ``rate`` requests per second on average, bursts up to ``burst``.

    Kept rather than aiolimiter's ``AsyncLimiter`` (docs/DEPENDENCIES.md): once the bucket is
    dry, a waiter takes its token at the moment it wakes, so the time it overslept is never
    credited back and two calls are never granted closer than ``1 / rate``. aiolimiter credits
    it, which keeps its average exactly on the rate but lets the next call follow sooner;
    against a provider enforcing the same bucket, what network jitter adds to that spacing on
    one call and removes on the next comes back as a 429. The slack ours leaves is that margin.
    """

    def __init__(self, rate: float, burst: int = 1, provider: str = "") -> None:
        self._rate = rate
        self._burst = float(burst)
        self._tokens = float(burst)
        self._last = time.monotonic()
        self._lock = asyncio.Lock()
        self.waits = 0
        self._provider = provider

    async def acquire(self) -> None:
        async with self._lock:  # FIFO: waiters are served in the order they came
            now = time.monotonic()
            self._tokens = min(self._burst, self._tokens + (now - self._last) * self._rate)
            self._last = now
            if self._tokens < 1:
                self.waits += 1
                RATE_LIMITED.labels(self._provider, "limiter").inc()
                await asyncio.sleep((1 - self._tokens) / self._rate)
                self._tokens = 1.0  # from the wake-up, not the planned time (see above)
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
        retrying = self._retry.retrying(self._sleep, self._log_retry(method, url))
        return await retrying(self._attempt, method, url, parse, params, json, on_failure)

    def _log_retry(self, method: str, url: str) -> Callable[[RetryCallState], None]:
        def log_retry(state: RetryCallState) -> None:
            failure = state.outcome.exception() if state.outcome else None
            wait = state.upcoming_sleep
            what = f"{self.provider} {method} {httpx.URL(url).path}"
            log.warning("%s: %s; retry %d in %.2fs", what, failure, state.attempt_number, wait)

        return log_retry

    async def _attempt(
        self,
        method: str,
        url: str,
        parse: Parse[T],
        params: Mapping[str, Any] | None,
        json: Any,
        on_failure: FailureSink | None,
    ) -> Fetched[T]:
        """One call: paced, timed and recorded; its body parsed, or its failure raised as ours."""
        if self._limiter:
            await self._limiter.acquire()
        started, t0 = datetime.now(UTC), time.perf_counter()
        response: httpx.Response | None = None
        try:
            response = await self._send(method, url, params, json)
            body = self._parse(response, parse)
        except ProviderError as exc:
            call = self._call(method, url, params, started, t0, response, str(exc))
            self._observe(call, exc)
            if on_failure:
                await on_failure(call)
            raise
        call = self._call(method, url, params, started, t0, response, None)
        self._observe(call, body)
        return Fetched(call, body)

    async def _send(
        self, method: str, url: str, params: Mapping[str, Any] | None, json: Any
    ) -> httpx.Response:
        """The HTTP exchange; httpx's transport errors become ours (the auth flow's already are)."""
        try:
            return await self._client.request(method, url, params=params, json=json)
        except httpx.TransportError as exc:
            path = httpx.URL(url).path
            raise ProviderUnavailable(self.provider, f"{type(exc).__name__} on {path}") from exc

    def _parse(self, response: httpx.Response, parse: Parse[T]) -> T:
        if response.status_code != 200:
            raise self._error(response)
        try:
            return parse(response.content)
        except ProviderError:
            raise
        except Exception as exc:  # any parse failure of a 2xx body is retried
            what = f"unreadable body: {exc}"
            raise ProviderBadResponse(self.provider, what, response.status_code) from exc

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
        response: httpx.Response | None,
        error: str | None,
    ) -> ProviderCall:
        return ProviderCall(
            provider=self.provider,
            method=method,
            endpoint=httpx.URL(url).path,
            started_at=started,
            duration_ms=round((time.perf_counter() - t0) * 1000),
            status=response.status_code if response is not None else None,
            body=response.content if response is not None else None,
            content_type=response.headers.get("content-type") if response is not None else None,
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
