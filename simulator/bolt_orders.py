"""Bolt activity operations: getFleetOrders and getFleetStateLogs.

Orders are the Bolt trips of the activity model. ``time_range_filter_type``
``"created"`` (default) filters on ``order_created_timestamp``;
``"price_review"`` filters on the fare-finalised time, which we expose as
``payment_confirmed_timestamp``. Money is decimal euros with no currency field;
``net_earnings = ride_price + cancellation_fee - commission + tip + toll_fee``
(docs/PROVIDERS.md §4 #18). Some in-app orders have their price reviewed days later
(``simulator.money``): from then on the order shows its new prices and its
``price_review_reason``, and keeps its first ``payment_confirmed_timestamp``
(docs/PROVIDERS.md §4 #23), so the price-review pass of a client finds it again.
State logs come newest first; the time a driver spends in a state other than
``inactive`` equals their online time, the same figure Uber reports. Both lists are
computed once per query and moment and kept (``SimState.remembered``) while a client
pages through them.
"""

from __future__ import annotations

from typing import Any

from starlette.routing import Route

from simulator.activity import COMMISSION_PERCENT, History, Trip, days_between
from simulator.bolt_http import bolt_api, company_list, invalid, pager, single_company, time_window
from simulator.bolt_roster import API, malformed
from simulator.bolt_world import BoltDriver, BoltVehicle
from simulator.places import PLACES, Place
from simulator.state import SimState

FILTER_FIELDS = {"created": "created_at", "price_review": "paid_at"}
StateLog = tuple[int, str, Place]


def euros(cents: int) -> float:
    """Cents as a decimal euro amount (Bolt sends plain numbers)."""
    return round(cents / 100, 2)


def order_reference(trip: Trip) -> str:
    """A stable numeric-looking order reference derived from the trip id."""
    return str(int(trip.trip_id.replace("-", "")[:12], 16))


def prices(trip: Trip, now: int) -> dict[str, int]:
    """The order's prices in cents as Bolt shows them at ``now``: a price review counts from
    its time on (a toll fee added, or the ride price lowered, the commission following)."""
    x = trip.extras
    reviewed = x.reviewed_at is not None and x.reviewed_at <= now
    fare = x.reviewed_fare_cents if reviewed else trip.fare_cents
    commission = fare * COMMISSION_PERCENT["bolt"] // 100 if reviewed else trip.commission_cents
    toll = x.review_toll_cents if reviewed else 0
    gross = fare + trip.cancellation_fee_cents
    return {
        "ride_price": fare, "toll_fee": toll, "cancellation_fee": trip.cancellation_fee_cents,
        "tip": trip.tip_cents, "net_earnings": gross - commission + trip.tip_cents + toll,
        "commission": commission,
    }  # fmt: skip


def review_reason(trip: Trip, now: int) -> str | None:
    """Why the price was reviewed (``toll``, ``route``), once it has been."""
    x = trip.extras
    return x.review if x.reviewed_at is not None and x.reviewed_at <= now else None


def order_price(trip: Trip, now: int) -> dict[str, Any]:
    """The ``order_price`` object as of ``now``."""
    cents = prices(trip, now)
    return {
        "ride_price": euros(cents["ride_price"]),
        "booking_fee": 0,
        "toll_fee": euros(cents["toll_fee"]),
        "cancellation_fee": euros(cents["cancellation_fee"]),
        "tip": euros(cents["tip"]),
        "net_earnings": euros(cents["net_earnings"]),
        "cash_discount": 0,
        "in_app_discount": 0,
        "commission": euros(cents["commission"]),
    }


def order_stops(trip: Trip) -> list[dict[str, Any]]:
    """Pick-up, plus drop-off for finished orders."""
    stops = [("pickup", trip.pickup)]
    if trip.status == "finished":
        stops.append(("dropoff", trip.dropoff))
    return [
        {
            "type": kind,
            "address": p.address,
            "lat": p.lat,
            "lng": p.lng,
            "real_lat": p.lat,
            "real_lng": p.lng,
        }
        for kind, p in stops
    ]


def render_order(
    driver: BoltDriver, vehicle: BoltVehicle | None, trip: Trip, now: int
) -> dict[str, Any]:
    """One ``orders[]`` entry, as of ``now``."""
    finished = trip.status == "finished"
    approach = (trip.pickup_at - trip.accepted_at) if trip.pickup_at and trip.accepted_at else None
    return {
        "order_reference": order_reference(trip),
        "driver_name": f"{driver.first_name} {driver.last_name}",
        "driver_uuid": driver.driver_uuid,
        "partner_uuid": driver.partner_uuid,
        "driver_phone": driver.phone,
        "payment_method": trip.payment_method,
        "order_status": trip.status,
        "order_created_timestamp": trip.created_at,
        "order_accepted_timestamp": trip.accepted_at,
        "order_pickup_timestamp": trip.pickup_at,
        "order_drop_off_timestamp": trip.dropoff_at,
        "order_finished_timestamp": trip.finished_at,
        "payment_confirmed_timestamp": trip.paid_at
        if trip.paid_at and trip.paid_at <= now
        else None,
        "order_cancelled_timestamp": trip.cancelled_at,
        "order_no_show_timestamp": None,
        "driver_cancelled_reason": None,
        "price_review_reason": review_reason(trip, now),
        "vehicle_model": f"{vehicle.make} {vehicle.model}" if vehicle else None,
        "vehicle_license_plate": vehicle.reg_number if vehicle else None,
        "pickup_address": trip.pickup.address,
        "destination_address": trip.dropoff.address,
        "order_stops": order_stops(trip),
        "ride_distance": trip.distance_m if finished else None,
        "road_distance_at_matching": approach * 7 if approach else None,
        "order_price": order_price(trip, now),
        "is_scheduled": False,
        "category_info": {"name": "Bolt", "seats": 4, "vehicle_type": "car"},
    }


