"""Uber read tables built from the log: vehicles, status, metrics, payments, transactions."""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta
from uuid import UUID

import asyncpg

from projector.projection import Projection
from projector.projections.drivers import DriversProjection
from projector.projections.uber_driver_status import UberDriverStatusProjection
from projector.projections.uber_metrics import UberDailyMetricsProjection
from projector.projections.uber_money import decimal_to_minor, e5_to_minor
from projector.projections.uber_payments import UberPaymentsProjection
from projector.projections.uber_transactions import UberTransactionsProjection
from projector.projections.uber_vehicles import UberVehiclesProjection
from projector.runner import ProjectionRunner
from tests.ingest import test_uber_windows as uber_sim
from tests.ingest.test_uber_windows import DRIVERS, PollersFactory

clock, fixed_sim, sent = uber_sim.clock, uber_sim.fixed_sim, uber_sim.sent
fixed_http, make_pollers = uber_sim.fixed_http, uber_sim.make_pollers

TODAY = date(2025, 3, 10)  # the Paris day of the fixed clock
TABLES = (
    "uber_vehicles",
    "uber_driver_status",
    "uber_driver_status_history",
    "driver_daily_metrics",
    "driver_payments",
    "uber_transactions",
)


async def project(pool: asyncpg.Pool, *projections: Projection) -> None:
    """Catch each projection up under a name of its own (its checkpoint starts at 0)."""
    for projection in projections:
        projection.name = f"{projection.name}-{uuid.uuid4().hex[:8]}"
        await ProjectionRunner(pool, None, projection).catch_up()


def test_uber_money_becomes_integer_minor_units() -> None:
    assert e5_to_minor(1450000, "EUR") == 1450  # 14.50 EUR
    assert e5_to_minor(-362000, "EUR") == -362
    assert e5_to_minor(150000000, "JPY") == 1500
    assert decimal_to_minor("1432.80", "EUR") == 143280
    assert decimal_to_minor("0.00", "EUR") == 0


async def test_vehicles_and_driver_status_become_read_rows_and_drivers_get_their_status(
    make_pollers: PollersFactory, writer_pool: asyncpg.Pool, owner_pool: asyncpg.Pool,
    org_id: UUID,
) -> None:  # fmt: skip
    pollers = make_pollers()
    await pollers.drivers()
    await pollers.vehicles()
    await pollers.driver_status()
    await project(
        writer_pool, DriversProjection(), UberVehiclesProjection(), UberDriverStatusProjection()
    )

    vehicles = await owner_pool.fetch("SELECT * FROM uber_vehicles WHERE org_id = $1", org_id)
    statuses = await owner_pool.fetch("SELECT * FROM uber_driver_status WHERE org_id = $1", org_id)
    drivers = await owner_pool.fetch(
        "SELECT driver_id FROM drivers WHERE org_id = $1 AND provider = 'uber'", org_id
    )
    assert len(vehicles) == DRIVERS and all(v["plate"] and v["make"] for v in vehicles)
    assert len(statuses) == DRIVERS
    by_driver = {s["driver_id"]: s["status"] for s in statuses}
    assert set(by_driver) == {d["driver_id"] for d in drivers}
    assert set(by_driver.values()) <= {
        "DRIVER_STATUS_ONLINE", "DRIVER_STATUS_ONTRIP", "DRIVER_STATUS_OFFLINE"
    }  # fmt: skip
    history = await owner_pool.fetchval(
        "SELECT count(*) FROM uber_driver_status_history WHERE org_id = $1", org_id
    )
    assert history == sum(1 for s in statuses if s["status_at"] is not None)


