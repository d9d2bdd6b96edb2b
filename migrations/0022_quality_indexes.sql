-- An index for the reconciliation's lookups by trip (query_api/reconcile_sql.py): the
-- fare adjustments of a week whose trip has no other transaction in it (UBER_WEEK), and
-- every transaction of the trips first paid in the week (UBER_RIDES, the legal minimum).
-- Measured with EXPLAIN ANALYZE on 3.3 million transactions (three tenants of 1.1 million,
-- a year of 300 drivers): UBER_WEEK 4.6 s -> 0.10 s, UBER_RIDES 2.9 s -> 0.9 s (docs/QUALITY.md).
-- depends: 0021_settlements

CREATE INDEX uber_transactions_trip ON uber_transactions (org_id, trip_id);
