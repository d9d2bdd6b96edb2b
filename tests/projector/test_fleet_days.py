"""The fleet's day sums (uber_fleet_days, bolt_fleet_days) equal the daily rows summed, after
updates, moves and replacements, and after a replay that rebuilds them with the daily rows."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID

import asyncpg

from contracts import legacy, uber
from projector.projection import Projection
from projector.projections import active_months, fleet_days
from projector.projections.bolt_orders import BoltOrdersProjection
from projector.projections.uber_metrics import UberDailyMetricsProjection
from projector.replay import plan, replay
from projector.runner import ProjectionRunner
from tests.ingest.test_bolt_support import unix
from tests.legacy.test_legacy_read_models import append_uber
from tests.projector.test_bolt_projections import append_orders, order
from tests.projector.test_replay_tables import _other_org, _own_copy

METRICS = ["TotalTrips", "HoursOnline", "HoursOnTrip", "TotalEarnings"]

# The fleet rows as the daily rows sum them (the backfill of migrations/0026_fleet_days.sql).
_UBER_SUMS = """
SELECT org_id, day, coalesce(currency, '') AS currency, count(*) AS drivers,
       count(*) FILTER (WHERE trips > 0 OR hours_online > 0) AS active,
       coalesce(sum(trips), 0) AS trips, coalesce(sum(hours_online), 0) AS hours_online,
       coalesce(sum(hours_on_trip), 0) AS hours_on_trip,
       coalesce(sum(earnings_minor), 0) AS earnings_minor
FROM {daily} WHERE provider = 'uber' GROUP BY 1, 2, 3
"""
_BOLT_SUMS = """
SELECT org_id, day, currency, count(*) AS drivers,
       count(*) FILTER (WHERE orders > 0 OR gross > 0) AS active, sum(orders) AS orders,
       sum(gross) AS gross, sum(commission) AS commission, sum(net_earnings) AS net_earnings,
       sum(tips) AS tips, sum(tolls) AS tolls, sum(cash_gross) AS cash_gross,
       sum(in_app_gross) AS in_app_gross
FROM {daily} GROUP BY 1, 2, 3
"""


# The drivers' active days as the daily rows give them (the backfill of 0026 too).
_MONTHS = """
SELECT org_id, date_trunc('month', day)::date, {driver},
       bit_or(1 << (extract(day FROM day)::integer - 1))
FROM {daily} WHERE {active} GROUP BY 1, 2, 3
"""
_UBER_ACTIVE = "provider = 'uber' AND (trips > 0 OR hours_online > 0)"
_BOLT_ACTIVE = "orders > 0 OR gross > 0"


async def _rows(pool: asyncpg.Pool, sql: str) -> set[tuple[object, ...]]:
    return {tuple(r) for r in await pool.fetch(sql)}


async def _kept_equals_summed(pool: asyncpg.Pool, fleet: str, sums: str) -> set[tuple[object, ...]]:
    """The fleet table's rows, asserted equal to the daily rows summed; returned."""
    kept = await _rows(pool, f"SELECT * FROM {fleet}")  # noqa: S608 (our table)
    assert kept == await _rows(pool, sums)
    return kept


async def _months_equal_daily(pool: asyncpg.Pool, months: str, daily: str, **sql: str) -> None:
    kept = await _rows(pool, f"SELECT * FROM {months}")  # noqa: S608 (our table)
    assert kept == await _rows(pool, _MONTHS.format(daily=daily, **sql))


async def _metrics(pool: asyncpg.Pool, org: UUID, driver: str, day: str, *values: object) -> None:
    record: dict[str, object] = {"day": day, "metrics": METRICS,
              "row": {"dimensionId": driver, "metricValues": list(values)}}  # fmt: skip
    await append_uber(pool, org, uber.DAILY_METRICS_OBSERVED, f"{driver}:{day}", record)


