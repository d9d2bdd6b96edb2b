-- What keeps Uber money counted once (docs/MONEY.md).
-- depends: 0015_legacy_sources

-- Rows of the daily PAYMENTS_ORDER report in the transactions read model: the report fills
-- the transactions older than U7's 24 hours. Both carry the payment's own id
-- (transactionUUID = the report's Transaction UUID), so a payment seen by both is one row;
-- U7's observation, which has the detailed breakdown, always replaces the report's
-- (projector/projections/uber_transactions.py).
ALTER TABLE uber_transactions
    ADD COLUMN source text NOT NULL DEFAULT 'api' CHECK (source IN ('api', 'report'));

-- The pay week during which a payment row was asked: a pay-week snapshot (from an endpoint
-- that ignores the asked window) supersedes the bucket rows of its driver asked during its
-- week (projector/projections/uber_payments.py). Null: not known (older events, legacy).
ALTER TABLE driver_payments ADD COLUMN asked_week timestamptz;
