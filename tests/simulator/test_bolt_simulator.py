"""Behaviour of the Bolt side of the simulator, and how it lines up with the Uber side."""

from __future__ import annotations

import base64
import itertools
import json
import time
from datetime import timedelta

import pytest

from simulator import SimulatorSettings

NOW = 1741593600  # 2025-03-10T08:00:00Z, the fixed clock of conftest
DAY = 86400
YESTERDAY = (NOW - 8 * 3600 - DAY, NOW - 8 * 3600)  # 2025-03-09, midnight to midnight
TOKEN_FORM = {
    "client_id": "sim-bolt-client",
    "client_secret": "sim-bolt-secret",
    "grant_type": "client_credentials",
    "scope": "fleet-integration:api",
}


def window(start: int, end: int, **extra) -> dict:
    return {
        "company_id": 70001,
        "start_ts": start,
        "end_ts": end,
        "offset": 0,
        "limit": 1000,
        **extra,
    }


def orders_body(start: int, end: int, **extra) -> dict:
    return {
        "company_ids": [70001],
        "start_ts": start,
        "end_ts": end,
        "offset": 0,
        "limit": 1000,
        **extra,
    }


def online_seconds(logs: list[dict]) -> dict[str, int]:
    """Time per driver in any state other than ``inactive`` (logs are newest first)."""
    per_driver: dict[str, list[dict]] = {}
    for log in reversed(logs):
        per_driver.setdefault(log["driver_uuid"], []).append(log)
    totals = {}
    for driver, entries in per_driver.items():
        pairs = itertools.pairwise(entries)
        totals[driver] = sum(
            b["created"] - a["created"] for a, b in pairs if a["state"] != "inactive"
        )
    return totals


# -- tokens -----------------------------------------------------------------------


async def test_token_is_jwt_shaped_and_lives_600_seconds(client):
    body = (await client.post("/token", data=TOKEN_FORM)).json()
    assert body["expires_in"] == 600
    assert body["token_type"] == "Bearer"
    assert body["scope"] == "fleet-integration:api"
    header, claims, _ = body["access_token"].split(".")
    decoded = json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)))
    assert decoded["exp"] == NOW + 600
    assert json.loads(base64.urlsafe_b64decode(header + "=="))["typ"] == "JWT"


async def test_bolt_token_rejects_other_scopes_and_uber_credentials(client):
    wrong_scope = await client.post("/token", data={**TOKEN_FORM, "scope": "fleet:all"})
    uber_creds = await client.post(
        "/token",
        data={**TOKEN_FORM, "client_id": "sim-uber-client", "client_secret": "sim-uber-secret"},
    )
    assert (wrong_scope.status_code, wrong_scope.json()["error"]) == (400, "invalid_scope")
    assert (uber_creds.status_code, uber_creds.json()["error"]) == (401, "invalid_client")


async def test_bolt_token_expires_after_ten_minutes(bolt, clock):
    assert (await bolt.call("getCompanies")).status_code == 200
    clock.advance(timedelta(seconds=600))
    assert (await bolt.call("getCompanies")).status_code == 401


async def test_uber_token_is_not_a_bolt_token(uber, bolt):
    bolt.token = uber.token
    assert (await bolt.call("test")).status_code == 401


async def test_sim_expire_invalidates_bolt_tokens_only(uber, bolt):
    assert (await bolt.client.post("/_sim/bolt/tokens/expire")).json() == {"expired": 1}
    assert (await bolt.call("test")).status_code == 401
    assert (await uber.get("/v1/vehicle-suppliers/orgs")).status_code == 200


# -- routes and envelope -------------------------------------------------------------


async def test_get_companies_lists_integer_ids(open_uber, clock):
    from tests.simulator.conftest import BoltCalls

    uber = await open_uber(SimulatorSettings(bolt_companies=2))
    bolt = BoltCalls(uber.client)
    await bolt.login()
    assert await bolt.ok("getCompanies") == {"company_ids": [70001, 70002]}


