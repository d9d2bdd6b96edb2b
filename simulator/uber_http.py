"""Uber request plumbing: error shape, bearer/scope checks, chaos, query parsing, cursors.

Every Uber API route is a plain async function ``(request) -> payload`` wrapped
by ``uber_api``, which applies, in this order: the configured delay, injected
failures (before auth, as a load balancer would), the bearer token, the per-client
rate limit of the endpoint (when ``rate_limits`` is on), the scope, then the
handler, then body-level chaos (unknown fields, truncation). Before the handler
the world catches up with the clock (``SimState.tick``).
Handlers signal client errors by raising ``UberError``.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from starlette.requests import Request
from starlette.responses import Response

from simulator.chaos import ProviderChaos
from simulator.ratelimit import retry_after_header
from simulator.render import json_response, success_response
from simulator.state import SimState
from simulator.world import UberOrg

T = TypeVar("T")
Handler = Callable[[Request], Awaitable[Any]]
Endpoint = Callable[[Request], Awaitable[Response]]

ERROR_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    429: "rate_limited",
    500: "internal_server_error",
    502: "bad_gateway",
    503: "service_unavailable",
    504: "gateway_timeout",
}
ERROR_MESSAGES = {
    401: "Invalid OAuth 2.0 credentials provided",
    429: "Number of requests exceeds allowed limit",
    500: "Internal server error",
    503: "Service unavailable",
}


class UberError(Exception):
    """A client-visible Uber error: ``{"code": ..., "message": ...}`` with an HTTP status."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}

    def response(self) -> Response:
        """Render the error in Uber's shape."""
        body = {"code": ERROR_CODES.get(self.status, "error"), "message": self.message}
        return json_response(body, self.status, self.headers)


def bad_request(message: str) -> UberError:
    """A 400 ``bad_request``."""
    return UberError(400, message)


def injected_failure(chaos: ProviderChaos) -> UberError:
    """The error an armed ``fail_next`` answers with."""
    message = ERROR_MESSAGES.get(chaos.status, "Simulated failure")
    headers = {} if chaos.retry_after is None else {"Retry-After": str(chaos.retry_after)}
    return UberError(chaos.status, message, headers)


def uber_api(sim: SimState, any_scope: Sequence[str], handler: Handler) -> Endpoint:
    """Wrap ``handler`` with chaos, auth (any one of ``any_scope``) and JSON rendering."""

    async def endpoint(request: Request) -> Response:
        chaos = sim.chaos.of("uber")
        try:
            await _apply_delay(chaos)
            if chaos.take_failure():
                raise injected_failure(chaos)
            _authorize(sim, request, any_scope)
            _pace(sim, request)
            sim.tick()
            payload = await handler(request)
        except UberError as error:
            return error.response()
        return success_response(payload, chaos)

    endpoint.__doc__ = handler.__doc__
    return endpoint


async def _apply_delay(chaos: ProviderChaos) -> None:
    if chaos.delay_ms > 0:
        await asyncio.sleep(chaos.delay_ms / 1000)


TRANSACTIONS_PATH = "/v1/vehicle-suppliers/transactions"


def route_path(request: Request) -> str:
    """The matched route's path template (``…/reports/{report_id}``), else the URL path."""
    route = request.scope.get("route")
    return str(getattr(route, "path", request.url.path))


def _pace(sim: SimState, request: Request) -> None:
    """429 ``rate_limited`` when the endpoint's bucket is empty (docs/PROVIDERS.md §4 #4, #5)."""
    settings = sim.settings
    if not settings.rate_limits:
        return
    path = route_path(request)
    rate = settings.uber_txn_rate_per_s if path == TRANSACTIONS_PATH else settings.uber_rate_per_s
    wait = sim.buckets.take(f"uber:{path}", rate, rate)
    if wait > 0:
        headers = retry_after_header(wait, settings.uber_emit_retry_after)
        raise UberError(429, ERROR_MESSAGES[429], headers)


