"""Uber money endpoints: earner payments (U6) and realtime transactions (U7).

Both report the transactions of ``simulator.uber_ledger``, as analytics'
``vs:TotalEarnings`` and the PAYMENTS_ORDER report do: a trip's payment at its drop-off
(``paid_at``), late tips and fare adjustments processed days later; amounts are
``amountE5`` (cents x 1000). A node's amount is part of the transaction's earnings; the
toll refunded and the cash the driver collected sit under ``refunds`` and ``payouts``,
nodes without an amount of their own, so the top-level amounts still sum to the earnings
(docs/PROVIDERS.md §4 #22).

* Payments cover the last 24 h only: wider windows are clamped silently
  (docs/PROVIDERS.md §4 #10); or, with ``uber_payments_window=pay_period``, every answer
  is the current pay week so far, whatever window is asked (as one live integration
  reports). A ``page_size`` above ``uber_payments_empty_above`` gives an empty list, as seen
  live
  (docs/PROVIDERS.md §4 #6).
* Transactions take windows of at most ``uber_txn_max_window_s`` inside the
  last ``uber_txn_lookback_s``; anything else is 400 (docs/PROVIDERS.md §4 #10).

Both lists are computed once per query and moment and kept (``SimState.remembered``)
while a client pages through them.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.routing import Route

from simulator.activity import Trip
from simulator.late_tips import with_payments, with_transactions
from simulator.state import SimState
from simulator.uber_http import (
    bad_request,
    epoch_ms,
    json_body,
    money,
    page_size,
    paginate,
    pagination_options,
    require_org,
    uber_api,
)
from simulator.uber_ledger import Txn, processed
from simulator.uber_roster import maybe_malformed, page_result
from simulator.uber_timefmt import iso_utc_short, pay_period_start
from simulator.world import UberDriver

SCOPES = ("supplier.partner.payments",)
PAYMENTS_WINDOW_S = 86400


def outside_earnings(txns: list[Txn]) -> list[dict[str, Any]]:
    """``refunds`` (tolls) and ``payouts`` (cash collected): nodes without an amount."""
    toll = sum(x.parts().get("toll", 0) for x in txns)
    cash = sum(x.parts().get("cash_collected", 0) for x in txns)
    groups = [("refunds", "toll", toll), ("payouts", "cash_collected", cash)]
    return [
        {"categoryName": group, "children": [{"categoryName": name, "amount": money(cents)}]}
        for group, name, cents in groups
        if cents
    ]


def payment_breakdowns(txns: list[Txn]) -> list[dict[str, Any]]:
    """The ``earnings`` -> ``net_fare``/``tip``/``promotion`` tree for a driver's
    transactions, then their refunds and payouts."""
    parts = [x.parts() for x in txns]
    tip = sum(p.get("tip", 0) for p in parts)
    promotion = sum(p.get("promotion", 0) for p in parts)
    net_fare = sum(x.earnings for x in txns) - tip - promotion
    children = [
        {"categoryName": "net_fare", "amount": money(net_fare)},
        {"categoryName": "tip", "amount": money(tip)},
    ]
    if promotion:
        children.append({"categoryName": "promotion", "amount": money(promotion)})
    earnings = {"categoryName": "earnings", "amount": money(net_fare + tip + promotion),
                "children": children}  # fmt: skip
    return [earnings, *outside_earnings(txns)]


def transaction_uuid(trip: Trip) -> str:
    """The payment transaction of a trip (stable: derived from the trip id)."""
    return str(uuid.uuid5(uuid.UUID(trip.trip_id), "uber-transaction"))


def render_transaction(driver: UberDriver, txn: Txn) -> dict[str, Any]:
    """One ``transactions[]`` entry; note the capital ``UUID`` field names."""
    break_down = [
        {"categoryName": name, "amount": money(cents), "children": []}
        for name, cents in txn.parts().items()
        if name not in ("toll", "cash_collected")
    ]
    return {
        "driverInfo": {
            "driverUUID": driver.driver_id,
            "firstName": driver.first_name,
            "lastName": driver.last_name,
        },
        "transactionInfo": {
            "transactionUUID": txn.transaction_id,
            "tripUUID": txn.trip.trip_id,
            "processedAt": iso_utc_short(txn.processed_at),
            "description": txn.description,
            "breakDown": break_down + outside_earnings([txn]),
        },
    }


def optional_ms(raw: str | None, name: str) -> int | None:
    """An optional epoch-ms query parameter."""
    return None if raw in (None, "") else epoch_ms(raw, name)


def time_range_filter(body: dict[str, Any]) -> tuple[int, int]:
    """``(start_ms, end_ms)`` from the ``timeRange`` filter of a transactions body."""
    for f in body.get("filters") or []:
        if isinstance(f, dict) and f.get("field") == "timeRange":
            value = f.get("value")
            if not isinstance(value, list) or len(value) != 2:
                raise bad_request("timeRange needs [start, end] in epoch milliseconds")
            return epoch_ms(value[0], "timeRange start"), epoch_ms(value[1], "timeRange end")
    raise bad_request("A timeRange filter is required")


def descending(body: dict[str, Any]) -> bool:
    """Whether ``sort`` asks for newest ``processedAt`` first (ascending by default)."""
    for s in body.get("sort") or []:
        if isinstance(s, dict) and s.get("field") == "processedAt":
            return s.get("direction") == "DIRECTION_DESCENDING"
    return False


def payments_window(sim: SimState, start_raw: str | None, end_raw: str | None) -> tuple[int, int]:
    """The asked ``[start, end)`` in unix seconds, clamped silently to the last 24 hours;
    or, with ``uber_payments_window=pay_period``, the pay week so far whatever is asked."""
    if sim.settings.uber_payments_window == "pay_period":
        now = sim.now_s()
        return pay_period_start(now), now
    now_ms = sim.now_s() * 1000
    start = optional_ms(start_raw, "start_time") or 0
    end = optional_ms(end_raw, "end_time") or now_ms
    return max(start, now_ms - PAYMENTS_WINDOW_S * 1000) // 1000, min(end, now_ms) // 1000


def transactions_window(sim: SimState, body: dict[str, Any]) -> tuple[int, int]:
    """The ``timeRange`` in unix seconds, or 400 when too long or too old."""
    start_ms, end_ms = time_range_filter(body)
    max_window, lookback = sim.settings.uber_txn_max_window_s, sim.settings.uber_txn_lookback_s
    if start_ms >= end_ms:
        raise bad_request("timeRange start must be before its end")
    if end_ms - start_ms > max_window * 1000:
        raise bad_request(f"timeRange must not exceed {max_window} seconds")
    if start_ms < (sim.now_s() - lookback) * 1000:
        raise bad_request(f"timeRange must lie within the last {lookback} seconds")
    return start_ms // 1000, end_ms // 1000


def render_earner(driver: UberDriver, txns: list[Txn]) -> dict[str, Any]:
    """One ``earnerPaymentBreakdowns[]`` entry."""
    return {
        "earnerInfo": {
            "uuid": driver.driver_id,
            "firstName": driver.first_name,
            "lastName": driver.last_name,
        },
        "paymentBreakdowns": payment_breakdowns(txns),
    }


Paid = tuple[UberDriver, Txn]
Earner = tuple[UberDriver, list[Txn]]


def earners(
    sim: SimState, org_id: str, window: tuple[int, int], driver_id: str | None
) -> list[Earner]:
    """Drivers of the org (or just ``driver_id``) paid in the window, with those transactions."""
    history = sim.uber_history()
    drivers = sim.uber_world.drivers(org_id)
    if driver_id:
        drivers = [d for d in drivers if d.driver_id == driver_id]
    paid = [(d, processed(history, d.person_index, window[0], window[1])) for d in drivers]
    return [(d, txns) for d, txns in paid if txns]


def paid_trips(
    sim: SimState, org_id: str, window: tuple[int, int], newest_first: bool
) -> list[Paid]:
    """Every transaction of the org's drivers processed in the window, in ``processed_key``
    order."""
    history = sim.uber_history()
    found = [
        (d, x)
        for d in sim.uber_world.drivers(org_id)
        for x in processed(history, d.person_index, window[0], window[1])
    ]
    return sorted(found, key=processed_key(newest_first))


def processed_key(newest_first: bool) -> Callable[[Paid], str]:
    """A string key increasing along the requested ``processedAt`` order (for keyset cursors)."""

    def key(item: Paid) -> str:
        paid = item[1].processed_at
        stamp = 10**11 - paid if newest_first else paid
        return f"{stamp:011d}:{item[1].transaction_id}"

    return key


def uber_money_routes(sim: SimState) -> list[Route]:
    """Routes U6 and U7, bound to ``sim``."""

    async def payments(request: Request) -> dict[str, Any]:
        """Per-earner payment breakdowns over (at most) the last 24 hours."""
        q = request.query_params
        org = require_org(sim, q.get("org_id"))
        default = sim.settings.uber_default_page_size
        size = page_size(q.get("page_size"), default=default, maximum=10**6)
        if size > sim.settings.uber_payments_empty_above:
            return page_result("earnerPaymentBreakdowns", [], "")
        window = payments_window(sim, q.get("start_time"), q.get("end_time"))
        driver_id = q.get("driver_id")
        found = sim.remembered(
            ("uber.payments", org.org_id, window, driver_id),
            lambda: earners(sim, org.org_id, window, driver_id),
        )
        tips = sim.late_tips.processed(sim.uber_world.drivers(org.org_id), *window, driver_id)
        found = with_payments(found, tips)
        page, token = paginate(found, lambda e: e[0].driver_id, q.get("page_token"), size)
        records = maybe_malformed(sim, [render_earner(d, t) for d, t in page], "earnerInfo")
        return page_result("earnerPaymentBreakdowns", records, token)

    async def transactions(request: Request) -> dict[str, Any]:
        """Trip payment transactions in a window of at most 15 minutes within the last day."""
        org = require_org(sim, request.query_params.get("org_id"))
        body = await json_body(request)
        window = transactions_window(sim, body)
        options = pagination_options(body)
        size = page_size(str(options.get("pageSize") or ""), default=50, maximum=100)
        newest_first = descending(body)
        found = sim.remembered(
            ("uber.transactions", org.org_id, window, newest_first),
            lambda: paid_trips(sim, org.org_id, window, newest_first),
        )
        tips = sim.late_tips.processed(sim.uber_world.drivers(org.org_id), *window)
        key = processed_key(newest_first)
        page, token = paginate(
            with_transactions(found, tips, key), key, options.get("pageToken"), size
        )
        records = [render_transaction(d, x) for d, x in page]
        return page_result("transactions", maybe_malformed(sim, records, "transactionInfo"), token)

    return [
        Route(
            "/v1/vehicle-suppliers/earners/payments",
            uber_api(sim, SCOPES, payments),
            methods=["GET"],
        ),
        Route(
            "/v1/vehicle-suppliers/transactions",
            uber_api(sim, SCOPES, transactions),
            methods=["POST"],
        ),
    ]