async def test_post_get_companies_is_a_gateway_404(bolt):
    response = await bolt.client.post(
        "/fleet-integration-gateway/fleetIntegration/v1/getCompanies", json={}, headers=bolt.auth()
    )
    assert response.status_code == 404
    assert response.json() == {
        "message": "Route POST:/fleetIntegration/v1/getCompanies not found",
        "error": "Not Found",
        "statusCode": 404,
    }


async def test_unknown_operation_is_404(bolt):
    response = await bolt.call("getOrders", {})
    assert response.status_code == 404
    assert response.json()["message"] == "Route POST:/fleetIntegration/v1/getOrders not found"


async def test_test_operation_answers_ok(bolt):
    body = (await bolt.call("test")).json()
    assert (body["code"], body["message"]) == (0, "OK")


async def test_missing_token_is_http_401(client):
    response = await client.post("/fleet-integration-gateway/fleetIntegration/v1/test", json={})
    assert response.status_code == 401


# -- drivers and vehicles ---------------------------------------------------------------


async def test_drivers_carry_bolt_fields(bolt):
    drivers = (await bolt.ok("getDrivers", window(NOW - DAY, NOW)))["drivers"]
    assert len(drivers) == 25
    driver = drivers[0]
    assert driver["phone"].startswith("+336")
    assert driver["state"] == "active"
    assert isinstance(driver["active_vehicle"]["id"], int)
    assert len(driver["driver_uuid"]) == 36


async def test_driver_pages_walk_every_driver_once(bolt):
    seen, offset = [], 0
    while True:
        page = (await bolt.ok("getDrivers", window(NOW - DAY, NOW, offset=offset, limit=10)))[
            "drivers"
        ]
        seen += [d["driver_uuid"] for d in page]
        if len(page) < 10:
            break
        offset += 10
    assert len(seen) == len(set(seen)) == 25


async def test_driver_search_filters_by_phone(bolt):
    drivers = (await bolt.ok("getDrivers", window(NOW - DAY, NOW)))["drivers"]
    phone = drivers[3]["phone"]
    found = (await bolt.ok("getDrivers", window(NOW - DAY, NOW, search=phone)))["drivers"]
    assert [d["phone"] for d in found] == [phone]


async def test_vehicles_limit_is_100(bolt):
    too_many = (await bolt.call("getVehicles", window(NOW - DAY, NOW, limit=101))).json()
    assert (too_many["code"], too_many["data"]) == (702, None)
    vehicles = (await bolt.ok("getVehicles", window(NOW - DAY, NOW, limit=100)))["vehicles"]
    assert len(vehicles) == 25
    assert {"id", "uuid", "reg_number", "vin", "model", "year", "seats"} <= set(vehicles[0])


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (
            {
                "company_ids": [70001],
                "start_ts": NOW - DAY,
                "end_ts": NOW,
                "offset": 0,
                "limit": 10,
            },
            702,
        ),
        (window(NOW, NOW - DAY), 702),  # start after end
        (window(NOW - 32 * DAY, NOW), 498806),  # more than 31 days
        (window(NOW - DAY, NOW, company_id=99999), 498810),  # not our company
        (window(NOW - DAY, NOW, limit=1001), 702),
        ({"company_id": 70001, "start_ts": NOW - DAY, "end_ts": NOW}, 702),  # no pager
    ],
)
async def test_bad_requests_are_http_200_business_errors(bolt, body, code):
    response = await bolt.call("getDrivers", body)
    assert response.status_code == 200
    envelope = response.json()
    assert envelope["code"] == code
    assert envelope["data"] is None


async def test_range_error_names_the_property(bolt):
    envelope = (await bolt.call("getFleetStateLogs", window(NOW - 40 * DAY, NOW))).json()
    assert envelope["message"] == "INVALID_DATE_RANGE"
    assert envelope["validation_errors"][0]["property"] == "end_ts"


