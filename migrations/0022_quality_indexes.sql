-- A trip's Uber transactions in time order, one index for two readers:
-- * the reconciliation's lookups by trip (query_api/reconcile_sql.py): the fare adjustments
--   of a week whose trip has no other transaction in it (UBER_WEEK), and every transaction of
--   the trips first paid in the week (UBER_RIDES, the legal minimum). Measured with EXPLAIN
--   ANALYZE on 3.3 million transactions (three tenants of 1.1 million, a year of 300
--   drivers): UBER_WEEK 4.6 s -> 0.10 s, UBER_RIDES 2.9 s -> 0.9 s (docs/QUALITY.md);
-- * settlements, which count every transaction naming a trip in the money week of that
--   trip's first transaction (query_api/settlements.py): whether a trip had a transaction
--   before the week is one probe of it (docs/SETTLEMENTS.md, "Regularisation").
-- depends: 0021_settlements

CREATE INDEX uber_transactions_trip ON uber_transactions (org_id, trip_id, processed_at);
