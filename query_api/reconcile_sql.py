"""The figures a reconciliation compares, per platform account, week and driver, in SQL.

Each statement reads the existing read tables (and, for the PAYMENTS_ORDER report, the log's
report rows) under the request's row-level security; ``$1`` is the caller's org, so the
indexes on ``org_id`` apply. Deciding what a difference means is ``query_api.reconcile``.

Uber is compared over its own week (Monday 04:00 to Monday 04:00, Paris time) except the
daily metrics, which are per Paris day: they are compared with the transactions processed
over the same days (Monday 00:00 to Monday 00:00), so the week's 4-hour offset never shows
as a difference. Bolt's week is Paris days Monday to Sunday, the orders' ``earnings_day``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from uuid import UUID

import asyncpg

# $1 org, [$2, $3) the Uber week, [$4, $5) its Paris days as instants, $6..$7 the days.
UBER_WEEK = """
WITH pay AS (
    SELECT account_id, driver_id, sum(amount_minor)::bigint AS pay, max(updated_at) AS pay_seen
    FROM driver_payments
    WHERE org_id = $1 AND provider = 'uber' AND window_start >= $2 AND window_start < $3
    GROUP BY 1, 2
), txn AS (
    SELECT t.account_id, t.driver_id, sum(t.amount_minor)::bigint AS txn,
           coalesce(sum(t.amount_minor) FILTER (WHERE t.source = 'report'), 0)::bigint
               AS txn_report,
           max(t.updated_at) AS txn_seen,
           count(*) FILTER (WHERE t.description ILIKE '%adjust%' AND NOT EXISTS (
               SELECT 1 FROM uber_transactions o
               WHERE o.org_id = t.org_id AND o.trip_id = t.trip_id
                 AND o.transaction_id <> t.transaction_id
                 AND o.processed_at >= $2 AND o.processed_at < $3)) AS adjusted
    FROM uber_transactions t
    WHERE t.org_id = $1 AND t.driver_id IS NOT NULL AND t.processed_at >= $2
      AND t.processed_at < $3
    GROUP BY 1, 2
), by_day AS (
    SELECT account_id, driver_id, sum(amount_minor)::bigint AS txn_days,
           count(DISTINCT trip_id) FILTER (WHERE description NOT ILIKE '%adjust%') AS paid
    FROM uber_transactions
    WHERE org_id = $1 AND driver_id IS NOT NULL AND processed_at >= $4 AND processed_at < $5
    GROUP BY 1, 2
), met AS (
    SELECT account_id, driver_id, sum(earnings_minor)::bigint AS met, sum(trips)::bigint AS trips,
           max(updated_at) AS met_seen
    FROM driver_daily_metrics
    WHERE org_id = $1 AND provider = 'uber' AND day BETWEEN $6 AND $7
    GROUP BY 1, 2
)
SELECT account_id, driver_id, pay, txn, coalesce(txn_report, 0) AS txn_report, txn_days, met,
       coalesce(adjusted, 0) AS adjusted,
       greatest(coalesce(trips, 0) - coalesce(paid, 0), 0) AS unpaid,
       greatest(pay_seen, txn_seen, met_seen) AS seen
FROM pay FULL JOIN txn USING (account_id, driver_id)
         FULL JOIN by_day USING (account_id, driver_id)
         FULL JOIN met USING (account_id, driver_id)
ORDER BY account_id, driver_id
"""

# The latest PAYMENTS_ORDER row of each transaction of the week, beside the transaction.
UBER_REPORT_ROWS = """
SELECT t.account_id, t.driver_id, t.transaction_id, t.amount_minor, t.currency,
       t.updated_at, r.earnings, r.observed_at