# -- orders -------------------------------------------------------------------------------


async def test_orders_require_company_ids(bolt):
    response = await bolt.call("getFleetOrders", window(NOW - DAY, NOW))
    assert response.json()["code"] == 702


async def test_orders_of_a_foreign_company_are_not_allowed(bolt):
    body = orders_body(NOW - DAY, NOW, company_ids=[70001, 70002])
    assert (await bolt.call("getFleetOrders", body)).json()["code"] == 498810


async def test_orders_carry_total_and_money_that_adds_up(bolt):
    data = await bolt.ok("getFleetOrders", orders_body(*YESTERDAY))
    assert data["total_orders"] == len(data["orders"]) > 0
    assert data["company_id"] == 70001
    for order in data["orders"]:
        price = order["order_price"]
        expected = (
            price["ride_price"] + price["cancellation_fee"] - price["commission"] + price["tip"]
        )
        assert price["net_earnings"] == pytest.approx(expected, abs=0.011)
        assert YESTERDAY[0] <= order["order_created_timestamp"] < YESTERDAY[1]
    assert {o["order_status"] for o in data["orders"]} <= {
        "finished", "client_cancelled", "driver_did_not_respond"
    }  # fmt: skip


async def test_price_review_filter_uses_the_fare_finalised_time(bolt):
    data = await bolt.ok(
        "getFleetOrders", orders_body(*YESTERDAY, time_range_filter_type="price_review")
    )
    assert data["orders"]
    for order in data["orders"]:
        assert YESTERDAY[0] <= order["payment_confirmed_timestamp"] < YESTERDAY[1]


async def test_order_pages_walk_to_total_orders(bolt):
    total = (await bolt.ok("getFleetOrders", orders_body(*YESTERDAY)))["total_orders"]
    refs, offset = [], 0
    while offset < total:
        page = await bolt.ok("getFleetOrders", orders_body(*YESTERDAY, offset=offset, limit=25))
        refs += [o["order_reference"] for o in page["orders"]]
        offset += 25
    assert len(refs) == len(set(refs)) == total


async def test_kept_order_lists_follow_the_clock(bolt, clock):
    body = orders_body(NOW - DAY, NOW + DAY, limit=10)
    before = await bolt.ok("getFleetOrders", body)
    clock.advance(timedelta(hours=3))
    await bolt.login()
    after = await bolt.ok("getFleetOrders", body)
    assert after["total_orders"] > before["total_orders"]


async def test_kept_order_lists_show_a_changed_roster_at_once(bolt):
    body = orders_body(*YESTERDAY)
    before = {o["driver_phone"] for o in (await bolt.ok("getFleetOrders", body))["orders"]}
    await bolt.client.post("/_sim/bolt/drivers/mutate", json={"count": 25})
    after = {o["driver_phone"] for o in (await bolt.ok("getFleetOrders", body))["orders"]}
    assert before
    assert not before & after


async def test_unknown_time_filter_is_invalid(bolt):
    body = orders_body(*YESTERDAY, time_range_filter_type="finished")
    assert (await bolt.call("getFleetOrders", body)).json()["code"] == 702


async def test_no_order_from_the_future(bolt):
    data = await bolt.ok("getFleetOrders", orders_body(NOW - 3600, NOW + 3600 * 10))
    assert all(o["order_created_timestamp"] <= NOW for o in data["orders"])


# -- state logs -----------------------------------------------------------------------------


async def test_state_logs_come_newest_first_with_total_rows(bolt):
    data = await bolt.ok("getFleetStateLogs", window(*YESTERDAY))
    created = [log["created"] for log in data["state_logs"]]
    assert created == sorted(created, reverse=True)
    assert data["total_rows"] == len(created) > 0
    assert {log["state"] for log in data["state_logs"]} <= {
        "inactive",
        "waiting_orders",
        "has_order",
    }


