"""Control and chaos endpoints under ``/_sim/`` (JSON, no auth; for tests and demos).

Bodies and answers::

    POST /_sim/chaos                {"provider": "uber"|"bolt", "fail_next": N, "status": 503,
                                     "retry_after": null|S, "malformed_next": N,
                                     "truncated_next": N, "transient_next": N,
                                     "token_fail_next": N,
                                     "delay_ms": MS, "extra_fields": bool}
                                     -> {"provider": ..., "chaos": {...}}  (replaces that
                                        provider's faults; omitted fields mean "no fault")
    GET  /_sim/chaos                -> {"uber": {...}, "bolt": {...}}
    POST /_sim/chaos/reset          -> disarm everything
    POST /_sim/{p}/tokens/expire    -> {"expired": N}                 (p = uber | bolt)
    POST /_sim/{p}/drivers/mutate   {"count": N} -> {"changed": [id, ...]}  (new phone, e-mail)
    POST /_sim/{p}/drivers/add      {"count": N} -> {"added": [id, ...]}
    POST /_sim/{p}/drivers/remove   {"count": N} -> {"removed": [id, ...]}
    GET  /_sim/stats                -> {"calls": {"GET /path": {"200": n}}, "total_calls": n,
                                        "uber": {"drivers": n, "live_tokens": n}, "bolt": {...},
                                        "churn": {"joined": n, "left": n}}
    POST /_sim/stats/reset          -> forget call counts
    GET  /_sim/clock                -> {"now": iso, "fixed": bool}
    POST /_sim/clock                {"advance_s": S} or {"now": iso} (fixed clock only)
    POST /_sim/uber/late-tip        {"driver_id": id, "trip_id": id | "week": "YYYY-Www",
                                     "amount_cents": N}
                                     -> {"transaction_uuid", "driver_id", "trip_id",
                                         "trip_paid_at", "processed_at", "amount_cents"}
                                     (Uber pays a tip for a past trip now: one more
                                     transaction, processed now, naming the trip, and the
                                     tip in that driver's payments; with ``week``, the
                                     driver's last trip paid in that Uber week, Monday 04:00
                                     Paris; ``simulator.late_tips``)
    GET  /_sim/truth/people         -> {"ids": {...}, "pairs": [{"uber_driver_id",
                                        "bolt_driver_uuid", "person", "kinds",
                                        "auto_linkable"}], "homonyms": [...]}
                                       (who is who across platforms: ``simulator.truth``)
    GET  /_sim/truth/settlements?week=YYYY-Www
                                    -> {"week", "as_of", "ids", "windows": {"uber": [from, to],
                                        "bolt": [...], "hours": [...]},
                                        "uber": {driverId: {"fares", "tips", "promotions",
                                        "service_fee", "tolls", "adjustments", "cash_collected",
                                        "trips", "late_tips"}},
                                        "bolt": {driver_uuid: {"ride_price", "booking_fee",
                                        "toll_fee", "cancellation_fee", "tip", "commission",
                                        "net_earnings", "cash", "in_app", "trips",
                                        "price_reviews", "minutes_online", "minutes_on_trip"}}}
                                       (each live driver's week as docs/SETTLEMENTS.md defines
                                        it, in cents, as of now: ``simulator.truth``; 400 for
                                        a malformed week)
    GET  /_sim/truth/uber-payments?from=ISO&to=ISO
                                    -> {"from": iso, "to": iso, "currency": "EUR",
                                        "drivers": {driverId: cents}, "total": cents}
                                       (each Uber driver's pay for the trips paid in
                                        [from, to), summed from the activity, not from any
                                        answer served: ``simulator.truth.uber_payments``;
                                        400 without both instants, with their offsets)

Ids are Uber raw ``driverId`` values or Bolt ``driver_uuid`` values.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from simulator.bolt_world import BoltDriver
from simulator.chaos import ChaosError
from simulator.clock import FixedClock
from simulator.render import json_response
from simulator.state import SimState
from simulator.tokens import TokenStore
from simulator.truth import ground_truth, settlements_truth, truth_view, uber_payments, week_windows
from simulator.world import UberDriver

Action = Callable[[dict[str, Any]], Any]


class World(Protocol):
    """The run-time controls both provider worlds offer."""

    def add_drivers(self, count: int) -> Sequence[UberDriver | BoltDriver]:
        """Onboard drivers."""
        ...

    def mutate_drivers(self, count: int) -> Sequence[UberDriver | BoltDriver]:
        """Change drivers."""
        ...

    def remove_drivers(self, count: int) -> Sequence[UberDriver | BoltDriver]:
        """Offboard drivers."""
        ...


class ControlError(ValueError):
    """A control request that cannot be honoured (answered 400)."""


async def read_json_object(request: Request) -> dict[str, Any]:
    """The request body as a JSON object; an empty body counts as ``{}``."""
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ControlError(f"body is not JSON: {exc.msg}") from None
    if not isinstance(body, dict):
        raise ControlError("body must be a JSON object")
    return body


def count_of(body: dict[str, Any]) -> int:
    """The non-negative ``count`` field of a control body (default 1)."""
    count = body.get("count", 1)
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise ControlError("count must be a non-negative integer")
    return count


def control(action: Action) -> Callable[[Request], Awaitable[Response]]:
    """Wrap ``action(body) -> payload`` as a JSON endpoint answering 400 on bad input."""

    async def endpoint(request: Request) -> Response:
        try:
            return json_response(action(await read_json_object(request)))
        except (ControlError, ChaosError) as exc:
            return json_response({"error": str(exc)}, 400)

    endpoint.__doc__ = action.__doc__
    return endpoint


def stats_view(sim: SimState) -> dict[str, Any]:
    """Call counts plus the size of each provider's live state."""
    return {
        "calls": sim.stats.as_dict(),
        "total_calls": sim.stats.total(),
        "uber": {
            "drivers": sim.uber_world.driver_count(),
            "live_tokens": sim.uber_tokens.live_count(),
        },
        "bolt": {
            "drivers": sim.bolt_world.driver_count(),
            "live_tokens": sim.bolt_tokens.live_count(),
        },
        "churn": {"joined": sim.churn.joined, "left": sim.churn.left},
    }