FROM uber_transactions t
CROSS JOIN LATERAL (
    SELECT convert_from(e.record, 'UTF8')::jsonb ->> 'earnings' AS earnings, e.observed_at
    FROM event_log e
    WHERE e.org_id = t.org_id AND e.provider = 'uber'
      AND e.event_type = 'uber.payment_order_row.observed' AND e.entity_id = t.transaction_id
    ORDER BY e.position DESC
    LIMIT 1
) r
WHERE t.org_id = $1 AND t.processed_at >= $2 AND t.processed_at < $3
ORDER BY t.account_id, t.driver_id, t.transaction_id
"""

# $1 org, $2..$3 the Bolt week's Paris days. ``late``: an order observed after its day's
# earnings were summed (the projection has not caught up), or a day without its sum.
BOLT_WEEK = """
WITH o AS (
    SELECT o.driver_uuid, max(o.company_id) AS company_id, max(o.driver_name) AS driver_name,
           sum(o.ride_price + o.cancellation_fee)::bigint AS gross,
           coalesce(sum(o.ride_price + o.cancellation_fee)
                    FILTER (WHERE o.payment_method = 'cash'), 0)::bigint AS cash,
           coalesce(sum(o.ride_price + o.cancellation_fee)
                    FILTER (WHERE o.payment_method IS DISTINCT FROM 'cash'), 0)::bigint AS in_app,
           bool_or(d.day IS NULL OR o.updated_at > d.updated_at) AS late,
           count(*) FILTER (WHERE o.price_reviewed_at IS NOT NULL) AS reviewed,
           max(o.updated_at) AS seen
    FROM bolt_orders o
    LEFT JOIN bolt_daily_earnings d
        ON d.org_id = o.org_id AND d.driver_uuid = o.driver_uuid AND d.day = o.earnings_day
    WHERE o.org_id = $1 AND o.driver_uuid IS NOT NULL AND o.earnings_day BETWEEN $2 AND $3
    GROUP BY 1
), e AS (
    SELECT driver_uuid, max(company_id) AS e_company, sum(gross)::bigint AS e_gross,
           sum(cash_gross)::bigint AS e_cash, sum(in_app_gross)::bigint AS e_in_app
    FROM bolt_daily_earnings
    WHERE org_id = $1 AND day BETWEEN $2 AND $3
    GROUP BY 1
)
SELECT driver_uuid, coalesce(company_id, e_company)::text AS account_id, driver_name,
       gross, cash, in_app, coalesce(e_gross, 0) AS e_gross, coalesce(e_cash, 0) AS e_cash,
       coalesce(e_in_app, 0) AS e_in_app, coalesce(late, false) AS late,
       coalesce(reviewed, 0) AS reviewed, seen
FROM o FULL JOIN e USING (driver_uuid)
ORDER BY account_id, driver_uuid
"""

# Finished Bolt orders of the week's days; $4/$5: whether Bolt's net includes tips, tolls.
BOLT_RIDES = """
SELECT company_id::text AS account_id, driver_uuid, driver_name, order_reference AS ride_id,
       coalesce(drop_off_at, finished_at, created_at) AS at, currency,
       net_earnings - CASE WHEN $4 THEN tip ELSE 0 END
                    - CASE WHEN $5 THEN toll_fee ELSE 0 END AS net,
       extract(epoch FROM drop_off_at - accepted_at)::bigint AS seconds,
       ride_distance AS metres
FROM bolt_orders
WHERE org_id = $1 AND status = 'finished' AND driver_uuid IS NOT NULL
  AND earnings_day BETWEEN $2 AND $3
ORDER BY account_id, driver_uuid, at, order_reference
"""

# Every transaction of the Uber trips first paid in the week ([$2, $3)), cancellations aside.
UBER_RIDES = """
WITH trips AS (
    SELECT trip_id FROM uber_transactions
    WHERE org_id = $1 AND driver_id IS NOT NULL AND trip_id IN (
        SELECT trip_id FROM uber_transactions
        WHERE org_id = $1 AND processed_at >= $2 AND processed_at < $3)
    GROUP BY trip_id
    HAVING min(processed_at) >= $2 AND min(processed_at) < $3
       AND NOT bool_or(coalesce(description, '') ILIKE '%cancel%')
)
SELECT t.account_id, t.driver_id, t.trip_id, t.processed_at, t.amount_minor, t.currency,
       t.breakdown::text AS breakdown
FROM uber_transactions t JOIN trips USING (trip_id)
WHERE t.org_id = $1
ORDER BY t.account_id, t.driver_id, t.trip_id, t.processed_at
"""


async def fetch(conn: asyncpg.Connection, sql: str, *args: object) -> Sequence[asyncpg.Record]:
    """The rows of one statement above."""
    rows: Sequence[asyncpg.Record] = await conn.fetch(sql, *args)
    return rows


def uber_args(
    org_id: UUID, week: tuple[datetime, datetime], days: tuple[datetime, datetime],
    first: date, last: date,
) -> tuple[object, ...]:  # fmt: skip
    """The arguments of ``UBER_WEEK``."""
    return (org_id, *week, *days, first, last)
