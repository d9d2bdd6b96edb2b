"""Bolt request plumbing: the ``{code, message, data}`` envelope, errors, auth and validation.

Two kinds of failure, as on the real gateway::

    HTTP-level (``BoltHttpError``)      401 bad token, 404 unknown route, injected 429/5xx;
                                        NestJS-style ``{"message", "error", "statusCode"}``
    business (``BoltBusinessError``)    HTTP 200 with ``code != 0`` and ``data: null``:
                                        702 INVALID_REQUEST, 498806 INVALID_DATE_RANGE,
                                        498810 COMPANY_NOT_ALLOWED, 999 CLIENT_TIMEOUT

``bolt_api`` applies, in order: delay, injected HTTP failure, bearer check, the
per-client rate limit of the operation (1 req/s, bursts of 5, when ``rate_limits`` is
on), injected transient code 999, the handler, then body-level chaos.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from simulator.ratelimit import retry_after_header
from simulator.render import json_response, success_response
from simulator.state import SimState

Handler = Callable[[dict[str, Any]], Any]
Endpoint = Callable[[Request], Awaitable[Response]]
DAY_S = 86400


class BoltHttpError(Exception):
    """An HTTP error answered by the gateway itself."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers or {}

    def response(self) -> Response:
        """Render in the gateway's NestJS shape."""
        body = {
            "message": self.message,
            "error": HTTPStatus(self.status).phrase,
            "statusCode": self.status,
        }
        return json_response(body, self.status, self.headers)


class BoltBusinessError(Exception):
    """A business error: HTTP 200, ``code != 0``, ``data: null``."""

    def __init__(
        self, code: int, message: str, validation_errors: list[dict[str, str]] | None = None
    ) -> None:
        super().__init__(message)
        self.code, self.message, self.validation_errors = code, message, validation_errors

    def body(self) -> dict[str, Any]:
        """The envelope carrying this error."""
        body: dict[str, Any] = {"code": self.code, "message": self.message, "data": None}
        if self.validation_errors:
            body["validation_errors"] = self.validation_errors
        return body


def invalid(prop: str, error: str) -> BoltBusinessError:
    """A 702 ``INVALID_REQUEST`` naming the offending property."""
    return BoltBusinessError(702, "INVALID_REQUEST", [{"property": prop, "error": error}])


def envelope(data: Any) -> dict[str, Any]:
    """A successful answer."""
    return {"code": 0, "message": "OK", "data": data}


def bolt_api(sim: SimState, handler: Handler, empty_data: Any) -> Endpoint:
    """Wrap ``handler(body) -> data`` with chaos, auth and the envelope.

    ``empty_data`` is what a transient 999 answer carries (zero records).
    """

    async def endpoint(request: Request) -> Response:
        chaos = sim.chaos.of("bolt")
        try:
            if chaos.delay_ms > 0:
                await asyncio.sleep(chaos.delay_ms / 1000)
            if chaos.take_failure():
                raise injected_failure(chaos.status, chaos.retry_after)
            _authorize(sim, request)
            _pace(sim, request)
            sim.tick()
            if chaos.take_transient():
                return json_response({"code": 999, "message": "CLIENT_TIMEOUT", "data": empty_data})
            data = handler(await _json_object(request))
        except BoltHttpError as error:
            return error.response()
        except BoltBusinessError as error:
            return json_response(error.body())
        return success_response(envelope(data), chaos)

    endpoint.__doc__ = handler.__doc__
    return endpoint


def injected_failure(status: int, retry_after: int | None) -> BoltHttpError:
    """The error an armed ``fail_next`` answers with."""
    message = "Too Many Requests" if status == 429 else "Simulated failure"
    headers = {} if retry_after is None else {"Retry-After": str(retry_after)}
    return BoltHttpError(status, message, headers)


def _pace(sim: SimState, request: Request) -> None:
    """429 when the operation's token bucket is empty (docs/PROVIDERS.md §4 #14)."""
    settings = sim.settings
    if not settings.rate_limits:
        return
    wait = sim.buckets.take(
        f"bolt:{request.url.path}", settings.bolt_rate_per_s, settings.bolt_rate_burst
    )
    if wait > 0:
        headers = retry_after_header(wait, settings.bolt_emit_retry_after)
        raise BoltHttpError(429, "Too Many Requests", headers)


def _authorize(sim: SimState, request: Request) -> None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    grant = sim.bolt_tokens.grant(token.strip()) if scheme.lower() == "bearer" else None
    if grant is None:
        raise BoltHttpError(401, "Unauthorized")


async def _json_object(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if request.method == "GET" or not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except json.JSONDecodeError:
        raise invalid("body", "must be valid JSON") from None
    if not isinstance(body, dict):
        raise invalid("body", "must be a JSON object")
    return body


# -- field validation ------------------------------------------------------------------


def int_field(body: dict[str, Any], name: str, minimum: int | None = None) -> int:
    """A required integer field (booleans refused)."""
    value = body.get(name)
    if isinstance(value, bool) or not isinstance(value, int):
        raise invalid(name, "must be an integer")
    if minimum is not None and value < minimum:
        raise invalid(name, f"must be >= {minimum}")
    return value


def single_company(sim: SimState, body: dict[str, Any]) -> int:
    """``company_id`` of a singular endpoint; ``company_ids`` here is the wrong shape (702)."""
    if "company_id" not in body and "company_ids" in body:
        raise invalid("company_id", "is required; company_ids is not accepted here")
    company_id = int_field(body, "company_id")
    if sim.bolt_world.company(company_id) is None:
        raise BoltBusinessError(498810, "COMPANY_NOT_ALLOWED")
    return company_id


def company_list(sim: SimState, body: dict[str, Any]) -> list[int]:
    """``company_ids`` of getFleetOrders (required; ``company_id`` alone is 702)."""
    ids = body.get("company_ids")
    if not isinstance(ids, list) or not ids:
        raise invalid("company_ids", "must be a non-empty array of integers")
    if any(isinstance(i, bool) or not isinstance(i, int) for i in ids):
        raise invalid("company_ids", "must be a non-empty array of integers")
    if any(sim.bolt_world.company(i) is None for i in ids):
        raise BoltBusinessError(498810, "COMPANIES_NOT_ALLOWED")
    return list(dict.fromkeys(ids))


def time_window(body: dict[str, Any], max_days: int) -> tuple[int, int]:
    """``(start_ts, end_ts)`` unix seconds: start before end, at most ``max_days`` apart."""
    start, end = int_field(body, "start_ts", 0), int_field(body, "end_ts", 0)
    if start >= end:
        raise invalid("end_ts", "must be greater than start_ts")
    if end - start > max_days * DAY_S:
        raise BoltBusinessError(
            498806,
            "INVALID_DATE_RANGE",
            [{"property": "end_ts", "error": f"range exceeds {max_days} days"}],
        )
    return start, end


def pager(body: dict[str, Any], max_limit: int) -> tuple[int, int]:
    """``(offset, limit)``; both required (the "Pager" schema), limit in 1..max_limit."""
    offset, limit = int_field(body, "offset", 0), int_field(body, "limit", 1)
    if limit > max_limit:
        raise invalid("limit", f"must be <= {max_limit}")
    return offset, limit