def clock_view(sim: SimState) -> dict[str, Any]:
    """The simulator's current time and whether it can be moved."""
    return {"now": sim.clock.now().isoformat(), "fixed": isinstance(sim.clock, FixedClock)}


def move_clock(sim: SimState, body: dict[str, Any]) -> dict[str, Any]:
    """Advance (``advance_s``) or set (``now``, ISO-8601 with offset) a fixed clock."""
    if not isinstance(sim.clock, FixedClock):
        raise ControlError("the clock is the system clock; start with a FixedClock to move it")
    if "now" in body:
        try:
            sim.clock.set(datetime.fromisoformat(str(body["now"])))
        except (ValueError, TypeError) as exc:
            raise ControlError(f"now must be an ISO-8601 time with an offset: {exc}") from None
    advance = body.get("advance_s", 0)
    if isinstance(advance, bool) or not isinstance(advance, int | float):
        raise ControlError("advance_s must be a number of seconds")
    sim.clock.advance(timedelta(seconds=advance))
    return clock_view(sim)


def people_truth(sim: SimState) -> dict[str, Any]:
    """Which Uber and Bolt drivers are one person, and which share only a name.

    The world first catches up with the clock, as a provider call would, so the truth
    describes the rosters the providers serve now.
    """
    sim.tick()
    return truth_view(ground_truth(sim.uber_world.all_drivers(), sim.bolt_world.all_drivers()))


def settlement_truth_route(sim: SimState) -> Route:
    """``GET /_sim/truth/settlements?week=``: the week's figures per driver and platform."""

    async def endpoint(request: Request) -> Response:
        sim.tick()
        uber = (sim.uber_history(), sim.uber_world.all_drivers())
        bolt = (sim.bolt_history(), sim.bolt_world.all_drivers())
        try:
            truth = settlements_truth(request.query_params.get("week", ""), uber, bolt)
        except ValueError as exc:
            return json_response({"error": str(exc)}, 400)
        return json_response(truth)

    return Route("/_sim/truth/settlements", endpoint, methods=["GET"])


def instant_param(request: Request, name: str) -> datetime:
    """A query parameter that must be an ISO-8601 instant with its offset."""
    try:
        at = datetime.fromisoformat(request.query_params.get(name, "").replace("Z", "+00:00"))
    except ValueError:
        at = None
    if at is None or at.tzinfo is None:
        raise ControlError(f"{name} must be an ISO-8601 instant with an offset")
    return at


