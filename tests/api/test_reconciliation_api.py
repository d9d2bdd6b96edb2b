"""A week's reconciliation and rides under the minimum, over HTTP, from seeded read tables.

The seed is a week where everything agrees; each test then tampers with one thing (a report
row, a Bolt price after its earnings were summed, a payment, a ride under EUR 9) and checks
that exactly that is reported, with its reason.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

import asyncpg
import msgspec
import pytest

from contracts.uber_report_rows import PAYMENT_ORDER_ROW_OBSERVED, UberPaymentOrderRow
from eventlog.store import Observation, append_observations, canonical_hash
from projector.projections.bolt_earnings import DriverDay, recompute_days
from tests.api.seed import other_org
from tests.apihelp import ApiClient, login

WEEK = "2026-W10"  # Uber: 2 March 03:00 UTC to 9 March 03:00; Bolt: Paris days 2-8 March
TUESDAY = datetime(2026, 3, 3, 10, tzinfo=UTC)
SEEN = datetime(2026, 3, 4, 9, tzinfo=UTC)  # before the week settles (12 March 03:00 UTC)
UBER, BOLT = "u-driver", "b-driver"


# Uber's week and its Paris days, which the polls covered whole
COVERED = (datetime(2026, 3, 1, 23, tzinfo=UTC), datetime(2026, 3, 9, 3, tzinfo=UTC))


async def seed_uber(pool: asyncpg.Pool, writer: asyncpg.Pool, org_id: UUID) -> None:
    """Payments of 25 EUR; two trips paid 15 (from U7) and 10 (from the report); metrics of
    the day 25 EUR over 2 trips; the report's rows agreeing with both; every resource
    compared covered over the whole week."""
    for resource in ("payments", "transactions", "daily_metrics"):
        await pool.execute(
            "INSERT INTO coverage (org_id, provider, account_id, resource, covered) "
            "VALUES ($1, 'uber', 'uber-org', $2, tstzrange($3, $4))",
            *(org_id, resource, *COVERED),
        )
    await pool.execute(
        "INSERT INTO driver_payments (org_id, provider, payment_key, driver_id, account_id, "
        "window_start, window_end, day, amount_minor, currency, breakdown, updated_at, "
        "last_position) VALUES ($1, 'uber', 'u-driver:1', $2, 'uber-org', $3, $4, $5, 2500, "
        "'EUR', '[]', $6, 1)",
        *(org_id, UBER, TUESDAY, TUESDAY + timedelta(hours=1), TUESDAY.date(), SEEN),
    )
    for txn, trip, cents, source, at in (
        ("t-1", "trip-1", 1500, "api", TUESDAY),
        ("t-2", "trip-2", 1000, "report", TUESDAY + timedelta(minutes=30)),
    ):
        await pool.execute(
            "INSERT INTO uber_transactions (org_id, transaction_id, account_id, driver_id, "
            "trip_id, processed_at, description, amount_minor, currency, breakdown, updated_at, "
            "last_position, source) VALUES ($1, $2, 'uber-org', $3, $4, $5, "
            "'trip completed order', $6, 'EUR', '[]', $7, 1, $8)",
            *(org_id, txn, UBER, trip, at, cents, SEEN, source),
        )
        await report_row(writer, org_id, txn, f"{cents / 100:.2f}".replace(".", ","))
    await pool.execute(
        "INSERT INTO driver_daily_metrics (org_id, provider, driver_id, day, account_id, trips, "
        "earnings_minor, currency, updated_at, last_position) "
        "VALUES ($1, 'uber', $2, $3, 'uber-org', 2, 2500, 'EUR', $4, 1)",
        *(org_id, UBER, TUESDAY.date(), SEEN),
    )


async def report_row(writer: asyncpg.Pool, org_id: UUID, txn: str, earnings: str) -> None:
    """A PAYMENTS_ORDER row of ``txn`` in the log, as ingest appends it."""
    row = UberPaymentOrderRow("report-1", txn, {"Earnings": earnings}, earnings=earnings)
    record = msgspec.json.encode(row)
    observation = Observation(txn, PAYMENT_ORDER_ROW_OBSERVED, 1, record, canonical_hash(record))
    async with writer.acquire() as conn, conn.transaction():
        await append_observations(
            conn, org_id=org_id, provider="uber", account_id="uber-org",
            entity_type="payment_order_row", observed_at=SEEN, fetch_id=None,
            observations=[observation],
        )  # fmt: skip


# Bolt orders: (reference, payment, ride price, net, tip, minutes, metres)
ORDERS = [
    ("o-1", "cash", 2000, 1600, 0, 20, 8000),
    ("o-2", "in_app", 1500, 1200, 200, 10, 4000),
]


async def seed_bolt(pool: asyncpg.Pool, org_id: UUID, orders: list[Any] = ORDERS) -> None:
    """Finished orders of Tuesday, and their day's earnings summed as the projection does."""
    for ref, method, price, net, tip, minutes, metres in orders:
        await pool.execute(
            "INSERT INTO bolt_orders (org_id, order_reference, company_id, driver_uuid, "
            "driver_name, status, payment_method, accepted_at, drop_off_at, finished_at, "
            "currency, ride_price, tip, net_earnings, ride_distance, earnings_day, updated_at, "
            "last_position) VALUES ($1, $2, 70001, $3, 'Léa Martin', 'finished', $4, $5, $6, "
            "$6, 'EUR', $7, $8, $9, $10, $11, $12, 1)",
            *(org_id, ref, BOLT, method, TUESDAY, TUESDAY + timedelta(minutes=minutes)),
            *(price, tip, net, metres, TUESDAY.date(), SEEN),
        )
    async with pool.acquire() as conn:
        await recompute_days(conn, [DriverDay(org_id, BOLT, TUESDAY.date())])


