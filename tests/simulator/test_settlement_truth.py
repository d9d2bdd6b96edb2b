"""The simulator's money agrees with itself and with its settlement ground truth.

A week of Uber transactions (U7), the week's PAYMENTS_ORDER report, Bolt's orders and state
logs, each read as a client would, give per driver the figures ``GET
/_sim/truth/settlements`` computes from the day plans: cash, promotions, tolls, late tips,
fare adjustments and Bolt's price reviews included.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections import defaultdict
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest

from simulator import FixedClock, SimulatorSettings
from tests.simulator.conftest import BoltCalls, UberCalls
from tests.simulator.test_uber_reports_sim import download, reports_path

WEEK = "2025-W10"  # Monday 3 March 2025; Uber's week ends on the 10th at 03:00 UTC
NOW = datetime(2025, 3, 12, 12, 0, 7, tzinfo=UTC)  # late tips and reviews have come
TXNS = "/v1/vehicle-suppliers/transactions"
UBER_CATEGORY = {"fare": "fares", "tip": "tips", "promotion": "promotions",
                 "service_fee": "service_fee", "toll": "tolls", "adjustment": "adjustments",
                 "cash_collected": "cash_collected"}  # fmt: skip
PRICES = ("ride_price", "booking_fee", "toll_fee", "cancellation_fee", "tip", "net_earnings")


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def settings() -> SimulatorSettings:
    """Transactions in windows of 6 hours over 10 days, so a client reads a week quickly."""
    return SimulatorSettings(
        uber_txn_max_window_s=6 * 3600, uber_txn_lookback_s=10 * 86400, uber_report_delay_s=0
    )


async def truth(client: httpx.AsyncClient, week: str = WEEK) -> Any:
    response = await client.get("/_sim/truth/settlements", params={"week": week})
    assert response.status_code == 200, response.text
    return response.json()


def unix(text: str) -> int:
    return int(datetime.fromisoformat(text).timestamp())


def cents(value: str | float | int) -> int:
    return int(Decimal(str(value).replace(",", ".")) * 100)


def leaves(tree: list[dict[str, Any]]) -> list[tuple[str, int]]:
    found: list[tuple[str, int]] = []
    for node in tree:
        if node.get("children"):
            found += leaves(node["children"])
        elif "amount" in node:
            found.append((node["categoryName"], node["amount"]["amountE5"] // 1000))
    return found


async def week_of_transactions(uber: UberCalls, window: list[str]) -> list[dict[str, Any]]:
    """Every U7 transaction processed in the window, six hours per call."""
    org, found = await uber.org_id(), []
    start, end = unix(window[0]), unix(window[1])
    for lo in range(start, end, 6 * 3600):
        span = [str(lo * 1000), str(min(lo + 6 * 3600, end) * 1000)]
        body = {"filters": [{"field": "timeRange", "value": span}],
                "pagination_options": {"pageSize": 100}}  # fmt: skip
        while True:
            page = (await uber.post(TXNS, body, org_id=org)).json()
            found += page["transactions"]
            if not (token := page["paginationResult"]["nextPageToken"]):
                break
            body["pagination_options"]["pageToken"] = token
    return found


def uber_figures(transactions: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    """Per driver, each transaction's leaves summed as docs/SETTLEMENTS.md maps them."""
    out: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for txn in transactions:
        mine, info = out[txn["driverInfo"]["driverUUID"]], txn["transactionInfo"]
        for category, amount in leaves(info["breakDown"]):
            mine[UBER_CATEGORY[category]] += abs(amount) if category == "cash_collected" else amount
        mine["trips"] += "Adjust" not in info["description"]
    return out


async def test_a_weeks_transactions_give_the_uber_ground_truth_with_all_its_kinds_of_money(
    client: httpx.AsyncClient, uber: UberCalls
) -> None:
    expected = await truth(client)

    start, end = expected["windows"]["uber"]
    every = await week_of_transactions(uber, [start, NOW.isoformat()])
    first_paid = {
        t["transactionInfo"]["tripUUID"]
        for t in every
        if unix(start) <= unix(t["transactionInfo"]["processedAt"]) < unix(end)
        and "Adjust" not in t["transactionInfo"]["description"]
    }  # a late tip or an adjustment counts in its trip's week (docs/SETTLEMENTS.md)
    served = uber_figures([t for t in every if t["transactionInfo"]["tripUUID"] in first_paid])

    late_tips = sum(f.pop("late_tips") for f in expected["uber"].values())
    for driver, figures in expected["uber"].items():
        assert figures == {k: served[driver].get(k, 0) for k in figures}, driver
    totals = {k: sum(f[k] for f in expected["uber"].values()) for k in UBER_CATEGORY.values()}
    assert all(totals[k] > 0 for k in ("promotions", "tolls", "cash_collected"))
    assert totals["adjustments"] != 0 and late_tips > 0


