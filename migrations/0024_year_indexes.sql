-- Indexes a year of a 1,500-driver fleet asked for (bench/bench_year.py, docs/SCALING.md "A year").
-- depends: 0023_append_in_one_call
--
-- driver_payments_snapshots: the Uber payments projection checks, for every bucket row it
-- upserts, whether its driver has a pay-week snapshot for the week it was asked in
-- (projector/projections/uber_payments.py, the NOT EXISTS of _UPSERT). Without an index of
-- its own that check read every payment row of the driver (live) and, in a replay, whose
-- shadow table builds its secondary indexes after the load, the whole table: a week of the
-- fleet's 37,000 payments replayed at 49 events/s. Snapshots are few, so the index is
-- partial, and replays keep partial indexes during the load (projector/shadow.py).
CREATE INDEX driver_payments_snapshots ON driver_payments (org_id, driver_id, window_start)
    WHERE payment_key LIKE '%:period:%';

-- bolt_orders_settled: a settlement week's Bolt money is the orders whose price review,
-- finish or cancellation falls in the week (query_api/settlements.py, _BOLT), read for the
-- week and for each earlier approved week of the look-back: without it, a sequential scan
-- of every order of the tenant each time.
CREATE INDEX bolt_orders_settled
    ON bolt_orders (org_id, (coalesce(price_reviewed_at, finished_at, cancelled_at)));