async def get(api: ApiClient, headers: dict[str, str], path: str, **params: str) -> Any:
    response = await api.get(path, params={"week": WEEK, **params}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json() if "json" in response.headers["content-type"] else response.text


@pytest.fixture
async def headers(
    api: ApiClient, make_user: Any, owner_pool: asyncpg.Pool, writer_pool: asyncpg.Pool,
    org_id: UUID,
) -> dict[str, str]:  # fmt: skip
    """The week where everything agrees, and a viewer's login."""
    await seed_uber(owner_pool, writer_pool, org_id)
    await seed_bolt(owner_pool, org_id)
    return await login(api, await make_user(org_id, "viewer"))


Tamper = Callable[..., Awaitable[None]]


@pytest.fixture
def tamper(owner_pool: asyncpg.Pool, org_id: UUID) -> Tamper:
    """``UPDATE <change> WHERE <where>`` on the org's rows, as a bug or a hand would do it
    (``$1`` is the org; ``$2``... are the further arguments)."""

    async def update(change: str, where: str, *args: object) -> None:
        await owner_pool.execute(f"UPDATE {change} WHERE org_id = $1 AND {where}", org_id, *args)

    return update


def checks(body: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [
        (d["provider"], d["check"], d["reference"], d["left_minor"], d["right_minor"],
         d["delta_minor"], d["reason"])
        for d in body["differences"]
    ]  # fmt: skip


async def test_a_week_where_every_source_agrees_has_no_difference(
    api: ApiClient, headers: dict[str, str]
) -> None:
    body = await get(api, headers, "/quality/reconciliation")

    assert (body["week"], body["drivers"], body["differences"]) == (WEEK, 2, [])
    assert (body["uber_start"], body["bolt_start"]) == (
        "2026-03-02T03:00:00Z",
        "2026-03-01T23:00:00Z",
    )


async def test_a_report_row_that_says_another_amount_is_an_unexplained_difference(
    api: ApiClient, headers: dict[str, str], writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    await report_row(writer_pool, org_id, "t-1", "14,50")

    body = await get(api, headers, "/quality/reconciliation")

    assert checks(body) == [("uber", "rapport/transaction", "t-1", 1450, 1500, -50, "inexpliqué")]


async def test_a_report_sourced_transaction_changed_in_the_read_table_is_found(
    api: ApiClient, headers: dict[str, str], tamper: Tamper
) -> None:
    await tamper("uber_transactions SET amount_minor = 1100", "transaction_id = 't-2'")

    found = {d[1]: d for d in checks(await get(api, headers, "/quality/reconciliation"))}

    assert found["rapport/transaction"] == (
        "uber", "rapport/transaction", "t-2", 1000, 1100, -100, "inexpliqué",
    )  # fmt: skip
    assert found["paiements/transactions"][3:6] == (2500, 2600, -100)
    assert found["transactions/métriques"][3:6] == (2600, 2500, 100)


async def test_a_bolt_price_changed_after_its_earnings_were_summed_is_found_in_total_and_in_app(
    api: ApiClient, headers: dict[str, str], tamper: Tamper
) -> None:
    await tamper("bolt_orders SET ride_price = ride_price + 300", "order_reference = 'o-2'")

    body = await get(api, headers, "/quality/reconciliation")

    assert checks(body) == [
        ("bolt", "courses/gains", None, 3800, 3500, 300, "inexpliqué"),
        ("bolt", "in-app", None, 1800, 1500, 300, "inexpliqué"),
    ]
    assert body["differences"][0]["driver_name"] == "Léa Martin"


async def test_a_bolt_order_observed_after_its_day_was_summed_is_late_data(
    api: ApiClient, headers: dict[str, str], tamper: Tamper
) -> None:
    await tamper(
        "bolt_orders SET ride_price = 1700, updated_at = $2",
        "order_reference = 'o-1'",
        SEEN + timedelta(hours=1),
    )

    body = await get(api, headers, "/quality/reconciliation")

    assert checks(body) == [
        ("bolt", "courses/gains", None, 3200, 3500, -300, "données tardives"),
        ("bolt", "espèces", None, 1700, 2000, -300, "données tardives"),
    ]


async def test_metrics_counting_a_trip_without_payment_point_to_a_cancelled_trip(
    api: ApiClient, headers: dict[str, str], tamper: Tamper
) -> None:
    await tamper(
        "driver_daily_metrics SET trips = 3, earnings_minor = 2800", "driver_id = $2", UBER
    )

    body = await get(api, headers, "/quality/reconciliation")

    assert checks(body) == [
        ("uber", "transactions/métriques", None, 2500, 2800, -300,
         "course annulée sans paiement"),
    ]  # fmt: skip


async def test_payments_short_by_exactly_what_only_the_report_had_were_filled_by_the_report(
    api: ApiClient, headers: dict[str, str], tamper: Tamper
) -> None:
    # t-2 (10 EUR) is known from the report alone: U6's sum of its hour was past 24 hours
    await tamper("driver_payments SET amount_minor = 1500", "driver_id = $2", UBER)

    body = await get(api, headers, "/quality/reconciliation")

    assert checks(body) == [
        ("uber", "paiements/transactions", None, 1500, 2500, -1000, "comblé par le rapport"),
    ]


async def test_a_difference_over_a_gap_in_the_coverage_points_to_the_uncovered_period(
    api: ApiClient, headers: dict[str, str], owner_pool: asyncpg.Pool, org_id: UUID,
    tamper: Tamper,
) -> None:  # fmt: skip
    await tamper("driver_payments SET amount_minor = 2000", "driver_id = $2", UBER)
    await owner_pool.execute(
        "UPDATE coverage SET covered = tstzrange($2, upper(covered)) "
        "WHERE org_id = $1 AND resource = 'payments'",
        *(org_id, TUESDAY + timedelta(hours=1)),
    )  # payments polled from Tuesday 11:00 UTC on only

    body = await get(api, headers, "/quality/reconciliation")

    assert checks(body) == [
        ("uber", "paiements/transactions", None, 2000, 2500, -500, "période non couverte"),
    ]


async def test_rides_under_the_minimum_are_listed_with_the_floor_that_applies_and_as_csv(
    api: ApiClient, headers: dict[str, str], owner_pool: asyncpg.Pool, org_id: UUID
) -> None:
    # o-3: 8.50 net for a short ride; o-4: 14 EUR net for 15 km (the km floor: 15 EUR)
    await seed_bolt(
        owner_pool, org_id,
        [("o-3", "in_app", 1100, 850, 0, 5, 2000), ("o-4", "cash", 1800, 1400, 0, 20, 15000)],
    )  # fmt: skip

    body = await get(api, headers, "/quality/minimum-fares")

    under = [
        (r["provider"], r["ride_id"], r["net_minor"], r["minimum_minor"], r["floor"])
        for r in body["under"]
    ]
    # o-2 is 12 EUR net with a 2 EUR tip: 10 EUR, above 9; Uber's trips are 15 and 10 EUR
    assert under == [("bolt", "o-3", 850, 900, "course"), ("bolt", "o-4", 1400, 1500, "km")]
    assert body["rides"] == 6 and body["under"][0]["rule_since"] == "2024-02-01"
    text = await get(api, headers, "/quality/minimum-fares", format="csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["ride_id"], r["shortfall_minor"]) for r in rows] == [("o-3", "50"), ("o-4", "100")]


async def test_an_uber_trip_paid_under_nine_euros_tips_aside_is_listed(
    api: ApiClient, headers: dict[str, str], tamper: Tamper
) -> None:
    tip = '[{"category": "tip", "amount_minor": 200, "children": []}]'
    await tamper("uber_transactions SET breakdown = $2::jsonb", "transaction_id = 't-2'", tip)

    body = await get(api, headers, "/quality/minimum-fares")

    assert [(r["provider"], r["ride_id"], r["net_minor"]) for r in body["under"]] == [
        ("uber", "trip-2", 800)
    ]
    assert body["under"][0]["seconds"] is None


async def test_another_tenant_sees_none_of_the_differences_nor_the_rides(
    api: ApiClient, headers: dict[str, str], make_user: Any, owner_pool: asyncpg.Pool,
    org_id: UUID,
) -> None:  # fmt: skip
    await seed_bolt(owner_pool, org_id, [("o-9", "cash", 500, 400, 0, 5, 1000)])
    await owner_pool.execute("UPDATE bolt_orders SET ride_price = 1 WHERE org_id = $1", org_id)
    theirs = await login(api, await make_user(await other_org(owner_pool, org_id), "viewer"))

    body = await get(api, theirs, "/quality/reconciliation")
    fares = await get(api, theirs, "/quality/minimum-fares")

    assert (body["drivers"], body["differences"]) == (0, [])
    assert (fares["rides"], fares["under"]) == (0, [])


def test_the_week_of_the_seed_is_the_tuesday_s() -> None:
    assert TUESDAY.date() == date(2026, 3, 3)