async def test_online_time_agrees_across_providers(uber, bolt):
    logs = (await bolt.ok("getFleetStateLogs", window(*YESTERDAY)))["state_logs"]
    bolt_online = online_seconds(logs)
    org_id = await uber.org_id()
    body = {
        "reportRequests": [{
            "timeRanges": [{"startsAt": YESTERDAY[0] * 1000, "endsAt": YESTERDAY[1] * 1000}],
            "dimensions": [{"name": "vs:driver"}],
            "metrics": [{"expression": "vs:HoursOnline"}],
        }],
        "orgId": {"orgUuid": org_id},
    }  # fmt: skip
    rows = (await uber.post("/v1/vehicle-suppliers/analytics-data/query", body)).json()
    uber_hours = {
        r["dimensionId"]: r["metricValues"][0]
        for r in rows["reports"][0]["data"]["timeRangeData"][0]["rows"]
    }
    compared = 0
    for pair in (await people_truth(bolt))["pairs"]:
        bolt_seconds = bolt_online.get(pair["bolt_driver_uuid"], 0)
        assert f"{bolt_seconds / 3600:.2f}" == uber_hours[pair["uber_driver_id"]]
        compared += bolt_seconds > 0
    assert compared > 5


async def test_the_same_person_has_the_same_car_on_both_providers(uber, bolt):
    org_id = await uber.org_id()
    uber_drivers = (
        await uber.get(
            "/v1/vehicle-suppliers/drivers",
            org_id=org_id,
            page_size=100,
            include_assigned_vehicles="true",
        )
    ).json()["driverInformation"]
    uber_vehicles = (
        await uber.get("/v2/vehicle-suppliers/vehicles", org_id=org_id, page_size=100)
    ).json()["vehicleInformation"]
    plate_of_vehicle = {v["vehicleId"]: v["licensePlate"] for v in uber_vehicles}
    uber_plate = {
        d["driverId"]: plate_of_vehicle[d["assignedVehicles"][0]["vehicleId"]] for d in uber_drivers
    }
    bolt_drivers = (await bolt.ok("getDrivers", window(NOW - DAY, NOW)))["drivers"]
    bolt_plate = {d["driver_uuid"]: d["active_vehicle"]["reg_number"] for d in bolt_drivers}
    pairs = (await people_truth(bolt))["pairs"]
    assert pairs
    for pair in pairs:
        assert uber_plate[pair["uber_driver_id"]] == bolt_plate[pair["bolt_driver_uuid"]]


async def people_truth(calls) -> dict:
    """The simulator's ground truth of who is who across the platforms."""
    response = await calls.client.get("/_sim/truth/people")
    assert response.status_code == 200, response.text
    return response.json()


# -- chaos and control ------------------------------------------------------------------------


async def test_bolt_429_with_and_without_retry_after(bolt):
    await bolt.client.post("/_sim/chaos", json={"provider": "bolt", "fail_next": 1, "status": 429})
    plain = await bolt.call("test")
    await bolt.client.post(
        "/_sim/chaos", json={"provider": "bolt", "fail_next": 1, "status": 429, "retry_after": 5}
    )
    hinted = await bolt.call("test")
    assert plain.status_code == hinted.status_code == 429
    assert "retry-after" not in plain.headers
    assert hinted.headers["retry-after"] == "5"
    assert (await bolt.call("test")).status_code == 200


async def test_bolt_503_then_recovers(bolt):
    await bolt.client.post("/_sim/chaos", json={"provider": "bolt", "fail_next": 1, "status": 503})
    failed = await bolt.call("getDrivers", window(NOW - DAY, NOW))
    assert failed.status_code == 503
    assert failed.json()["statusCode"] == 503
    assert (await bolt.call("getDrivers", window(NOW - DAY, NOW))).json()["code"] == 0
    stats = (await bolt.client.get("/_sim/stats")).json()
    assert stats["calls"]["POST /fleet-integration-gateway/fleetIntegration/v1/getDrivers"] == {
        "200": 1,
        "503": 1,
    }


