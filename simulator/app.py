"""Composition root: ``create_app`` wires settings, clock, world and routes.

Nothing happens at import time; each call builds an independent simulator, so
tests can run several side by side.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from simulator.bolt_auth import bolt_token_routes
from simulator.bolt_orders import bolt_order_routes
from simulator.bolt_roster import bolt_roster_routes
from simulator.clock import Clock, SystemClock
from simulator.control import control_routes
from simulator.render import json_response
from simulator.settings import SimulatorSettings
from simulator.state import SimState, build_state
from simulator.stats import StatsMiddleware
from simulator.uber_auth import uber_token_routes
from simulator.uber_metrics import uber_metrics_routes
from simulator.uber_money import uber_money_routes
from simulator.uber_reports import uber_report_routes
from simulator.uber_roster import uber_roster_routes

BOLT_PREFIX = "/fleet-integration-gateway"


def create_app(settings: SimulatorSettings, clock: Clock | None = None) -> Starlette:
    """Build a simulator app serving both providers on their real paths."""
    sim = build_state(settings, clock or SystemClock())
    app = Starlette(
        routes=all_routes(sim),
        middleware=[Middleware(StatsMiddleware, stats=sim.stats)],
        exception_handlers={HTTPException: not_found},
    )
    app.state.sim = sim
    return app


def all_routes(sim: SimState) -> list[BaseRoute]:
    """Every route of every provider plus the control routes."""
    routes: list[BaseRoute] = []
    routes += uber_token_routes(sim)
    routes += uber_roster_routes(sim)
    routes += uber_metrics_routes(sim)
    routes += uber_money_routes(sim)
    routes += uber_report_routes(sim)
    routes += bolt_token_routes(sim)
    routes += bolt_roster_routes(sim)
    routes += bolt_order_routes(sim)
    routes += control_routes(sim)
    return routes


async def not_found(request: Request, exc: Exception) -> Response:
    """Unknown route or method: Bolt's gateway 404 body or Uber's error shape.

    Bolt's 404 body is a guess (docs/PROVIDERS.md §4 #20).
    """
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    path = request.url.path
    if path.startswith(BOLT_PREFIX):
        # The gateway answers a wrong method like an unknown route: 404, never 405.
        route = f"{request.method}:{path.removeprefix(BOLT_PREFIX)}"
        body = {"message": f"Route {route} not found", "error": "Not Found", "statusCode": 404}
        return json_response(body, 404)
    if status == 405:
        return json_response({"code": "method_not_allowed", "message": "Method not allowed"}, 405)
    return json_response({"code": "not_found", "message": f"No route for {path}"}, status)
