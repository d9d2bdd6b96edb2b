"""Uber roster endpoints: organisations (U1), drivers (U2), realtime status (U3), vehicles (U5)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.routing import Route

from simulator.render import drop_key_from_one
from simulator.state import SimState
from simulator.uber_http import page_size, paginate, query_bool, require_org, uber_api
from simulator.uber_status import status_entries
from simulator.world import UberDriver, UberOrg, UberVehicle

ORGS_SCOPES = ("vehicle_suppliers.organizations.read",)
DRIVERS_SCOPES = ("solutions.suppliers.drivers.status.read", "solutions.suppliers.metrics.read")
ACTIONS_SCOPES = ("solutions.suppliers.drivers.status.read",)
VEHICLES_SCOPES = ("solutions.suppliers.metrics.read",)


def render_org(org: UberOrg) -> dict[str, Any]:
    """One ``organizations[]`` entry; the root org has no ``parent_org_id`` key at all."""
    entry: dict[str, Any] = {"id": org.org_id}
    if org.parent_org_id is not None:
        entry["parent_org_id"] = org.parent_org_id
    entry["name"] = org.name
    entry["types"] = ["DRIVER_BUSINESS"]
    return entry


def render_driver(driver: UberDriver, with_vehicles: bool) -> dict[str, Any]:
    """One ``driverInformation[]`` entry."""
    entry: dict[str, Any] = {
        "driverId": driver.driver_id,
        "driverIdEncrypted": driver.driver_id_encrypted,
        "firstName": driver.first_name,
        "lastName": driver.last_name,
        "email": driver.email,
        "phoneNumber": {"countryCode": driver.phone_country, "number": driver.phone_number},
    }
    if with_vehicles:
        entry["assignedVehicles"] = [{"vehicleId": v} for v in driver.vehicle_ids]
    return entry


def render_vehicle(vehicle: UberVehicle) -> dict[str, Any]:
    """One ``vehicleInformation[]`` entry (v2)."""
    return {
        "vehicleId": vehicle.vehicle_id,
        "vehicleIdEncrypted": vehicle.vehicle_id_encrypted,
        "licensePlate": vehicle.license_plate,
        "make": vehicle.make,
        "model": vehicle.model,
        "year": vehicle.year,
        "vin": vehicle.vin,
        "color": vehicle.color,
    }


def render_status(sim: SimState, driver: UberDriver, now: int) -> dict[str, Any]:
    """One ``driverStatusOverviews[]`` entry."""
    vehicle = sim.uber_world.vehicle(driver.vehicle_ids[0]) if driver.vehicle_ids else None
    return {
        "driverInfo": {
            "driverUuid": driver.driver_id,
            "firstName": driver.first_name,
            "lastName": driver.last_name,
        },
        "onboardingStatus": "ONBOARDING_STATUS_ACTIVE",
        "statusEntries": status_entries(sim.plans, driver.person_index, now),
        "vehicleInfo": {"licensePlate": vehicle.license_plate if vehicle else None},
    }


def maybe_malformed(sim: SimState, records: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    """Apply an armed ``malformed_next`` to a non-empty page by dropping ``key`` once."""
    if records and sim.chaos.of("uber").take_malformed():
        return drop_key_from_one(records, key)
    return records


def page_result(key: str, records: list[dict[str, Any]], next_token: str) -> dict[str, Any]:
    """A cursor-paginated Uber body."""
    return {key: records, "paginationResult": {"nextPageToken": next_token}}


def uber_roster_routes(sim: SimState) -> list[Route]:
    """Routes U1, U2, U3 and U5, bound to ``sim``."""

    async def orgs(request: Request) -> dict[str, Any]:
        """List the organisations the client app is registered to."""
        return {"organizations": [render_org(o) for o in sim.uber_world.orgs()]}

    async def drivers(request: Request) -> dict[str, Any]:
        """List the drivers linked directly to ``org_id``, by cursor."""
        q = request.query_params
        org = require_org(sim, q.get("org_id"))
        size = page_size(
            q.get("page_size"), default=sim.settings.uber_default_page_size, maximum=100
        )
        found = sim.uber_world.drivers(org.org_id)
        if q.get("driver_id"):
            found = [d for d in found if d.driver_id == q["driver_id"]]
        page, next_token = paginate(found, lambda d: d.driver_id, q.get("page_token"), size)
        with_vehicles = query_bool(q.get("include_assigned_vehicles"))
        records = maybe_malformed(sim, [render_driver(d, with_vehicles) for d in page], "driverId")
        return page_result("driverInformation", records, next_token)

    async def actions(request: Request) -> dict[str, Any]:
        """Realtime status of the org's drivers (``page_size`` is required)."""
        q = request.query_params
        org = require_org(sim, q.get("org_id"))
        size = page_size(q.get("page_size"), default=None, maximum=100)
        found = sim.uber_world.drivers(org.org_id)
        if q.get("driver_id"):
            found = [d for d in found if d.driver_id == q["driver_id"]]
        page, next_token = paginate(found, lambda d: d.driver_id, q.get("page_token"), size)
        now = sim.now_s()
        records = maybe_malformed(sim, [render_status(sim, d, now) for d in page], "driverInfo")
        return page_result("driverStatusOverviews", records, next_token)

    async def vehicles(request: Request) -> dict[str, Any]:
        """The org's vehicles (v2), by cursor; ``page_size`` up to 1000."""
        q = request.query_params
        org = require_org(sim, q.get("org_id"))
        size = page_size(
            q.get("page_size"), default=sim.settings.uber_default_page_size, maximum=1000
        )
        found = sim.uber_world.vehicles(org.org_id)
        if q.get("vehicle_id"):
            found = [v for v in found if v.vehicle_id == q["vehicle_id"]]
        page, next_token = paginate(found, lambda v: v.vehicle_id, q.get("page_token"), size)
        records = maybe_malformed(sim, [render_vehicle(v) for v in page], "vehicleId")
        return page_result("vehicleInformation", records, next_token)

    return [
        Route("/v1/vehicle-suppliers/orgs", uber_api(sim, ORGS_SCOPES, orgs), methods=["GET"]),
        Route(
            "/v1/vehicle-suppliers/drivers", uber_api(sim, DRIVERS_SCOPES, drivers), methods=["GET"]
        ),
        Route(
            "/v1/vehicle-suppliers/drivers/actions",
            uber_api(sim, ACTIONS_SCOPES, actions),
            methods=["GET"],
        ),
        Route(
            "/v2/vehicle-suppliers/vehicles",
            uber_api(sim, VEHICLES_SCOPES, vehicles),
            methods=["GET"],
        ),
    ]