async def test_the_payments_order_report_has_the_same_transactions_and_amounts_as_u7(
    client: httpx.AsyncClient, uber: UberCalls
) -> None:
    window = (await truth(client))["windows"]["uber"]
    org = await uber.org_id()
    span = [str(unix(w) * 1000) for w in window]
    dates = {"field": "dateRange", "operator": "OPERATOR_IN_RANGE", "value": span}
    body = {"reportType": "REPORT_TYPE_PAYMENTS_ORDER", "filters": [dates]}
    report = (await uber.post(reports_path(org), body)).json()["report"]
    rows = list(csv.DictReader(io.StringIO((await download(uber, org, report["id"])).text)))

    transactions = {
        t["transactionInfo"]["transactionUUID"]: t for t in await week_of_transactions(uber, window)
    }
    assert {r["Transaction UUID"] for r in rows} == set(transactions)
    for row in rows:
        parts = dict(leaves(transactions[row["Transaction UUID"]]["transactionInfo"]["breakDown"]))
        earned = sum(v for k, v in parts.items() if k not in ("toll", "cash_collected"))
        assert cents(row["Earnings"]) == earned
        assert cents(row["Cash Collected"]) == parts.get("cash_collected", 0)
        assert cents(row["Refunds : Toll"]) == parts.get("toll", 0)
        assert ("adjust" in row["Description"]) == ("fare" not in parts)


async def test_bolt_orders_and_state_logs_give_the_bolt_ground_truth(
    client: httpx.AsyncClient, bolt: BoltCalls
) -> None:
    expected = await truth(client)
    start, end = (unix(w) for w in expected["windows"]["bolt"])
    window = {"start_ts": start - 86400, "end_ts": end}
    orders = await every(bolt, "getFleetOrders", "orders", {"company_ids": [70001], **window})
    logs = await every(bolt, "getFleetStateLogs", "state_logs", {"company_id": 70001, **window})

    served = bolt_figures(orders, start, end)
    minutes = bolt_minutes(logs, start, end)
    for driver, figures in expected["bolt"].items():
        reviews = figures.pop("price_reviews")
        mine = {**served[driver], **minutes[driver]}
        assert figures == {k: mine.get(k, 0) for k in figures}, driver
        assert reviews == served[driver].get("price_reviews", 0)
    totals = {k: sum(f[k] for f in expected["bolt"].values()) for k in ("cash", "in_app",
                                                                           "toll_fee")}  # fmt: skip
    assert all(totals.values()) and sum(served[d].get("price_reviews", 0) for d in served)


async def every(bolt: BoltCalls, operation: str, key: str, body: dict[str, Any]) -> list[Any]:
    """Every page of a Bolt list (1,000 a page)."""
    found: list[Any] = []
    while True:
        page = (await bolt.ok(operation, {**body, "offset": len(found), "limit": 1000}))[key]
        found += page
        if len(page) < 1000:
            return found


def bolt_figures(orders: list[dict[str, Any]], start: int, end: int) -> dict[str, dict[str, int]]:
    """Per driver, the orders whose payment confirmation (else end) is in ``[start, end)``."""
    out: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for o in orders:
        at = (o["payment_confirmed_timestamp"] or o["order_finished_timestamp"]
              or o["order_cancelled_timestamp"])  # fmt: skip
        if at is None or not start <= at < end:
            continue
        mine, price = out[o["driver_uuid"]], o["order_price"]
        for name in PRICES:
            mine[name] += cents(price[name])
        mine["commission"] -= cents(price["commission"])
        mine["cash" if o["payment_method"] == "cash" else "in_app"] += cents(price["ride_price"])
        mine["trips"] += o["order_status"] == "finished"
        mine["price_reviews"] += o["price_review_reason"] is not None
    return out


def bolt_minutes(logs: list[dict[str, Any]], start: int, end: int) -> dict[str, dict[str, int]]:
    """Per driver, minutes in a state other than inactive (and in has_order) in the window,
    each state lasting until the driver's next one."""
    seconds: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_driver: dict[str, list[tuple[int, bool, str]]] = defaultdict(list)
    for log in logs:
        by_driver[log["driver_uuid"]].append((log["created"], log["state"] == "inactive",
                                              log["state"]))  # fmt: skip
    for driver, changes in by_driver.items():
        changes.sort()
        for (at, _, state), (until, _, _) in itertools.pairwise(changes):
            span = max(0, min(until, end) - max(at, start))
            seconds[driver][0] += span if state != "inactive" else 0
            seconds[driver][1] += span if state == "has_order" else 0
    return {d: {"minutes_online": (s[0] + 30) // 60, "minutes_on_trip": (s[1] + 30) // 60}
            for d, s in seconds.items()}  # fmt: skip


async def test_a_malformed_week_is_a_400(client: httpx.AsyncClient) -> None:
    response = await client.get("/_sim/truth/settlements", params={"week": "2025-10"})
    assert response.status_code == 400 and "ISO week" in response.json()["error"]