async def test_uber_fleet_days_follow_the_daily_rows_and_replay_with_them(
    owner_pool: asyncpg.Pool, writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    tables = {t: await _own_copy(owner_pool, t) for t in UberDailyMetricsProjection().tables}
    daily, fleet, months = tables.values()
    live: Projection = UberDailyMetricsProjection(f"live-{daily}", tables=tables)
    runner = ProjectionRunner(owner_pool, None, live)
    other = await _other_org(owner_pool)
    await _metrics(writer_pool, org_id, "u1", "2025-03-01", 10, "8.5", "6.25", "120.40")
    await _metrics(writer_pool, org_id, "u2", "2025-03-01", 0, "0", "0", "0")  # not active
    await _metrics(writer_pool, other, "u9", "2025-03-01", 7, "5", "4", "70")
    await runner.catch_up()
    await _metrics(writer_pool, org_id, "u1", "2025-03-01", 12, "9.25", "7", "150.05")  # later
    await _metrics(writer_pool, org_id, "u2", "2025-03-01", 1, "0.5", "0.25", "9.99")
    await _metrics(writer_pool, org_id, "u1", "2025-03-02", 3, "2", "1.5", "30")
    await _metrics(writer_pool, org_id, "u2", "2025-03-31", 2, "1", "1", "20")
    await runner.catch_up()
    await _metrics(writer_pool, org_id, "u2", "2025-03-31", 0, "0", "0", "0")  # not any more
    legacy_row = {"driver_uuid": "u1", "day": "2025-03-01", "trips": 99, "earnings": 999.0}
    await append_uber(writer_pool, org_id, legacy.DAILY_METRICS_OBSERVED, "l1", legacy_row)
    await runner.catch_up()  # the legacy row never replaces Uber's own: nothing moves

    kept = await _kept_equals_summed(owner_pool, fleet, _UBER_SUMS.format(daily=daily))
    assert (org_id, date(2025, 3, 1), "EUR", 2, 2, 13, Decimal("9.75"), Decimal("7.25"),
            16004) in kept  # fmt: skip
    active = {"driver": "driver_id", "active": _UBER_ACTIVE}
    await _months_equal_daily(owner_pool, months, daily, **active)
    bits = await owner_pool.fetch(f"SELECT driver_id, days FROM {months} WHERE org_id = $1", org_id)  # noqa: S608
    assert sorted(map(tuple, bits)) == [("u1", 0b11), ("u2", 0b1)]  # u2's 31st no longer active
    [unit] = plan([live], fleet)  # asking for the fleet table replays the daily rows too
    result = await replay(owner_pool, unit, batch_size=2)
    assert unit.tables == (daily, fleet, months)
    assert result.swapped and result.live == result.rebuilt
    assert await _kept_equals_summed(owner_pool, fleet, _UBER_SUMS.format(daily=daily)) == kept
    await _months_equal_daily(owner_pool, months, daily, **active)


async def test_bolt_fleet_days_follow_moved_and_reviewed_orders_and_replay_with_them(
    owner_pool: asyncpg.Pool, writer_pool: asyncpg.Pool, org_id: UUID
) -> None:
    tables = {t: await _own_copy(owner_pool, t) for t in BoltOrdersProjection().tables}
    live: Projection = BoltOrdersProjection(f"live-{tables['bolt_orders']}", tables=tables)
    runner = ProjectionRunner(owner_pool, None, live)
    first, second = (unix(datetime(2025, 3, d, 12, tzinfo=UTC)) for d in (10, 11))
    await append_orders(writer_pool, org_id, [
        order("q1", ride=10.0, created=first, finished=first),
        order("q2", ride=5.0, created=first, finished=first),
        order("q3", ride=8.0, created=second, finished=second),
    ])  # fmt: skip
    await runner.catch_up()
    await append_orders(writer_pool, org_id, [  # q3 moves to the 10th: the 11th has no row left
        order("q1", ride=14.0, created=first, finished=first, price_review_reason="route"),
        order("q3", ride=8.0, created=first, finished=first),
    ])  # fmt: skip
    await runner.catch_up()

    sums = _BOLT_SUMS.format(daily=tables["bolt_daily_earnings"])
    fleet = tables["bolt_fleet_days"]
    kept = await _kept_equals_summed(owner_pool, fleet, sums)
    mine = [(r[1], r[3], r[6]) for r in kept if r[0] == org_id]  # the log has other tenants'
    assert mine == [(date(2025, 3, 10), 1, 1400 + 500 + 800)]
    [unit] = plan([live], fleet)
    active = {"driver": "driver_uuid", "active": _BOLT_ACTIVE}
    months, daily = tables["bolt_active_months"], tables["bolt_daily_earnings"]
    await _months_equal_daily(owner_pool, months, daily, **active)
    result = await replay(owner_pool, unit, batch_size=2)
    assert result.swapped and result.live == result.rebuilt
    assert await _kept_equals_summed(owner_pool, fleet, sums) == kept
    await _months_equal_daily(owner_pool, months, daily, **active)


def test_only_driver_days_whose_activity_flipped_move_their_bits() -> None:
    org, day = UUID(int=1), date(2025, 3, 3)
    row = {"org_id": org, "driver": "b1", "day": day, "orders": 2, "gross": 900}
    idle = {**row, "orders": 0, "gross": 0}
    other = {**row, "day": date(2025, 3, 5)}
    assert active_months.flips(fleet_days._bolt_active, [row], [row, other]) == (
        {(org, date(2025, 3, 1), "b1"): 0b10000}, {}
    )  # fmt: skip
    assert active_months.flips(fleet_days._bolt_active, [row, other], [idle]) == (
        {}, {(org, date(2025, 3, 1), "b1"): 0b10100}
    )  # fmt: skip


def test_a_change_that_nets_to_nothing_moves_no_fleet_row() -> None:
    org, day = UUID(int=1), date(2025, 3, 1)
    row = {"org_id": org, "day": day, "currency": "EUR", "trips": 3, "hours_online": None,
           "hours_on_trip": Decimal("1.5"), "earnings_minor": 900}  # fmt: skip
    assert fleet_days.changes(fleet_days.UBER, [row], [row]) == {}
    moved = fleet_days.changes(fleet_days.UBER, [row], [{**row, "currency": None}])
    assert moved == {(org, day, "EUR"): [-1, -1, -3, 0, Decimal("-1.5"), -900],
                     (org, day, ""): [1, 1, 3, 0, Decimal("1.5"), 900]}  # fmt: skip
