-- The fleet's figures per Paris day, kept by the projections that write the daily rows.
-- depends: 0024_year_indexes
--
-- The overview of a month (query_api/routes/overview.py) reads ~60 of these rows instead of
-- summing every driver's day twice (docs/SCALING.md, "The heavy reads"), and the drivers'
-- active days of the month below instead of every active driver-day.
--
-- One row per tenant, day and currency ('' for rows without one): `drivers` counts the daily
-- rows, `active` the active ones (the overview's "active": some trips or hours online for
-- Uber, some orders or gross for Bolt), the rest are the sums of the daily columns (NULL as
-- 0). Keyed by currency so that the overview's "one currency or none" stays exact when a
-- driver-day moves between currencies or disappears. The projections add each batch's
-- change (new rows minus old ones) in the transaction that writes the daily rows
-- (projector/projections/fleet_days.py); a row whose `drivers` falls to 0 is deleted.
CREATE TABLE uber_fleet_days (
    org_id          uuid NOT NULL,
    day             date NOT NULL,
    currency        text NOT NULL,
    drivers         integer NOT NULL,
    active          integer NOT NULL,
    trips           bigint NOT NULL,
    hours_online    numeric(14, 2) NOT NULL,  -- the daily scale: the same text however summed
    hours_on_trip   numeric(14, 2) NOT NULL,
    earnings_minor  bigint NOT NULL,
    PRIMARY KEY (org_id, day, currency)
);

CREATE TABLE bolt_fleet_days (
    org_id        uuid NOT NULL,
    day           date NOT NULL,
    currency      text NOT NULL,
    drivers       integer NOT NULL,
    active        integer NOT NULL,
    orders        bigint NOT NULL,
    gross         bigint NOT NULL,
    commission    bigint NOT NULL,
    net_earnings  bigint NOT NULL,
    tips          bigint NOT NULL,
    tolls         bigint NOT NULL,
    cash_gross    bigint NOT NULL,
    in_app_gross  bigint NOT NULL,
    PRIMARY KEY (org_id, day, currency)
);

INSERT INTO uber_fleet_days
SELECT org_id, day, coalesce(currency, ''), count(*),
       count(*) FILTER (WHERE trips > 0 OR hours_online > 0),
       coalesce(sum(trips), 0), coalesce(sum(hours_online), 0),
       coalesce(sum(hours_on_trip), 0), coalesce(sum(earnings_minor), 0)
FROM driver_daily_metrics
WHERE provider = 'uber'
GROUP BY org_id, day, coalesce(currency, '');

INSERT INTO bolt_fleet_days
SELECT org_id, day, currency, count(*), count(*) FILTER (WHERE orders > 0 OR gross > 0),
       sum(orders), sum(gross), sum(commission), sum(net_earnings), sum(tips), sum(tolls),
       sum(cash_gross), sum(in_app_gross)
FROM bolt_daily_earnings
GROUP BY org_id, day, currency;

-- The range's active drivers count each driver once (not once per day): a row per tenant,
-- month (its first day) and driver holds a bit per day of the month (bit d-1 for day d),
-- set while that driver-day is active; a row with no bit left is deleted. A month's count
-- reads ~1,500 of these rows instead of ~45,000 driver-days (projector/projections/
-- active_months.py keeps them, in the same call as the day sums).
CREATE TABLE uber_active_months (
    org_id     uuid NOT NULL,
    month      date NOT NULL,
    driver_id  text NOT NULL,
    days       integer NOT NULL,
    PRIMARY KEY (org_id, month, driver_id)
);
CREATE TABLE bolt_active_months (LIKE uber_active_months INCLUDING ALL);

INSERT INTO uber_active_months
SELECT org_id, date_trunc('month', day)::date, driver_id,
       bit_or(1 << (extract(day FROM day)::integer - 1))
FROM driver_daily_metrics
WHERE provider = 'uber' AND (trips > 0 OR hours_online > 0)
GROUP BY 1, 2, 3;

INSERT INTO bolt_active_months
SELECT org_id, date_trunc('month', day)::date, driver_uuid,
       bit_or(1 << (extract(day FROM day)::integer - 1))
FROM bolt_daily_earnings
WHERE orders > 0 OR gross > 0
GROUP BY 1, 2, 3;

ALTER TABLE uber_fleet_days ENABLE ROW LEVEL SECURITY;
ALTER TABLE bolt_fleet_days ENABLE ROW LEVEL SECURITY;
ALTER TABLE uber_active_months ENABLE ROW LEVEL SECURITY;
ALTER TABLE bolt_active_months ENABLE ROW LEVEL SECURITY;

CREATE POLICY uber_fleet_days_org_isolation ON uber_fleet_days TO fleet_api
    USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
CREATE POLICY bolt_fleet_days_org_isolation ON bolt_fleet_days TO fleet_api
    USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
CREATE POLICY uber_active_months_org_isolation ON uber_active_months TO fleet_api
    USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
CREATE POLICY bolt_active_months_org_isolation ON bolt_active_months TO fleet_api
    USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
CREATE POLICY uber_fleet_days_writer ON uber_fleet_days TO fleet_writer
    USING (true) WITH CHECK (true);
CREATE POLICY bolt_fleet_days_writer ON bolt_fleet_days TO fleet_writer
    USING (true) WITH CHECK (true);

CREATE POLICY uber_active_months_writer ON uber_active_months TO fleet_writer
    USING (true) WITH CHECK (true);
CREATE POLICY bolt_active_months_writer ON bolt_active_months TO fleet_writer
    USING (true) WITH CHECK (true);

GRANT SELECT ON uber_fleet_days, bolt_fleet_days, uber_active_months, bolt_active_months
    TO fleet_api;
GRANT SELECT, INSERT, UPDATE, DELETE
    ON uber_fleet_days, bolt_fleet_days, uber_active_months, bolt_active_months TO fleet_writer;