async def test_a_drivers_daily_earnings_equal_the_sum_of_their_payments_that_day(
    make_pollers: PollersFactory, writer_pool: asyncpg.Pool, owner_pool: asyncpg.Pool,
    org_id: UUID,
) -> None:  # fmt: skip
    pollers = make_pollers()
    await pollers.daily_metrics()
    await pollers.payments()
    await project(writer_pool, UberDailyMetricsProjection(), UberPaymentsProjection())

    metrics = await owner_pool.fetch(
        "SELECT driver_id, earnings_minor, trips, hours_online, currency "
        "FROM driver_daily_metrics WHERE org_id = $1 AND provider = 'uber' AND day = $2",
        org_id,
        TODAY,
    )
    paid = await owner_pool.fetch(
        "SELECT driver_id, sum(amount_minor) AS total FROM driver_payments "
        "WHERE org_id = $1 AND provider = 'uber' AND day = $2 GROUP BY driver_id",
        org_id,
        TODAY,
    )
    earned = {m["driver_id"]: m["earnings_minor"] for m in metrics if m["earnings_minor"]}
    assert len(metrics) == DRIVERS and all(m["currency"] == "EUR" for m in metrics)
    assert earned and earned == {p["driver_id"]: p["total"] for p in paid if p["total"]}
    assert sum(m["trips"] for m in metrics) > 0


async def test_payments_and_transactions_keep_their_breakdown_in_minor_units(
    make_pollers: PollersFactory, writer_pool: asyncpg.Pool, owner_pool: asyncpg.Pool,
    org_id: UUID,
) -> None:  # fmt: skip
    pollers = make_pollers(transactions_first_lookback=timedelta(hours=2))
    await pollers.payments()
    await pollers.transactions()
    await project(writer_pool, UberPaymentsProjection(), UberTransactionsProjection())

    payments = await owner_pool.fetch(
        "SELECT amount_minor, currency, breakdown FROM driver_payments WHERE org_id = $1", org_id
    )
    transactions = await owner_pool.fetch(
        "SELECT t.amount_minor, t.breakdown, t.processed_at, t.driver_id, t.trip_id, e.record "
        "FROM uber_transactions t JOIN event_log e "
        "ON e.org_id = t.org_id AND e.position = t.last_position WHERE t.org_id = $1",
        org_id,
    )
    assert payments and transactions
    for payment in payments:
        earnings, *outside = json.loads(payment["breakdown"])
        assert earnings["category"] == "earnings" and payment["currency"] == "EUR"
        assert all("amount_minor" not in o and o["children"] for o in outside)
        assert earnings["amount_minor"] == payment["amount_minor"]
        assert sum(c["amount_minor"] for c in earnings["children"]) == payment["amount_minor"]
    for txn in transactions:
        raw = json.loads(txn["record"])["transactionInfo"]["breakDown"]
        amounts = [c["amount"]["amountE5"] // 1000 if "amount" in c else None for c in raw]
        assert txn["amount_minor"] == sum(a for a in amounts if a is not None)
        assert [c.get("amount_minor") for c in json.loads(txn["breakdown"])] == amounts
        assert txn["driver_id"] and txn["trip_id"] and txn["processed_at"].tzinfo


async def test_the_api_role_sees_only_its_own_tenants_uber_rows(
    make_pollers: PollersFactory, writer_pool: asyncpg.Pool, db_api_pool: asyncpg.Pool,
    org_id: UUID,
) -> None:  # fmt: skip
    pollers = make_pollers(transactions_first_lookback=timedelta(hours=1))
    for poll in (pollers.vehicles, pollers.driver_status, pollers.daily_metrics,
                 pollers.payments, pollers.transactions):  # fmt: skip
        await poll()
    await project(
        writer_pool, UberVehiclesProjection(), UberDriverStatusProjection(),
        UberDailyMetricsProjection(), UberPaymentsProjection(), UberTransactionsProjection(),
    )  # fmt: skip

    for tenant, expect_rows in ((org_id, True), (uuid.uuid4(), False)):
        async with db_api_pool.acquire() as conn, conn.transaction():
            await conn.execute("SELECT set_config('app.org_id', $1, true)", str(tenant))
            for table in TABLES:
                count = await conn.fetchval(f"SELECT count(*) FROM {table}")  # noqa: S608
                assert (count > 0) == expect_rows, table
