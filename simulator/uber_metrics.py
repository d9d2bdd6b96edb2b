"""Uber supplier performance data: ``POST /v1/vehicle-suppliers/analytics-data/query`` (U4).

Each report request lists time ranges (epoch ms), a dimension (``vs:driver``,
or ``vs:vehicle`` as docs/PROVIDERS.md §4 #7 guesses) and metrics. The answer has one
``timeRangeData`` item per range, each with one row per driver of the page;
metric values are strings (docs/PROVIDERS.md §4 #7). The whole call may span at most
``uber_analytics_max_days`` days. Figures are sums over the same trips that
payments and transactions report (earnings: over the same transactions), so they reconcile.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.routing import Route

from simulator.activity import DAY_S, History
from simulator.state import SimState
from simulator.uber_http import (
    bad_request,
    epoch_ms,
    json_body,
    page_size,
    paginate,
    pagination_options,
    require_org,
    uber_api,
)
from simulator.uber_ledger import processed
from simulator.uber_roster import maybe_malformed
from simulator.world import UberDriver

SCOPES = ("solutions.suppliers.metrics.read",)
Metric = Callable[[History, int, int, int], str]


def hours(seconds: int) -> str:
    """Seconds as decimal hours, two places."""
    return f"{seconds / 3600:.2f}"


def euros(cents: int) -> str:
    """Cents as a decimal euro string (``143280`` -> ``"1432.80"``)."""
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"


def _trips(h: History, person: int, start: int, end: int) -> str:
    return str(len(h.trips(person, start, end, at="dropoff_at")))


def _earnings(h: History, person: int, start: int, end: int) -> str:
    return euros(sum(x.earnings for x in processed(h, person, start, end)))


METRICS: dict[str, Metric] = {
    "vs:HoursOnline": lambda h, p, s, e: hours(h.online_s(p, s, e)),
    "vs:HoursOnTrip": lambda h, p, s, e: hours(h.on_trip_s(p, s, e)),
    "vs:TotalTrips": _trips,
    "vs:TotalEarnings": _earnings,
}
DIMENSIONS = {"vs:driver": ["FirstName", "LastName"], "vs:vehicle": ["LicensePlate"]}


def time_ranges(request: dict[str, Any], max_days: int) -> list[tuple[int, int]]:
    """``[(start_s, end_s)]`` of one report request; the whole span is capped at ``max_days``."""
    raw = request.get("timeRanges")
    if not isinstance(raw, list) or not raw:
        raise bad_request("timeRanges is required")
    ranges = []
    for item in raw:
        if not isinstance(item, dict):
            raise bad_request("timeRanges entries must be objects")
        start, end = (
            epoch_ms(item.get("startsAt"), "startsAt"),
            epoch_ms(item.get("endsAt"), "endsAt"),
        )
        if start >= end:
            raise bad_request("startsAt must be before endsAt")
        ranges.append((start // 1000, end // 1000))
    if max(e for _, e in ranges) - min(s for s, _ in ranges) > max_days * DAY_S:
        raise bad_request(f"Time range exceeds the maximum of {max_days} days")
    return ranges


def metric_names(request: dict[str, Any]) -> list[str]:
    """The requested metric expressions, all known."""
    raw = request.get("metrics")
    if not isinstance(raw, list) or not raw:
        raise bad_request("metrics is required")
    names = [m.get("expression") if isinstance(m, dict) else None for m in raw]
    unknown = [n for n in names if n not in METRICS]
    if unknown:
        raise bad_request(f"Unsupported metric: {unknown[0]}")
    return [str(n) for n in names]


def dimension(request: dict[str, Any]) -> str:
    """The single requested dimension (``vs:driver`` when omitted)."""
    raw = request.get("dimensions") or [{"name": "vs:driver"}]
    name = raw[0].get("name") if isinstance(raw, list) and isinstance(raw[0], dict) else None
    if name not in DIMENSIONS:
        raise bad_request(f"Unsupported dimension: {name}")
    return str(name)


def driver_filter(request: dict[str, Any]) -> set[str] | None:
    """Raw driver ids from ``vs:driver OPERATOR_IN`` filters, or ``None`` for no filter."""
    wanted: set[str] | None = None
    clauses = request.get("dimension_filter_clauses") or request.get("dimensionFilterClauses")
    for clause in clauses if isinstance(clauses, list) else []:
        for f in clause.get("filters") or [] if isinstance(clause, dict) else []:
            if isinstance(f, dict) and f.get("dimension_name") == "vs:driver":
                ids = {str(x) for x in f.get("expressions") or []}
                wanted = ids if wanted is None else wanted & ids
    return wanted


class ReportBuilder:
    """Builds one ``reports[]`` item for one report request."""

    def __init__(self, sim: SimState, org_id: str) -> None:
        self.sim = sim
        self.org_id = org_id
        self.history = sim.uber_history()

    def build(self, request: dict[str, Any]) -> dict[str, Any]:
        """Validate ``request`` and compute its rows."""
        ranges = time_ranges(request, self.sim.settings.uber_analytics_max_days)
        names, dim = metric_names(request), dimension(request)
        drivers = self.sim.uber_world.drivers(self.org_id)
        wanted = driver_filter(request)
        if wanted is not None:
            drivers = [d for d in drivers if d.driver_id in wanted]
        options = pagination_options(request)
        size = page_size(str(options.get("pageSize") or ""), default=100, maximum=1000)
        page, token = paginate(drivers, lambda d: d.driver_id, options.get("pageToken"), size)
        return {
            "columnHeader": {
                "dimensionHeaderEntries": [{"name": n} for n in DIMENSIONS[dim]],
                "metricHeaderEntries": [{"name": n.removeprefix("vs:")} for n in names],
            },
            "data": {"timeRangeData": [self._range(page, dim, names, r) for r in ranges]},
            "paginationResult": {"nextPageToken": token},
        }

    def _range(
        self, page: list[UberDriver], dim: str, names: list[str], window: tuple[int, int]
    ) -> dict[str, Any]:
        rows = [self._row(d, dim, names, window) for d in page]
        return {"rows": maybe_malformed(self.sim, rows, "dimensionId")}

    def _row(
        self, driver: UberDriver, dim: str, names: list[str], window: tuple[int, int]
    ) -> dict[str, Any]:
        start, end = window
        values = [METRICS[n](self.history, driver.person_index, start, end) for n in names]
        if dim == "vs:vehicle":
            vehicle = self.sim.uber_world.vehicle(driver.vehicle_ids[0])
            plate = vehicle.license_plate if vehicle else ""
            return {
                "dimensionId": driver.vehicle_ids[0],
                "dimensionValues": [plate],
                "metricValues": values,
            }
        return {
            "dimensionId": driver.driver_id,
            "dimensionValues": [driver.first_name, driver.last_name],
            "metricValues": values,
        }


def uber_metrics_routes(sim: SimState) -> list[Route]:
    """Route U4, bound to ``sim``."""

    async def query(request: Request) -> dict[str, Any]:
        """Per-driver performance metrics over the requested time ranges."""
        body = await json_body(request)
        org_ref = body.get("orgId")
        body_org = org_ref.get("orgUuid") if isinstance(org_ref, dict) else None
        org = require_org(sim, body_org or request.query_params.get("org_id"))
        requests = body.get("reportRequests")
        if not isinstance(requests, list) or not requests:
            raise bad_request("reportRequests is required")
        builder = ReportBuilder(sim, org.org_id)
        return {"reports": [builder.build(r if isinstance(r, dict) else {}) for r in requests]}

    path = "/v1/vehicle-suppliers/analytics-data/query"
    return [Route(path, uber_api(sim, SCOPES, query), methods=["POST"])]