async def test_transient_next_answers_999_with_zero_records(bolt):
    await bolt.client.post("/_sim/chaos", json={"provider": "bolt", "transient_next": 1})
    first = (await bolt.call("getFleetOrders", orders_body(*YESTERDAY))).json()
    second = (await bolt.call("getFleetOrders", orders_body(*YESTERDAY))).json()
    assert first == {
        "code": 999,
        "message": "CLIENT_TIMEOUT",
        "data": {"orders": [], "total_orders": 0},
    }
    assert second["code"] == 0


async def test_bolt_malformed_next_drops_one_driver_uuid(bolt):
    await bolt.client.post("/_sim/chaos", json={"provider": "bolt", "malformed_next": 1})
    drivers = (await bolt.ok("getDrivers", window(NOW - DAY, NOW)))["drivers"]
    assert sum("driver_uuid" not in d for d in drivers) == 1


async def test_bolt_truncated_and_extra_fields(bolt):
    await bolt.client.post(
        "/_sim/chaos", json={"provider": "bolt", "truncated_next": 1, "extra_fields": True}
    )
    broken = await bolt.call("getCompanies")
    with pytest.raises(ValueError):
        broken.json()
    body = (await bolt.call("getCompanies")).json()
    assert "simUnannouncedField" in body
    assert "simUnannouncedField" in body["data"]
    assert body["data"]["company_ids"] == [70001]


async def test_delay_ms_slows_every_call(bolt):
    await bolt.client.post("/_sim/chaos", json={"provider": "bolt", "delay_ms": 150})
    started = time.perf_counter()
    await bolt.call("test")
    assert time.perf_counter() - started >= 0.15


async def test_bolt_roster_controls(bolt):
    added = (await bolt.client.post("/_sim/bolt/drivers/add", json={"count": 3})).json()["added"]
    removed = (await bolt.client.post("/_sim/bolt/drivers/remove", json={"count": 2})).json()[
        "removed"
    ]
    changed = (await bolt.client.post("/_sim/bolt/drivers/mutate", json={"count": 1})).json()[
        "changed"
    ]
    drivers = (await bolt.ok("getDrivers", window(NOW - DAY, NOW)))["drivers"]
    ids = {d["driver_uuid"] for d in drivers}
    assert len(ids) == 26
    assert not set(removed) & ids
    assert set(changed) <= ids
    assert len(added) == 3
    assert (await bolt.client.get("/_sim/stats")).json()["bolt"]["drivers"] == 26


async def test_clock_control_moves_a_fixed_clock(bolt):
    moved = (await bolt.client.post("/_sim/clock", json={"advance_s": 601})).json()
    assert moved["now"] == "2025-03-10T08:10:01+00:00"
    assert (await bolt.call("test")).status_code == 401


async def test_drivers_are_spread_over_companies(open_bolt):
    bolt = await open_bolt(SimulatorSettings(bolt_companies=2, bolt_drivers=9))
    first = (await bolt.ok("getDrivers", window(NOW - DAY, NOW)))["drivers"]
    second = (await bolt.ok("getDrivers", window(NOW - DAY, NOW, company_id=70002)))["drivers"]
    assert (len(first), len(second)) == (5, 4)
    orders = await bolt.ok("getFleetOrders", orders_body(*YESTERDAY, company_ids=[70001, 70002]))
    drivers = {d["driver_uuid"] for d in first + second}
    assert {o["driver_uuid"] for o in orders["orders"]} <= drivers


async def test_same_seed_serves_identical_orders(open_bolt):
    bodies = []
    for _ in range(2):
        bolt = await open_bolt(SimulatorSettings(seed=11))
        bodies.append((await bolt.call("getFleetOrders", orders_body(*YESTERDAY))).content)
    assert bodies[0] == bodies[1]
