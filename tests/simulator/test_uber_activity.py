"""Uber activity endpoints: realtime status, vehicles, analytics, payments, transactions.

All figures derive from the same generated trips, so the tests check that the
endpoints reconcile with one another, not just their shapes.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from simulator import SimulatorSettings

ACTIONS = "/v1/vehicle-suppliers/drivers/actions"
VEHICLES = "/v2/vehicle-suppliers/vehicles"
ANALYTICS = "/v1/vehicle-suppliers/analytics-data/query"
PAYMENTS = "/v1/vehicle-suppliers/earners/payments"
TRANSACTIONS = "/v1/vehicle-suppliers/transactions"
DRIVERS = "/v1/vehicle-suppliers/drivers"
ALL_METRICS = ["vs:HoursOnline", "vs:HoursOnTrip", "vs:TotalTrips", "vs:TotalEarnings"]
NOW_MS = 1741593600000  # 2025-03-10T08:00:00Z
HOUR_MS = 3600 * 1000
DAY_MS = 24 * HOUR_MS


def analytics_body(org_id: str, ranges: list[tuple[int, int]], **extra) -> dict:
    """A one-report analytics query for ``vs:driver`` with every metric."""
    request = {
        "timeRanges": [{"startsAt": s, "endsAt": e} for s, e in ranges],
        "dimensions": [{"name": "vs:driver"}],
        "metrics": [{"expression": m} for m in ALL_METRICS],
        **extra,
    }
    return {"reportRequests": [request], "orgId": {"orgUuid": org_id}}


def euros_to_cents(text: str) -> int:
    whole, _, frac = text.partition(".")
    return int(whole) * 100 + int(frac or 0)


def total_trips(rows: dict[str, list[str]]) -> int:
    return sum(int(values[2]) for values in rows.values())


def e5_to_cents(amount: dict) -> int:
    assert amount["currencyCode"] == "EUR"
    assert amount["amountE5"] % 1000 == 0
    return amount["amountE5"] // 1000


async def analytics_rows(uber, org_id: str, start: int, end: int) -> dict[str, list[str]]:
    response = await uber.post(ANALYTICS, analytics_body(org_id, [(start, end)]))
    assert response.status_code == 200, response.text
    rows = response.json()["reports"][0]["data"]["timeRangeData"][0]["rows"]
    return {row["dimensionId"]: row["metricValues"] for row in rows}


async def payments_by_driver(uber, org_id: str, **params) -> dict[str, int]:
    body = (await uber.get(PAYMENTS, org_id=org_id, page_size=100, **params)).json()
    totals = {}
    for earner in body["earnerPaymentBreakdowns"]:
        earnings, *outside = earner["paymentBreakdowns"]
        assert earnings["categoryName"] == "earnings"
        # Tolls refunded and cash collected are not earnings: groups without an amount.
        assert {o["categoryName"] for o in outside} <= {"refunds", "payouts"}
        assert all("amount" not in o for o in outside)
        children = sum(e5_to_cents(c["amount"]) for c in earnings["children"])
        assert children == e5_to_cents(earnings["amount"])
        totals[earner["earnerInfo"]["uuid"]] = e5_to_cents(earnings["amount"])
    return totals


# -- realtime status (U3) ---------------------------------------------------------


async def test_actions_require_page_size(uber):
    response = await uber.get(ACTIONS, org_id=await uber.org_id())
    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"


async def test_actions_report_current_status_with_driver_uuid(uber):
    body = (await uber.get(ACTIONS, org_id=await uber.org_id(), page_size=100)).json()
    overviews = body["driverStatusOverviews"]
    assert len(overviews) == 25
    statuses = set()
    for item in overviews:
        assert set(item["driverInfo"]) == {"driverUuid", "firstName", "lastName"}
        assert item["onboardingStatus"] == "ONBOARDING_STATUS_ACTIVE"
        assert item["vehicleInfo"]["licensePlate"]
        if item["statusEntries"] is not None:
            statuses.add(item["statusEntries"][0]["status"])
            assert item["statusEntries"][0]["timestamp"].endswith("Z")
    assert statuses <= {"DRIVER_STATUS_ONLINE", "DRIVER_STATUS_ONTRIP", "DRIVER_STATUS_OFFLINE"}
    assert any(item["statusEntries"] is None for item in overviews)
    assert statuses & {"DRIVER_STATUS_ONLINE", "DRIVER_STATUS_ONTRIP"}


async def test_actions_need_the_status_scope(uber):
    org_id = await uber.org_id()
    await uber.login(scope="solutions.suppliers.metrics.read")
    assert (await uber.get(ACTIONS, org_id=org_id, page_size=10)).status_code == 403


# -- vehicles (U5) --------------------------------------------------------------------


async def test_v2_vehicles_accept_page_size_up_to_1000(uber):
    org_id = await uber.org_id()
    assert (await uber.get(VEHICLES, org_id=org_id, page_size=1001)).status_code == 400
    body = (await uber.get(VEHICLES, org_id=org_id, page_size=1000)).json()
    assert len(body["vehicleInformation"]) == 25
    assert body["paginationResult"]["nextPageToken"] == ""
    vehicle = body["vehicleInformation"][0]
    assert set(vehicle) == {
        "vehicleId", "vehicleIdEncrypted", "licensePlate", "make", "model", "year", "vin", "color"
    }  # fmt: skip


async def test_v2_vehicles_default_to_ten_per_page(uber):
    body = (await uber.get(VEHICLES, org_id=await uber.org_id())).json()
    assert len(body["vehicleInformation"]) == 10
    assert body["paginationResult"]["nextPageToken"]


async def test_assigned_vehicles_exist_in_the_vehicle_list(uber):
    org_id = await uber.org_id()
    drivers = (
        await uber.get(DRIVERS, org_id=org_id, page_size=100, include_assigned_vehicles="true")
    ).json()["driverInformation"]
    vehicles = (await uber.get(VEHICLES, org_id=org_id, page_size=100)).json()
    known = {v["vehicleId"] for v in vehicles["vehicleInformation"]}
    assert {d["assignedVehicles"][0]["vehicleId"] for d in drivers} <= known


# -- analytics (U4) ---------------------------------------------------------------------


async def test_analytics_returns_string_metrics_per_driver(uber):
    org_id = await uber.org_id()
    response = await uber.post(ANALYTICS, analytics_body(org_id, [(NOW_MS - DAY_MS, NOW_MS)]))
    report = response.json()["reports"][0]
    headers = [h["name"] for h in report["columnHeader"]["metricHeaderEntries"]]
    rows = report["data"]["timeRangeData"][0]["rows"]
    assert headers == ["HoursOnline", "HoursOnTrip", "TotalTrips", "TotalEarnings"]
    assert len(rows) == 25
    assert all(isinstance(v, str) for row in rows for v in row["metricValues"])
    assert all(len(row["dimensionValues"]) == 2 for row in rows)
    assert sum(int(row["metricValues"][2]) for row in rows) > 0


async def test_analytics_over_8_days_is_bad_request(uber):
    body = analytics_body(await uber.org_id(), [(NOW_MS - 9 * DAY_MS, NOW_MS)])
    response = await uber.post(ANALYTICS, body)
    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"


async def test_analytics_unknown_metric_is_bad_request(uber):
    body = analytics_body(await uber.org_id(), [(NOW_MS - DAY_MS, NOW_MS)])
    body["reportRequests"][0]["metrics"] = [{"expression": "vs:Nonsense"}]
    assert (await uber.post(ANALYTICS, body)).status_code == 400


async def test_analytics_daily_ranges_add_up_to_the_weekly_range(uber):
    org_id = await uber.org_id()
    days = [(NOW_MS - (i + 1) * DAY_MS, NOW_MS - i * DAY_MS) for i in range(7)]
    response = await uber.post(ANALYTICS, analytics_body(org_id, days))
    per_day = response.json()["reports"][0]["data"]["timeRangeData"]
    week = await analytics_rows(uber, org_id, NOW_MS - 7 * DAY_MS, NOW_MS)
    for driver_id, values in week.items():
        rows = [next(r for r in day["rows"] if r["dimensionId"] == driver_id) for day in per_day]
        assert sum(int(r["metricValues"][2]) for r in rows) == int(values[2])
        assert sum(euros_to_cents(r["metricValues"][3]) for r in rows) == euros_to_cents(values[3])
        assert float(values[1]) <= float(values[0])


async def test_analytics_filter_keeps_only_listed_drivers(uber):
    org_id = await uber.org_id()
    all_rows = await analytics_rows(uber, org_id, NOW_MS - DAY_MS, NOW_MS)
    wanted = sorted(all_rows)[:2]
    clause = {
        "operator": "FILTER_LOGICAL_OPERATOR_AND",
        "filters": [
            {"dimension_name": "vs:driver", "operator": "OPERATOR_IN", "expressions": wanted}
        ],
    }
    body = analytics_body(org_id, [(NOW_MS - DAY_MS, NOW_MS)], dimension_filter_clauses=[clause])
    rows = (await uber.post(ANALYTICS, body)).json()["reports"][0]["data"]["timeRangeData"][0]
    assert [r["dimensionId"] for r in rows["rows"]] == wanted


async def test_analytics_pages_with_page_tokens(uber):
    org_id = await uber.org_id()
    seen, token = [], ""
    while True:
        options = {"pageSize": 10, "pageToken": token}
        body = analytics_body(org_id, [(NOW_MS - DAY_MS, NOW_MS)], pagination_options=options)
        report = (await uber.post(ANALYTICS, body)).json()["reports"][0]
        seen += [r["dimensionId"] for r in report["data"]["timeRangeData"][0]["rows"]]
        token = report["paginationResult"]["nextPageToken"]
        if not token:
            break
    assert len(seen) == len(set(seen)) == 25


async def test_analytics_beyond_history_is_all_zero(open_uber):
    uber = await open_uber(SimulatorSettings(uber_history_days=3))
    old = await analytics_rows(uber, await uber.org_id(), NOW_MS - 6 * DAY_MS, NOW_MS - 5 * DAY_MS)
    assert all(values == ["0.00", "0.00", "0", "0.00"] for values in old.values())


async def test_future_trips_appear_as_the_clock_advances(uber, clock):
    org_id = await uber.org_id()
    day_start = NOW_MS - 8 * HOUR_MS
    before = await analytics_rows(uber, org_id, day_start, day_start + DAY_MS)
    clock.advance(timedelta(hours=6))
    after = await analytics_rows(uber, org_id, day_start, day_start + DAY_MS)
    assert total_trips(after) > total_trips(before)


# -- payments (U6) ------------------------------------------------------------------------


async def test_payments_match_analytics_earnings_over_the_last_day(uber):
    org_id = await uber.org_id()
    paid = await payments_by_driver(uber, org_id, start_time=NOW_MS - DAY_MS, end_time=NOW_MS)
    rows = await analytics_rows(uber, org_id, NOW_MS - DAY_MS, NOW_MS)
    earned = {d: euros_to_cents(v[3]) for d, v in rows.items() if euros_to_cents(v[3])}
    assert paid == earned
    assert paid


async def test_payments_only_cover_the_last_24_hours(uber):
    org_id = await uber.org_id()
    week = await payments_by_driver(uber, org_id, start_time=NOW_MS - 7 * DAY_MS)
    day = await payments_by_driver(uber, org_id)
    assert week == day


async def test_payments_in_pay_period_mode_answer_the_pay_week_whatever_the_window(open_uber):
    asked = await open_uber(SimulatorSettings())
    period = await open_uber(SimulatorSettings(uber_payments_window="pay_period"))
    org_id = await period.org_id()
    week_start = NOW_MS - 5 * HOUR_MS  # Monday 04:00 in Paris (03:00 UTC)

    week = await payments_by_driver(asked, org_id, start_time=week_start, end_time=NOW_MS)
    answers = [
        await payments_by_driver(period, org_id, start_time=start, end_time=end)
        for start, end in [(NOW_MS - HOUR_MS, NOW_MS), (NOW_MS - DAY_MS, NOW_MS),
                           (NOW_MS + HOUR_MS, NOW_MS + 2 * HOUR_MS)]
    ]  # fmt: skip

    assert week and all(answer == week for answer in answers)


async def test_payments_show_drivers_added_since_the_last_call(uber):
    org_id = await uber.org_id()
    before = await payments_by_driver(uber, org_id)
    added = (await uber.sim("/_sim/uber/drivers/add", {"count": 5}))["added"]
    after = await payments_by_driver(uber, org_id)
    assert set(after) - set(before)
    assert set(after) - set(before) <= set(added)


async def test_payments_page_size_above_100_gives_an_empty_list(uber):
    body = (await uber.get(PAYMENTS, org_id=await uber.org_id(), page_size=200)).json()
    assert body == {"earnerPaymentBreakdowns": [], "paginationResult": {"nextPageToken": ""}}


async def test_payments_need_the_payments_scope(uber):
    org_id = await uber.org_id()
    await uber.login(scope="solutions.suppliers.metrics.read")
    assert (await uber.get(PAYMENTS, org_id=org_id)).status_code == 403


# -- transactions (U7) ----------------------------------------------------------------------


def txn_body(start_ms: int, end_ms: int, **extra) -> dict:
    filters = [
        {
            "field": "timeRange",
            "operator": "FILTER_OPERATOR_IN_RANGE",
            "value": [str(start_ms), str(end_ms)],
        }
    ]
    return {"filters": filters, **extra}


async def all_transactions(uber, org_id: str, start_ms: int, end_ms: int, **extra) -> list[dict]:
    found, token = [], ""
    while True:
        body = txn_body(
            start_ms, end_ms, pagination_options={"pageSize": 5, "pageToken": token}, **extra
        )
        response = await uber.post(TRANSACTIONS, body, org_id=org_id)
        assert response.status_code == 200, response.text
        found += response.json()["transactions"]
        token = response.json()["paginationResult"]["nextPageToken"]
        if not token:
            return found


async def test_transactions_over_a_day_add_up_to_payments(uber):
    org_id = await uber.org_id()
    totals: dict[str, int] = {}
    for i in range(96):
        start = NOW_MS - DAY_MS + i * 15 * 60 * 1000
        for txn in (
            await uber.post(TRANSACTIONS, txn_body(start, start + 900_000), org_id=org_id)
        ).json()["transactions"]:
            driver = txn["driverInfo"]["driverUUID"]
            tree = txn["transactionInfo"]["breakDown"]
            amount = sum(e5_to_cents(b["amount"]) for b in tree if "amount" in b)
            totals[driver] = totals.get(driver, 0) + amount
    assert totals == await payments_by_driver(uber, org_id)


async def test_transactions_use_capital_uuid_fields_and_sort_by_processed_at(uber):
    org_id = await uber.org_id()
    start = NOW_MS - 20 * HOUR_MS  # yesterday at noon: busy
    found = await all_transactions(uber, org_id, start, start + 900_000)
    assert found
    info = found[0]["transactionInfo"]
    assert {"transactionUUID", "tripUUID", "processedAt", "description", "breakDown"} <= set(info)
    assert "driverUUID" in found[0]["driverInfo"]
    stamps = [t["transactionInfo"]["processedAt"] for t in found]
    assert stamps == sorted(stamps)
    newest_first = await all_transactions(
        uber, org_id, start, start + 900_000,
        sort=[{"field": "processedAt", "direction": "DIRECTION_DESCENDING"}],
    )  # fmt: skip
    assert [t["transactionInfo"]["processedAt"] for t in newest_first] == stamps[::-1]


async def test_transactions_accept_camel_case_pagination_options(uber):
    org_id = await uber.org_id()
    start = NOW_MS - 2 * HOUR_MS
    body = txn_body(start, start + 900_000, paginationOptions={"pageSize": 1})
    response = await uber.post(TRANSACTIONS, body, org_id=org_id)
    assert len(response.json()["transactions"]) <= 1


@pytest.mark.parametrize(
    ("start_ms", "end_ms"),
    [
        (NOW_MS - HOUR_MS, NOW_MS - HOUR_MS + 901_000),  # longer than 15 minutes
        (NOW_MS - DAY_MS - HOUR_MS, NOW_MS - DAY_MS - HOUR_MS + 600_000),  # older than 24 hours
        (NOW_MS - HOUR_MS, NOW_MS - HOUR_MS),  # empty window
    ],
)
async def test_transactions_outside_the_limits_are_bad_request(uber, start_ms, end_ms):
    response = await uber.post(TRANSACTIONS, txn_body(start_ms, end_ms), org_id=await uber.org_id())
    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"


async def test_transactions_need_an_org_id(uber):
    response = await uber.post(TRANSACTIONS, txn_body(NOW_MS - HOUR_MS, NOW_MS - HOUR_MS + 60_000))
    assert response.status_code == 400


# -- chaos on other lists --------------------------------------------------------------------


async def test_malformed_next_applies_to_vehicle_pages_too(uber):
    await uber.sim("/_sim/chaos", {"malformed_next": 1})
    body = (await uber.get(VEHICLES, org_id=await uber.org_id())).json()
    assert sum("vehicleId" not in v for v in body["vehicleInformation"]) == 1


# -- ground truth of the money (/_sim/truth/uber-payments) ---------------------------------


async def test_the_money_truth_is_what_the_payments_endpoint_sums_over_the_same_span(uber):
    span = {"from": "2025-03-09T08:00:00Z", "to": "2025-03-10T08:00:00+00:00"}
    served = await payments_by_driver(
        uber, await uber.org_id(), start_time=NOW_MS - DAY_MS, end_time=NOW_MS
    )

    truth = (await uber.client.get("/_sim/truth/uber-payments", params=span)).json()

    assert served and truth["drivers"] == served
    assert (truth["currency"], truth["total"]) == ("EUR", sum(served.values()))


@pytest.mark.parametrize(
    "params", [{"from": "2025-03-09T08:00:00Z"}, {"from": "2025-03-09T08:00", "to": "2025-03-10"}]
)
async def test_the_money_truth_needs_both_instants_with_their_offsets(uber, params):
    response = await uber.client.get("/_sim/truth/uber-payments", params=params)

    assert response.status_code == 400
    assert "offset" in response.json()["error"]


# -- late tips (POST /_sim/uber/late-tip) ---------------------------------------------------


async def test_a_late_tip_is_one_more_transaction_processed_now_and_in_the_payments(uber, clock):
    org_id = await uber.org_id()
    before = await payments_by_driver(uber, org_id)
    driver = sorted(before)[0]
    last_week = ("2025-W10", 1740970800, 1741575600)  # Monday 3 March 04:00 Paris, to the 10th
    body = {"driver_id": driver, "week": last_week[0], "amount_cents": 250}
    tip = await uber.sim("/_sim/uber/late-tip", body)
    assert tip["processed_at"] == NOW_MS // 1000
    assert last_week[1] <= tip["trip_paid_at"] < last_week[2]

    found = await all_transactions(uber, org_id, NOW_MS - 600_000, NOW_MS + 1000)
    [late] = [
        t for t in found if t["transactionInfo"]["transactionUUID"] == tip["transaction_uuid"]
    ]
    assert late["driverInfo"]["driverUUID"] == driver
    assert late["transactionInfo"]["tripUUID"] == tip["trip_id"]
    assert late["transactionInfo"]["processedAt"] == "2025-03-10T08:00:00Z"
    money = [
        (b["categoryName"], e5_to_cents(b["amount"])) for b in late["transactionInfo"]["breakDown"]
    ]
    assert money == [("tip", 250)]
    clock.advance(timedelta(seconds=1))  # the payments' window ends now, excluded
    assert (await payments_by_driver(uber, org_id))[driver] == before[driver] + 250


async def test_a_late_tip_needs_a_driver_a_trip_and_an_amount(uber):
    driver = sorted(await payments_by_driver(uber, await uber.org_id()))[0]
    for body in (
        {"driver_id": "nobody", "week": "2025-W10", "amount_cents": 100},
        {"driver_id": driver, "amount_cents": 100},
        {"driver_id": driver, "week": "2025-W10", "amount_cents": 0},
        {"driver_id": driver, "week": "last week", "amount_cents": 100},
        {"driver_id": driver, "trip_id": "not-a-trip", "amount_cents": 100},
    ):
        response = await uber.client.post("/_sim/uber/late-tip", json=body)
        assert response.status_code == 400, body
