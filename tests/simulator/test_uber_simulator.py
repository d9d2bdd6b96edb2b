"""Behaviour of the Uber side of the simulator: tokens, orgs, drivers, chaos and control."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest

from simulator import FixedClock, SimulatorSettings

DRIVERS = "/v1/vehicle-suppliers/drivers"
ORGS = "/v1/vehicle-suppliers/orgs"
TOKEN = "/oauth/v2/token"
CREDENTIALS = {
    "client_id": "sim-uber-client",
    "client_secret": "sim-uber-secret",
    "grant_type": "client_credentials",
}


async def all_driver_pages(uber, org_id: str, page_size: int) -> list[list[dict]]:
    """Walk the drivers cursor to the end and return every page."""
    pages, token = [], ""
    while True:
        params = {"org_id": org_id, "page_size": page_size}
        if token:
            params["page_token"] = token
        response = await uber.get(DRIVERS, **params)
        assert response.status_code == 200, response.text
        body = response.json()
        pages.append(body["driverInformation"])
        token = body["paginationResult"]["nextPageToken"]
        if not token:
            return pages


# -- tokens ---------------------------------------------------------------------


async def test_token_grants_requested_scopes_for_30_days(client):
    response = await client.post(TOKEN, data={**CREDENTIALS, "scope": "supplier.partner.payments"})
    body = response.json()
    assert response.status_code == 200
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 2592000
    assert body["scope"] == "supplier.partner.payments"
    assert len(body["access_token"]) >= 20


async def test_bad_client_secret_is_invalid_client(client):
    response = await client.post(TOKEN, data={**CREDENTIALS, "client_secret": "nope"})
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


async def test_unknown_scope_is_invalid_scope(client):
    scope = "vehicle_suppliers.organizations.read supplier.driver.activity.read"
    response = await client.post(TOKEN, data={**CREDENTIALS, "scope": scope})
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_scope"


async def test_wrong_grant_type_is_unsupported_grant_type(client):
    response = await client.post(TOKEN, data={**CREDENTIALS, "grant_type": "password"})
    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_grant_type"


async def test_basic_auth_client_credentials_are_accepted(client):
    basic = base64.b64encode(b"sim-uber-client:sim-uber-secret").decode()
    response = await client.post(
        TOKEN,
        data={"grant_type": "client_credentials", "scope": "supplier.partner.payments"},
        headers={"Authorization": f"Basic {basic}"},
    )
    assert response.status_code == 200


async def test_missing_bearer_gets_401_in_uber_shape(client):
    response = await client.get(ORGS)
    assert response.status_code == 401
    assert response.json() == {
        "code": "unauthorized",
        "message": "Invalid OAuth 2.0 credentials provided",
    }


async def test_unknown_token_gets_401(client):
    response = await client.get(ORGS, headers={"Authorization": "Bearer not-a-token"})
    assert response.status_code == 401


async def test_expired_token_gets_401(uber, clock: FixedClock):
    assert (await uber.get(ORGS)).status_code == 200
    clock.advance(timedelta(seconds=2592000))
    response = await uber.get(ORGS)
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"


async def test_sim_expire_invalidates_live_tokens_until_a_new_one_is_minted(uber):
    assert (await uber.sim("/_sim/uber/tokens/expire"))["expired"] == 1
    assert (await uber.get(ORGS)).status_code == 401
    await uber.login()
    assert (await uber.get(ORGS)).status_code == 200


async def test_minting_past_the_live_cap_evicts_the_oldest_token(open_uber):
    uber = await open_uber(SimulatorSettings(uber_token_max_live=2))
    tokens = [uber.token, await uber.login(), await uber.login()]
    statuses = []
    for token in tokens:
        uber.token = token
        statuses.append((await uber.get(ORGS)).status_code)
    assert statuses == [401, 200, 200]


async def test_missing_scope_gets_403_forbidden(uber):
    await uber.login(scope="supplier.partner.payments")
    response = await uber.get(ORGS)
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


async def test_drivers_accept_either_status_or_metrics_scope(uber):
    await uber.login(scope="vehicle_suppliers.organizations.read")
    org_id = await uber.org_id()
    await uber.login(scope="solutions.suppliers.metrics.read")
    assert (await uber.get(DRIVERS, org_id=org_id)).status_code == 200
    await uber.login(scope="solutions.suppliers.drivers.status.read")
    assert (await uber.get(DRIVERS, org_id=org_id)).status_code == 200


# -- orgs -------------------------------------------------------------------------


async def test_orgs_list_root_without_parent_and_children_pointing_to_it(open_uber):
    uber = await open_uber(SimulatorSettings(uber_orgs=3))
    orgs = (await uber.get(ORGS)).json()["organizations"]
    root, *children = orgs
    assert "parent_org_id" not in root
    assert [child["parent_org_id"] for child in children] == [root["id"], root["id"]]
    assert all(org["types"] == ["DRIVER_BUSINESS"] for org in orgs)


async def test_org_ids_look_encrypted(uber):
    org_id = await uber.org_id()
    assert len(org_id) == 132
    assert org_id.endswith("==")
    assert set(org_id) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=")


# -- drivers ------------------------------------------------------------------------


async def test_same_seed_serves_identical_drivers(open_uber):
    bodies = []
    for _ in range(2):
        uber = await open_uber(SimulatorSettings(seed=7))
        org_id = await uber.org_id()
        params = {"org_id": org_id, "page_size": 100, "include_assigned_vehicles": "true"}
        bodies.append((await uber.get(DRIVERS, **params)).content)
    assert bodies[0] == bodies[1]


async def test_different_seeds_serve_different_drivers(open_uber):
    ids = []
    for seed in (1, 2):
        uber = await open_uber(SimulatorSettings(seed=seed))
        body = (await uber.get(DRIVERS, org_id=await uber.org_id())).json()
        ids.append([d["driverId"] for d in body["driverInformation"]])
    assert ids[0] != ids[1]


async def test_driver_records_carry_uber_fields(uber):
    org_id = await uber.org_id()
    body = (await uber.get(DRIVERS, org_id=org_id, include_assigned_vehicles="true")).json()
    driver = body["driverInformation"][0]
    assert set(driver) == {
        "driverId", "driverIdEncrypted", "firstName", "lastName", "email", "phoneNumber",
        "assignedVehicles",
    }  # fmt: skip
    assert driver["phoneNumber"]["countryCode"] == "+33"
    assert driver["phoneNumber"]["number"].startswith("6")
    assert len(driver["phoneNumber"]["number"]) == 9
    assert len(driver["driverId"]) == 36
    assert driver["driverIdEncrypted"].endswith("==")
    assert len(driver["assignedVehicles"][0]["vehicleId"]) == 36


async def test_assigned_vehicles_only_when_asked(uber):
    org_id = await uber.org_id()
    body = (await uber.get(DRIVERS, org_id=org_id)).json()
    assert all("assignedVehicles" not in d for d in body["driverInformation"])


async def test_default_page_size_is_ten(uber):
    body = (await uber.get(DRIVERS, org_id=await uber.org_id())).json()
    assert len(body["driverInformation"]) == 10
    assert body["paginationResult"]["nextPageToken"] != ""


async def test_pagination_walks_every_driver_once(uber):
    pages = await all_driver_pages(uber, await uber.org_id(), page_size=7)
    ids = [d["driverId"] for page in pages for d in page]
    assert [len(p) for p in pages] == [7, 7, 7, 4]
    assert len(ids) == len(set(ids)) == 25
    assert ids == sorted(ids)


async def test_last_page_has_empty_next_page_token(uber):
    body = (await uber.get(DRIVERS, org_id=await uber.org_id(), page_size=100)).json()
    assert len(body["driverInformation"]) == 25
    assert body["paginationResult"] == {"nextPageToken": ""}


@pytest.mark.parametrize("size", ["0", "101", "-1", "ten"])
async def test_page_size_out_of_range_is_bad_request(uber, size: str):
    response = await uber.get(DRIVERS, org_id=await uber.org_id(), page_size=size)
    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"


async def test_page_size_over_100_is_bad_request(uber):
    response = await uber.get(DRIVERS, org_id=await uber.org_id(), page_size=101)
    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"


async def test_missing_org_id_is_bad_request(uber):
    response = await uber.get(DRIVERS)
    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"


@pytest.mark.parametrize(
    "org_id", ["nope", "5b1e2c4a-0000-4000-8000-000000000001", "A" * 130 + "=="]
)
async def test_unknown_or_plain_org_id_is_invalid_organization_id(uber, org_id: str):
    response = await uber.get(DRIVERS, org_id=org_id)
    assert response.status_code == 400
    assert response.json() == {"code": "bad_request", "message": "Invalid Organization Id"}


async def test_forged_page_token_is_bad_request(uber):
    response = await uber.get(DRIVERS, org_id=await uber.org_id(), page_token="%%garbage")
    assert response.status_code == 400


async def test_driver_id_filter_takes_the_raw_uuid(uber):
    org_id = await uber.org_id()
    first = (await uber.get(DRIVERS, org_id=org_id)).json()["driverInformation"][0]
    by_raw = (await uber.get(DRIVERS, org_id=org_id, driver_id=first["driverId"])).json()
    by_encrypted = (
        await uber.get(DRIVERS, org_id=org_id, driver_id=first["driverIdEncrypted"])
    ).json()
    assert by_raw["driverInformation"] == [first]
    assert by_encrypted["driverInformation"] == []


async def test_drivers_are_split_between_orgs_without_child_data(open_uber):
    uber = await open_uber(SimulatorSettings(uber_orgs=2, uber_drivers=10))
    counts = []
    for org in (await uber.get(ORGS)).json()["organizations"]:
        body = (await uber.get(DRIVERS, org_id=org["id"], page_size=100)).json()
        counts.append(len(body["driverInformation"]))
    assert counts == [5, 5]


# -- run-time changes -----------------------------------------------------------------


async def test_mutate_changes_phone_of_exactly_n_drivers(uber):
    org_id = await uber.org_id()
    before = {
        d["driverId"]: d
        for d in (await uber.get(DRIVERS, org_id=org_id, page_size=100)).json()["driverInformation"]
    }
    changed = (await uber.sim("/_sim/uber/drivers/mutate", {"count": 3}))["changed"]
    after = {
        d["driverId"]: d
        for d in (await uber.get(DRIVERS, org_id=org_id, page_size=100)).json()["driverInformation"]
    }
    differing = [i for i in before if before[i] != after[i]]
    assert sorted(differing) == sorted(changed)
    assert len(changed) == 3
    assert all(before[i]["phoneNumber"] != after[i]["phoneNumber"] for i in changed)


async def test_mutations_are_deterministic_for_a_seed(open_uber):
    results = []
    for _ in range(2):
        uber = await open_uber(SimulatorSettings(seed=3))
        results.append(await uber.sim("/_sim/uber/drivers/mutate", {"count": 4}))
    assert results[0] == results[1]


async def test_add_and_remove_drivers_change_the_roster(uber):
    org_id = await uber.org_id()
    added = (await uber.sim("/_sim/uber/drivers/add", {"count": 2}))["added"]
    removed = (await uber.sim("/_sim/uber/drivers/remove", {"count": 1}))["removed"]
    body = (await uber.get(DRIVERS, org_id=org_id, page_size=100)).json()
    ids = {d["driverId"] for d in body["driverInformation"]}
    assert len(ids) == 26
    assert set(added) - set(removed) <= ids
    assert not set(removed) & ids
    assert (await uber.sim("/_sim/stats"))["uber"]["drivers"] == 26


async def test_pagination_survives_a_driver_added_mid_walk(uber):
    org_id = await uber.org_id()
    first = (await uber.get(DRIVERS, org_id=org_id, page_size=10)).json()
    seen = {d["driverId"] for d in first["driverInformation"]}
    await uber.sim("/_sim/uber/drivers/add", {"count": 5})
    token = first["paginationResult"]["nextPageToken"]
    while token:
        body = (await uber.get(DRIVERS, org_id=org_id, page_size=10, page_token=token)).json()
        page_ids = {d["driverId"] for d in body["driverInformation"]}
        assert not page_ids & seen
        seen |= page_ids
        token = body["paginationResult"]["nextPageToken"]
    assert len(seen) >= 25


# -- chaos -------------------------------------------------------------------------------


async def test_fail_next_answers_503_then_recovers(uber):
    await uber.sim("/_sim/chaos", {"provider": "uber", "fail_next": 2, "status": 503})
    first, second, third = [await uber.get(ORGS) for _ in range(3)]
    assert (first.status_code, second.status_code, third.status_code) == (503, 503, 200)
    assert first.json()["code"] == "service_unavailable"
    assert "retry-after" not in first.headers
    calls = (await uber.sim("/_sim/stats"))["calls"]
    assert calls[f"GET {ORGS}"] == {"200": 1, "503": 2}


async def test_fail_next_does_not_touch_token_calls(uber):
    await uber.sim("/_sim/chaos", {"provider": "uber", "fail_next": 1})
    await uber.login()
    assert (await uber.get(ORGS)).status_code == 503


async def test_rate_limited_burst_sends_retry_after_only_when_set(uber):
    await uber.sim("/_sim/chaos", {"fail_next": 1, "status": 429})
    plain = await uber.get(ORGS)
    await uber.sim("/_sim/chaos", {"fail_next": 1, "status": 429, "retry_after": 3})
    hinted = await uber.get(ORGS)
    assert plain.status_code == hinted.status_code == 429
    assert plain.json() == {
        "code": "rate_limited",
        "message": "Number of requests exceeds allowed limit",
    }
    assert "retry-after" not in plain.headers
    assert hinted.headers["retry-after"] == "3"


async def test_500_injection_uses_internal_server_error_code(uber):
    await uber.sim("/_sim/chaos", {"fail_next": 1, "status": 500})
    response = await uber.get(ORGS)
    assert response.status_code == 500
    assert response.json()["code"] == "internal_server_error"


async def test_bolt_chaos_does_not_affect_uber(uber):
    await uber.sim("/_sim/chaos", {"provider": "bolt", "fail_next": 5})
    assert (await uber.get(ORGS)).status_code == 200


async def test_malformed_next_drops_driver_id_from_one_record(uber):
    org_id = await uber.org_id()
    await uber.sim("/_sim/chaos", {"provider": "uber", "malformed_next": 1})
    bad = (await uber.get(DRIVERS, org_id=org_id)).json()["driverInformation"]
    good = (await uber.get(DRIVERS, org_id=org_id)).json()["driverInformation"]
    missing = [d for d in bad if "driverId" not in d]
    assert len(missing) == 1
    assert len(bad) == len(good) == 10
    assert [d for d in bad if "driverId" in d] == [d for d in good if d != good[len(good) // 2]]
    assert all("driverId" in d for d in good)


async def test_truncated_next_returns_invalid_json_once(uber):
    await uber.sim("/_sim/chaos", {"truncated_next": 1})
    broken = await uber.get(ORGS)
    assert broken.status_code == 200
    with pytest.raises(ValueError):
        broken.json()
    assert (await uber.get(ORGS)).json()["organizations"]


async def test_extra_fields_add_unknown_keys_to_every_object(uber):
    await uber.sim("/_sim/chaos", {"extra_fields": True})
    body = (await uber.get(DRIVERS, org_id=await uber.org_id())).json()
    assert "simUnannouncedField" in body
    assert all("simUnannouncedField" in d for d in body["driverInformation"])
    assert all("driverId" in d for d in body["driverInformation"])


async def test_bad_chaos_body_is_rejected(client):
    response = await client.post("/_sim/chaos", json={"provider": "lyft", "fail_next": 1})
    assert response.status_code == 400
    response = await client.post("/_sim/chaos", json={"fail_nxt": 1})
    assert response.status_code == 400


async def test_chaos_post_replaces_previous_faults(uber):
    await uber.sim("/_sim/chaos", {"fail_next": 3})
    await uber.sim("/_sim/chaos", {"malformed_next": 1})
    assert (await uber.get(ORGS)).status_code == 200


async def test_stats_count_calls_by_route_and_status(uber):
    await uber.get(ORGS)
    await uber.get(DRIVERS)
    stats = await uber.sim("/_sim/stats")
    assert stats["calls"][f"GET {ORGS}"] == {"200": 1}
    assert stats["calls"][f"GET {DRIVERS}"] == {"400": 1}
    assert stats["calls"][f"POST {TOKEN}"] == {"200": 1}
    assert stats["uber"] == {"drivers": 25, "live_tokens": 1}
    assert all(not route.split()[1].startswith("/_sim/") for route in stats["calls"])


async def test_unknown_uber_route_is_404_in_uber_shape(uber):
    response = await uber.get("/v1/vehicle-suppliers/nothing")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


async def test_token_fail_next_hits_only_the_token_endpoint(uber):
    await uber.sim("/_sim/chaos", {"token_fail_next": 1, "status": 429, "retry_after": 300})
    refused = await uber.client.post(TOKEN, data=CREDENTIALS)
    assert refused.status_code == 429
    assert refused.json()["error"] == "rate_limited"
    assert refused.headers["retry-after"] == "300"
    assert (await uber.get(ORGS)).status_code == 200
    assert (await uber.client.post(TOKEN, data=CREDENTIALS)).status_code == 200
