-- Bolt read models: companies, vehicles, orders (money in integer minor units), state logs,
-- and daily earnings per driver. Bolt drivers go into the existing `drivers` table with
-- provider = 'bolt' (projector/projections/bolt_drivers.py).
--
-- Money: Bolt sends decimal major units with no currency (docs/PROVIDERS.md §2.6). Amounts are
-- stored in cents (integer, rounded half-up) with the company's currency, EUR unless
-- bolt_companies.currency says otherwise (set it by hand for a non-euro company).
-- Days: an order counts on the Europe/Paris day of its finish time, or of its creation time
-- when it never finished (a late cancellation fee).
-- depends: 0002_poll_cursors

CREATE TABLE bolt_companies (
    org_id          uuid NOT NULL,
    company_id      bigint NOT NULL,
    name            text,
    currency        text NOT NULL DEFAULT 'EUR',
    first_seen_at   timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    last_position   bigint NOT NULL,
    PRIMARY KEY (org_id, company_id)
);

CREATE TABLE bolt_vehicles (
    org_id          uuid NOT NULL,
    vehicle_uuid    text NOT NULL,          -- Bolt's uuid, or its integer id when it sent none
    vehicle_id      bigint,
    company_id      bigint NOT NULL,
    plate           text,                   -- reg_number
    model           text,
    year            integer,
    color           text,
    seats           integer,
    vin             text,
    state           text,
    first_seen_at   timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    last_position   bigint NOT NULL,
    PRIMARY KEY (org_id, vehicle_uuid)
);
CREATE INDEX bolt_vehicles_company ON bolt_vehicles (org_id, company_id, plate);

CREATE TABLE bolt_orders (
    org_id                  uuid NOT NULL,
    order_reference         text NOT NULL,
    company_id              bigint NOT NULL,
    driver_uuid             text,
    driver_name             text,
    status                  text,
    payment_method          text,
    created_at              timestamptz,
    accepted_at             timestamptz,
    pickup_at               timestamptz,
    drop_off_at             timestamptz,
    finished_at             timestamptz,
    cancelled_at            timestamptz,
    price_reviewed_at       timestamptz,    -- payment_confirmed_timestamp
    currency                text NOT NULL,
    ride_price              bigint NOT NULL DEFAULT 0,   -- cents, like every amount below
    booking_fee             bigint NOT NULL DEFAULT 0,
    toll_fee                bigint NOT NULL DEFAULT 0,
    cancellation_fee        bigint NOT NULL DEFAULT 0,
    tip                     bigint NOT NULL DEFAULT 0,
    net_earnings            bigint NOT NULL DEFAULT 0,
    cash_discount           bigint NOT NULL DEFAULT 0,
    in_app_discount         bigint NOT NULL DEFAULT 0,
    commission              bigint NOT NULL DEFAULT 0,
    price_review_reason     text,
    ride_distance           integer,        -- metres
    pickup_address          text,
    destination_address     text,
    vehicle_model           text,
    vehicle_license_plate   text,
    earnings_day            date,           -- Europe/Paris day of finished_at, else created_at
    updated_at              timestamptz NOT NULL,
    last_position           bigint NOT NULL,
    PRIMARY KEY (org_id, order_reference)
);
CREATE INDEX bolt_orders_driver_day ON bolt_orders (org_id, driver_uuid, earnings_day);
CREATE INDEX bolt_orders_company_created ON bolt_orders (org_id, company_id, created_at DESC);

CREATE TABLE bolt_state_logs (
    org_id          uuid NOT NULL,
    driver_uuid     text NOT NULL,
    created_at      timestamptz NOT NULL,
    state           text NOT NULL,          -- inactive | waiting_orders | has_order
    company_id      bigint NOT NULL,
    vehicle_uuid    text,
    lat             double precision,
    lng             double precision,
    last_position   bigint NOT NULL,
    PRIMARY KEY (org_id, driver_uuid, created_at, state)
);
CREATE INDEX bolt_state_logs_company ON bolt_state_logs (org_id, company_id, created_at DESC);

-- Recomputed from bolt_orders for each driver-day an order batch touches, in the
-- projection's transaction: a reviewed price moves the day's sums exactly once.
-- gross = ride_price + cancellation_fee (docs/PROVIDERS.md §2.8); cash/in-app split it by
-- payment_method. `orders` counts finished orders.
CREATE TABLE bolt_daily_earnings (
    org_id          uuid NOT NULL,
    driver_uuid     text NOT NULL,
    day             date NOT NULL,
    company_id      bigint NOT NULL,
    currency        text NOT NULL,
    orders          integer NOT NULL,
    gross           bigint NOT NULL,
    commission      bigint NOT NULL,
    net_earnings    bigint NOT NULL,
    tips            bigint NOT NULL,
    tolls           bigint NOT NULL,
    cash_gross      bigint NOT NULL,
    in_app_gross    bigint NOT NULL,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, driver_uuid, day)
);
CREATE INDEX bolt_daily_earnings_day ON bolt_daily_earnings (org_id, day, driver_uuid);

ALTER TABLE bolt_companies ENABLE ROW LEVEL SECURITY;
ALTER TABLE bolt_vehicles ENABLE ROW LEVEL SECURITY;
ALTER TABLE bolt_orders ENABLE ROW LEVEL SECURITY;
ALTER TABLE bolt_state_logs ENABLE ROW LEVEL SECURITY;
ALTER TABLE bolt_daily_earnings ENABLE ROW LEVEL SECURITY;

CREATE POLICY bolt_companies_org_isolation ON bolt_companies TO fleet_api
    USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
CREATE POLICY bolt_vehicles_org_isolation ON bolt_vehicles TO fleet_api
    USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
CREATE POLICY bolt_orders_org_isolation ON bolt_orders TO fleet_api
    USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
CREATE POLICY bolt_state_logs_org_isolation ON bolt_state_logs TO fleet_api
    USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
CREATE POLICY bolt_daily_earnings_org_isolation ON bolt_daily_earnings TO fleet_api
    USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid);

CREATE POLICY bolt_companies_writer ON bolt_companies TO fleet_writer
    USING (true) WITH CHECK (true);
CREATE POLICY bolt_vehicles_writer ON bolt_vehicles TO fleet_writer
    USING (true) WITH CHECK (true);
CREATE POLICY bolt_orders_writer ON bolt_orders TO fleet_writer
    USING (true) WITH CHECK (true);
CREATE POLICY bolt_state_logs_writer ON bolt_state_logs TO fleet_writer
    USING (true) WITH CHECK (true);
CREATE POLICY bolt_daily_earnings_writer ON bolt_daily_earnings TO fleet_writer
    USING (true) WITH CHECK (true);

GRANT SELECT ON bolt_companies, bolt_vehicles, bolt_orders, bolt_state_logs,
    bolt_daily_earnings TO fleet_api;
GRANT SELECT, INSERT, UPDATE, DELETE ON bolt_companies, bolt_vehicles, bolt_orders,
    bolt_state_logs, bolt_daily_earnings TO fleet_writer;