def fleet_orders(
    sim: SimState, company_ids: list[int], window: tuple[int, int], at: str
) -> list[tuple[BoltDriver, Trip]]:
    """Closed orders of the companies' drivers whose ``at`` time is in the window, oldest first."""
    history = sim.bolt_history()
    found = [
        (driver, trip)
        for company_id in company_ids
        for driver in sim.bolt_world.drivers(company_id)
        for trip in history.trips(driver.person_index, window[0], window[1], at)
        if trip.closed_at <= history.now
    ]
    return sorted(found, key=lambda item: (getattr(item[1], at), item[1].trip_id))


def state_changes(history: History, person: int, start: int, end: int) -> list[StateLog]:
    """``(created, state, where)`` of one person in ``[start, end)``, oldest first."""
    start, end = history.clip(start, end)
    logs: list[StateLog] = []
    for day in days_between(start, end):
        plan = history.plans(person, day)
        for session in plan.sessions:
            where = PLACES[person % len(PLACES)]
            logs.append((session.start, "waiting_orders", where))
            for trip in plan.trips:
                if trip.provider == "bolt" and trip.accepted_at is not None:
                    where = trip.dropoff if trip.status == "finished" else trip.pickup
                    logs.append((trip.accepted_at, "has_order", trip.pickup))
                    logs.append((trip.closed_at, "waiting_orders", where))
            logs.append((session.end, "inactive", where))
    return [log for log in logs if start <= log[0] < end]


def fleet_state_logs(
    sim: SimState, company_id: int, window: tuple[int, int]
) -> list[tuple[BoltDriver, StateLog]]:
    """State changes of the company's drivers in the window, newest first."""
    history = sim.bolt_history()
    found = [
        (driver, log)
        for driver in sim.bolt_world.drivers(company_id)
        for log in state_changes(history, driver.person_index, window[0], window[1])
    ]
    return sorted(found, key=lambda item: (-item[1][0], item[0].driver_uuid, item[1][1]))


def render_state_log(
    driver: BoltDriver, vehicle: BoltVehicle | None, log: StateLog
) -> dict[str, Any]:
    """One ``state_logs[]`` entry."""
    created, state, where = log
    return {
        "driver_uuid": driver.driver_uuid,
        "vehicle_uuid": vehicle.uuid if vehicle else None,
        "created": created,
        "state": state,
        "lat": where.lat,
        "lng": where.lng,
    }


def bolt_order_routes(sim: SimState) -> list[Route]:
    """getFleetOrders and getFleetStateLogs, bound to ``sim``."""
    max_days = sim.settings.bolt_max_range_days

    def get_fleet_orders(body: dict[str, Any]) -> Any:
        """Orders of the companies in ``company_ids``, offset/limit (limit <= 1000)."""
        if "company_ids" not in body and "company_id" in body:
            raise invalid("company_ids", "is required on getFleetOrders")
        company_ids = company_list(sim, body)
        window = time_window(body, max_days)
        offset, limit = pager(body, 1000)
        filter_type = body.get("time_range_filter_type", "created")
        if filter_type not in FILTER_FIELDS:
            raise invalid("time_range_filter_type", "must be created or price_review")
        at = FILTER_FIELDS[str(filter_type)]
        found = sim.remembered(
            ("bolt.orders", tuple(company_ids), window, at),
            lambda: fleet_orders(sim, company_ids, window, at),
        )
        now, world = sim.now_s(), sim.bolt_world
        page = found[offset : offset + limit]
        records = [render_order(d, world.vehicle(d.vehicle_id), t, now) for d, t in page]
        company = world.company(company_ids[0])
        return {
            "orders": malformed(sim, records, "order_reference"),
            "total_orders": len(found),
            "company_id": company_ids[0],
            "company_name": company.name if company else None,
        }

    def get_fleet_state_logs(body: dict[str, Any]) -> Any:
        """Driver state changes of one company, newest first, offset/limit (limit <= 1000)."""
        company_id = single_company(sim, body)
        window = time_window(body, max_days)
        offset, limit = pager(body, 1000)
        found = sim.remembered(
            ("bolt.state_logs", company_id, window),
            lambda: fleet_state_logs(sim, company_id, window),
        )
        world = sim.bolt_world
        page = found[offset : offset + limit]
        records = [render_state_log(d, world.vehicle(d.vehicle_id), log) for d, log in page]
        return {"state_logs": malformed(sim, records, "driver_uuid"), "total_rows": len(found)}

    return [
        Route(
            f"{API}/getFleetOrders",
            bolt_api(sim, get_fleet_orders, {"orders": [], "total_orders": 0}),
            methods=["POST"],
        ),
        Route(
            f"{API}/getFleetStateLogs",
            bolt_api(sim, get_fleet_state_logs, {"state_logs": [], "total_rows": 0}),
            methods=["POST"],
        ),
    ]
