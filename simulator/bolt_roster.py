"""Bolt roster operations: getCompanies, test, getDrivers, getVehicles.

getDrivers and getVehicles validate the required time window but return every
entity regardless of it (docs/PROVIDERS.md §4 #17). They carry no total; clients stop on a short
page.
"""

from __future__ import annotations

from typing import Any

from starlette.routing import Route

from simulator.bolt_http import bolt_api, invalid, pager, single_company, time_window
from simulator.bolt_world import BoltDriver, BoltVehicle
from simulator.render import drop_key_from_one
from simulator.state import SimState

API = "/fleet-integration-gateway/fleetIntegration/v1"
PORTAL_STATUS = {"active": "active", "blocked": "suspended", "deactivated": "deactivated"}


def render_vehicle(vehicle: BoltVehicle) -> dict[str, Any]:
    """One ``vehicles[]`` entry."""
    return {
        "id": vehicle.id,
        "uuid": vehicle.uuid,
        "model": vehicle.model,
        "year": vehicle.year,
        "seats": 4,
        "color": vehicle.color,
        "reg_number": vehicle.reg_number,
        "vin": vehicle.vin,
        "car_transport_licence_number": vehicle.licence_number,
        "state": "active",
        "suspension_reason": None,
        "eligible_category_groups": ["standard"],
    }


def render_driver(driver: BoltDriver, vehicle: BoltVehicle | None) -> dict[str, Any]:
    """One ``drivers[]`` entry."""
    active_vehicle = None
    if vehicle is not None:
        active_vehicle = {
            "id": vehicle.id,
            "uuid": vehicle.uuid,
            "model": vehicle.model,
            "year": vehicle.year,
            "reg_number": vehicle.reg_number,
            "vin": vehicle.vin,
            "state": "active",
        }
    return {
        "driver_uuid": driver.driver_uuid,
        "partner_uuid": driver.partner_uuid,
        "first_name": driver.first_name,
        "last_name": driver.last_name,
        "email": driver.email,
        "phone": driver.phone,
        "state": driver.state,
        "has_cash_payment": True,
        "suspension_reason": None,
        "driver_score": driver.driver_score,
        "driver_rating": driver.driver_rating,
        "active_categories": ["Bolt", "Comfort"],
        "inactive_categories": ["Premium"],
        "active_vehicle": active_vehicle,
        "eligible_for_scheduled_ride": True,
    }


def matches_search(driver: BoltDriver, body: dict[str, Any]) -> bool:
    """The optional ``search`` (name, e-mail or phone substring) and ``portal_status`` filters."""
    search = body.get("search")
    if search is not None:
        if not isinstance(search, str) or not 1 <= len(search) <= 255:
            raise invalid("search", "must be a string of 1 to 255 characters")
        haystack = f"{driver.first_name} {driver.last_name} {driver.email} {driver.phone}"
        if search.lower() not in haystack.lower():
            return False
    status = body.get("portal_status")
    if status is not None and status not in PORTAL_STATUS:
        raise invalid("portal_status", f"must be one of {sorted(PORTAL_STATUS)}")
    return status is None or PORTAL_STATUS[str(status)] == driver.state


def malformed(sim: SimState, records: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    """Apply an armed Bolt ``malformed_next`` to a non-empty page."""
    if records and sim.chaos.of("bolt").take_malformed():
        return drop_key_from_one(records, key)
    return records


def bolt_roster_routes(sim: SimState) -> list[Route]:
    """The four roster operations, bound to ``sim``."""
    max_days = sim.settings.bolt_max_range_days

    def get_companies(body: dict[str, Any]) -> Any:
        """Ids of the companies these credentials may read (GET only)."""
        return {"company_ids": [c.company_id for c in sim.bolt_world.companies()]}

    def test(body: dict[str, Any]) -> Any:
        """Connectivity check."""
        return {}

    def get_drivers(body: dict[str, Any]) -> Any:
        """Drivers of one company, offset/limit (limit <= 1000)."""
        company_id = single_company(sim, body)
        time_window(body, max_days)
        offset, limit = pager(body, 1000)
        found = [d for d in sim.bolt_world.drivers(company_id) if matches_search(d, body)]
        page = found[offset : offset + limit]
        records = [render_driver(d, sim.bolt_world.vehicle(d.vehicle_id)) for d in page]
        return {"drivers": malformed(sim, records, "driver_uuid")}

    def get_vehicles(body: dict[str, Any]) -> Any:
        """Vehicles of one company, offset/limit (limit <= 100)."""
        company_id = single_company(sim, body)
        time_window(body, max_days)
        offset, limit = pager(body, 100)
        page = sim.bolt_world.vehicles(company_id)[offset : offset + limit]
        return {"vehicles": malformed(sim, [render_vehicle(v) for v in page], "id")}

    return [
        Route(
            f"{API}/getCompanies",
            bolt_api(sim, get_companies, {"company_ids": []}),
            methods=["GET"],
        ),
        Route(f"{API}/test", bolt_api(sim, test, {}), methods=["POST"]),
        Route(f"{API}/getDrivers", bolt_api(sim, get_drivers, {"drivers": []}), methods=["POST"]),
        Route(
            f"{API}/getVehicles", bolt_api(sim, get_vehicles, {"vehicles": []}), methods=["POST"]
        ),
    ]