def _authorize(sim: SimState, request: Request, any_scope: Sequence[str]) -> None:
    """Raise 401 for a missing/unknown/expired bearer, 403 for a missing scope."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    grant = sim.uber_tokens.grant(token.strip()) if scheme.lower() == "bearer" else None
    if grant is None:
        raise UberError(401, ERROR_MESSAGES[401])
    if not grant.scopes.intersection(any_scope):
        raise UberError(403, f"Access token lacks scope: {' or '.join(any_scope)}")


# -- query parsing ---------------------------------------------------------------


def require_org(sim: SimState, org_id: str | None) -> UberOrg:
    """The organisation named by an encrypted ``org_id``, or 400 ``Invalid Organization Id``."""
    if not org_id:
        raise bad_request("Invalid Organization Id")
    org = sim.uber_world.org(org_id)
    if org is None:
        raise bad_request("Invalid Organization Id")
    return org


def page_size(raw: str | None, *, default: int | None, maximum: int) -> int:
    """Parse ``page_size`` (0 < x <= maximum); ``default=None`` makes it required."""
    if raw is None or raw == "":
        if default is None:
            raise bad_request("page_size is required")
        return default
    try:
        size = int(raw)
    except ValueError:
        raise bad_request(f"Invalid page_size: {raw!r}") from None
    if not 0 < size <= maximum:
        raise bad_request(f"page_size must be greater than 0 and at most {maximum}")
    return size


def query_bool(raw: str | None) -> bool:
    """Uber-style boolean query parameter (``true``/``false``, case-insensitive)."""
    return (raw or "").strip().lower() == "true"


# -- cursor pagination -------------------------------------------------------------
# A page token names the sort key of the last item served ("keyset" pagination),
# not an offset: drivers added or removed between two pages then never make a
# client skip or repeat someone who was there all along.


def encode_page_token(last_key: str) -> str:
    """Opaque token for the page after the item whose sort key is ``last_key``."""
    return base64.urlsafe_b64encode(f"sim1:{last_key}".encode()).decode("ascii").rstrip("=")


def decode_page_token(token: str) -> str:
    """The sort key inside a page token, or 400 for a token we never issued."""
    try:
        padded = token + "=" * (-len(token) % 4)
        text = base64.urlsafe_b64decode(padded.encode("ascii")).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError):
        raise bad_request("Invalid page token") from None
    if not text.startswith("sim1:"):
        raise bad_request("Invalid page token")
    return text.removeprefix("sim1:")


def paginate(
    items: Sequence[T], key: Callable[[T], str], token: str | None, size: int
) -> tuple[list[T], str]:
    """One page of ``items`` (already sorted by ``key``) and the next page token (``""`` at end)."""
    start = 0
    if token:
        after = decode_page_token(token)
        start = next((i for i, item in enumerate(items) if key(item) > after), len(items))
    page = list(items[start : start + size])
    more = start + size < len(items)
    return page, encode_page_token(key(page[-1])) if more and page else ""


async def json_body(request: Request) -> dict[str, Any]:
    """The request body as a JSON object, or 400 ``bad_request``."""
    try:
        body = json.loads(await request.body() or b"null")
    except json.JSONDecodeError:
        raise bad_request("Request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise bad_request("Request body must be a JSON object")
    return body


def epoch_ms(value: Any, name: str) -> int:
    """An epoch-ms input sent as a number or a string of digits."""
    if isinstance(value, bool):
        raise bad_request(f"{name} must be epoch milliseconds")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    raise bad_request(f"{name} must be epoch milliseconds")


def money(cents: int, currency: str = "EUR") -> dict[str, Any]:
    """Uber money: ``amountE5`` is the amount times 100000 (so 1 cent is 1000)."""
    return {"amountE5": cents * 1000, "currencyCode": currency}


def pagination_options(body: dict[str, Any]) -> dict[str, Any]:
    """``pagination_options`` or ``paginationOptions`` of a JSON body, whichever is sent."""
    raw = body.get("pagination_options") or body.get("paginationOptions") or {}
    return raw if isinstance(raw, dict) else {}
