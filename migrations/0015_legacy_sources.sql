-- depends: 0014_people
-- Orders of the original implementation (``fleet import legacy``) in the orders read model,
-- where Bolt no longer serves them: a row says which source it comes from, and Bolt's own
-- observation of an order always replaces a legacy row (projector/projections/bolt_orders.py).
ALTER TABLE bolt_orders
    ADD COLUMN source text NOT NULL DEFAULT 'provider' CHECK (source IN ('provider', 'legacy'));

-- The same for Uber's daily metrics (one row per driver and day: Uber's row replaces the
-- original's) and payments (the original's have their own keys: they count only on the
-- driver-days for which Uber served no payment, see projector/projections/uber_payments.py).
ALTER TABLE driver_daily_metrics
    ADD COLUMN source text NOT NULL DEFAULT 'provider' CHECK (source IN ('provider', 'legacy'));
ALTER TABLE driver_payments
    ADD COLUMN source text NOT NULL DEFAULT 'provider' CHECK (source IN ('provider', 'legacy'));
-- Small (legacy rows only): finds the original's payments of a driver-day for Uber's to drop.
CREATE INDEX driver_payments_legacy_day ON driver_payments (org_id, driver_id, day)
    WHERE source = 'legacy';

-- Drivers of the original (``uber_drivers``, ``bolt_drivers``), until the provider's own
-- observation of the same driver replaces them.
ALTER TABLE drivers
    ADD COLUMN source text NOT NULL DEFAULT 'provider' CHECK (source IN ('provider', 'legacy'));