def uber_payments_truth(sim: SimState) -> Callable[[Request], Awaitable[Response]]:
    """``GET /_sim/truth/uber-payments``: what each Uber driver was paid over ``[from, to)``."""

    async def endpoint(request: Request) -> Response:
        try:
            start, end = instant_param(request, "from"), instant_param(request, "to")
        except ControlError as exc:
            return json_response({"error": str(exc)}, 400)
        sim.tick()
        span = (int(start.timestamp()), int(end.timestamp()))
        paid = uber_payments(sim.uber_history(), sim.uber_world.all_drivers(), *span)
        return json_response({"from": start.isoformat(), "to": end.isoformat(), **paid})

    return endpoint


def late_tip(sim: SimState, body: dict[str, Any]) -> dict[str, Any]:
    """A tip Uber pays now for a trip of the driver: ``trip_id``, or the last of ``week``."""
    driver = sim.uber_world.driver(str(body.get("driver_id")))
    amount = body.get("amount_cents")
    if driver is None:
        raise ControlError("driver_id: no such Uber driver")
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise ControlError("amount_cents must be a positive integer")
    history, now = sim.uber_history(), sim.now_s()
    try:
        start, end = week_windows(str(body["week"]))["uber"] if "week" in body else (0, now)
    except ValueError as exc:
        raise ControlError(f"week must be like 2026-W10: {exc}") from None
    trips = [
        t for t in history.trips(driver.person_index, start, min(end, now), at="paid_at")
        if t.status == "finished" and t.trip_id == body.get("trip_id", t.trip_id)
    ]  # fmt: skip
    if not trips or ("week" not in body and "trip_id" not in body):
        raise ControlError("no finished trip of this driver matches trip_id or week")
    return sim.late_tips.add(driver, trips[-1], amount, now).view()


def provider_actions(name: str, world: World, tokens: TokenStore) -> list[tuple[str, Action]]:
    """Token and roster controls of one provider."""
    base = f"/_sim/{name}"
    return [
        (f"{base}/tokens/expire", lambda b: {"expired": tokens.expire_all()}),
        (f"{base}/drivers/mutate", lambda b: _ids("changed", world.mutate_drivers(count_of(b)))),
        (f"{base}/drivers/add", lambda b: _ids("added", world.add_drivers(count_of(b)))),
        (f"{base}/drivers/remove", lambda b: _ids("removed", world.remove_drivers(count_of(b)))),
    ]


def control_routes(sim: SimState) -> list[Route]:
    """The ``/_sim/`` routes, bound to ``sim``."""

    def set_chaos(body: dict[str, Any]) -> Any:
        """Replace one provider's armed faults."""
        chaos = sim.chaos.configure(body)
        return {"provider": body.get("provider", "uber"), "chaos": chaos.as_dict()}

    def reset_chaos(body: dict[str, Any]) -> Any:
        """Disarm every fault."""
        sim.chaos.reset()
        return sim.chaos.as_dict()

    def reset_stats(body: dict[str, Any]) -> Any:
        """Forget every call count."""
        sim.stats.reset()
        return stats_view(sim)

    actions: list[tuple[str, Action]] = [
        ("/_sim/chaos", set_chaos),
        ("/_sim/chaos/reset", reset_chaos),
        ("/_sim/stats/reset", reset_stats),
        ("/_sim/clock", lambda b: move_clock(sim, b)),
        ("/_sim/uber/late-tip", lambda b: late_tip(sim, b)),
        *provider_actions("uber", sim.uber_world, sim.uber_tokens),
        *provider_actions("bolt", sim.bolt_world, sim.bolt_tokens),
    ]
    routes = [Route(path, control(action), methods=["POST"]) for path, action in actions]
    reads: list[tuple[str, Action]] = [
        ("/_sim/chaos", lambda b: sim.chaos.as_dict()),
        ("/_sim/stats", lambda b: stats_view(sim)),
        ("/_sim/clock", lambda b: clock_view(sim)),
        ("/_sim/truth/people", lambda b: people_truth(sim)),
    ]
    routes += [Route(path, control(action), methods=["GET"]) for path, action in reads]
    routes.append(Route("/_sim/truth/uber-payments", uber_payments_truth(sim), methods=["GET"]))
    return [*routes, settlement_truth_route(sim)]


def _ids(label: str, drivers: Sequence[UberDriver | BoltDriver]) -> dict[str, list[str]]:
    ids = [d.driver_id if isinstance(d, UberDriver) else d.driver_uuid for d in drivers]
    return {label: ids}
