-- Rows of the daily PAYMENTS_ORDER report in the transactions read model: the report fills
-- the transactions older than U7's 24 hours (docs/MONEY.md). A row says which source it
-- comes from; both carry the payment's own id (transactionUUID = the report's Transaction
-- UUID), so a payment seen by both is one row, and U7's observation, which has the detailed
-- breakdown, always replaces the report's (projector/projections/uber_transactions.py).
-- depends: 0015_legacy_sources
ALTER TABLE uber_transactions
    ADD COLUMN source text NOT NULL DEFAULT 'api' CHECK (source IN ('api', 'report'));
