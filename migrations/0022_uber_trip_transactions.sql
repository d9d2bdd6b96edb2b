-- A trip's Uber transactions in time order: settlements count every transaction that names
-- a trip in the money week of that trip's first transaction (query_api/settlements.py), so a
-- tip Uber processes days later regularises the trip's week instead of blending into the
-- week it arrived in (docs/SETTLEMENTS.md, "Regularisation"). Finding a trip's first
-- transaction is one probe of this index.
-- depends: 0021_settlements

CREATE INDEX uber_transactions_trip ON uber_transactions (org_id, trip_id, processed_at)
    WHERE trip_id IS NOT NULL;
