-- Orders of the original implementation (``fleet import legacy``) in the orders read model,
-- where Bolt no longer serves them: a row says which source it comes from, and Bolt's own
-- observation of an order always replaces a legacy row (projector/projections/bolt_orders.py).
ALTER TABLE bolt_orders
    ADD COLUMN source text NOT NULL DEFAULT 'provider' CHECK (source IN ('provider', 'legacy'));
