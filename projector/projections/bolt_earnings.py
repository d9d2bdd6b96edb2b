"""Daily earnings of a Bolt driver, summed from ``bolt_orders`` (cents).

gross = ride_price + cancellation_fee (docs/PROVIDERS.md §2.8), split into cash and in-app by
``payment_method``; ``orders`` counts finished orders. A day whose orders all moved away
(e.g. a changed finish time) loses its row. ``updated_at`` is when the latest of its orders
was observed (not the time of the computation), so a replay rebuilds the same rows. The
fleet's day sums (``bolt_fleet_days``, ``bolt_active_months``) move by the rows deleted and
inserted, in the same
transaction (:mod:`projector.projections.fleet_days`).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import NamedTuple
from uuid import UUID

import asyncpg

from projector.projection import quote_table
from projector.projections import fleet_days

_DELETE = """
DELETE FROM {earnings} e
USING unnest($1::uuid[], $2::text[], $3::date[]) AS k(org_id, driver_uuid, day)
WHERE e.org_id = k.org_id AND e.driver_uuid = k.driver_uuid AND e.day = k.day
RETURNING {returned}
"""

_INSERT = """
INSERT INTO {earnings} AS e (org_id, driver_uuid, day, company_id, currency, orders, gross,
                                 commission, net_earnings, tips, tolls, cash_gross,
                                 in_app_gross, updated_at)
SELECT o.org_id, o.driver_uuid, o.earnings_day, max(o.company_id), max(o.currency),
       count(*) FILTER (WHERE o.status = 'finished'),
       sum(o.ride_price + o.cancellation_fee),
       sum(o.commission), sum(o.net_earnings), sum(o.tip), sum(o.toll_fee),
       coalesce(sum(o.ride_price + o.cancellation_fee)
                FILTER (WHERE o.payment_method = 'cash'), 0),
       coalesce(sum(o.ride_price + o.cancellation_fee)
                FILTER (WHERE o.payment_method IS DISTINCT FROM 'cash'), 0),
       max(o.updated_at)
FROM {orders} o
JOIN unnest($1::uuid[], $2::text[], $3::date[]) AS k(org_id, driver_uuid, day)
    ON o.org_id = k.org_id AND o.driver_uuid = k.driver_uuid AND o.earnings_day = k.day
GROUP BY o.org_id, o.driver_uuid, o.earnings_day
RETURNING {returned}
"""


class DriverDay(NamedTuple):
    org_id: UUID
    driver_uuid: str
    day: date


async def recompute_days(
    conn: asyncpg.Connection,
    days: Collection[DriverDay],
    *,
    orders: str = "bolt_orders",
    earnings: str = "bolt_daily_earnings",
    fleet: fleet_days.FleetDays = fleet_days.BOLT,
) -> None:
    """Sum each driver-day of ``earnings`` again from ``orders``, and move the fleet's day
    sums in ``fleet`` by the change (in the projection's transaction)."""
    if not days:
        return
    keys = sorted(days)
    args = ([k.org_id for k in keys], [k.driver_uuid for k in keys], [k.day for k in keys])
    names = {"orders": quote_table(orders), "earnings": quote_table(earnings),
             "returned": fleet.columns("e")}  # fmt: skip
    before = await conn.fetch(_DELETE.format(**names), *args)
    after = await conn.fetch(_INSERT.format(**names), *args)
    await fleet_days.add_changes(conn, fleet, before, after)
