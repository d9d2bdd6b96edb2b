-- Uber read models: vehicles, driver status, daily metrics, payments, transactions.
-- depends: 0002_poll_cursors

-- Vehicles (v2 listing), one row per (tenant, vehicle); the latest observation wins.
CREATE TABLE uber_vehicles (
    org_id         uuid NOT NULL,
    vehicle_id     text NOT NULL,
    account_id     text NOT NULL,
    plate          text,
    make           text,
    model          text,
    year           integer,
    vin            text,
    color          text,
    updated_at     timestamptz NOT NULL,
    last_position  bigint NOT NULL,
    PRIMARY KEY (org_id, vehicle_id)
);
CREATE INDEX uber_vehicles_plate ON uber_vehicles (org_id, plate);

-- Realtime status: the current one per driver, and every distinct (status, time) seen.
-- `status` is Uber's DRIVER_STATUS_*; a driver not tracked (no statusEntries) is OFFLINE
-- with no `status_at`.
CREATE TABLE uber_driver_status (
    org_id             uuid NOT NULL,
    driver_id          text NOT NULL,
    account_id         text NOT NULL,
    status             text NOT NULL,
    status_at          timestamptz,
    onboarding_status  text,
    license_plate      text,
    updated_at         timestamptz NOT NULL,
    last_position      bigint NOT NULL,
    PRIMARY KEY (org_id, driver_id)
);

CREATE TABLE uber_driver_status_history (
    org_id     uuid NOT NULL,
    driver_id  text NOT NULL,
    status_at  timestamptz NOT NULL,
    status     text NOT NULL,
    position   bigint NOT NULL,
    PRIMARY KEY (org_id, driver_id, status_at, status)
);

-- Daily metrics per driver and Europe/Paris day (the day of the asked analytics range).
CREATE TABLE driver_daily_metrics (
    org_id          uuid NOT NULL,
    provider        text NOT NULL,
    driver_id       text NOT NULL,
    day             date NOT NULL,
    account_id      text NOT NULL,
    trips           integer,
    hours_online    numeric(10, 2),
    hours_on_trip   numeric(10, 2),
    earnings_minor  bigint,
    currency        text,
    updated_at      timestamptz NOT NULL,
    last_position   bigint NOT NULL,
    PRIMARY KEY (org_id, provider, driver_id, day)
);
CREATE INDEX driver_daily_metrics_day ON driver_daily_metrics (org_id, day);

-- Payments: what a driver was paid over one window (Uber sums payments per earner over the
-- asked window). `payment_key` is the event's entity id: <driverId>:<bucket start>.
-- `day` is the Europe/Paris day of the window start; `breakdown` is the category tree.
CREATE TABLE driver_payments (
    org_id         uuid NOT NULL,
    provider       text NOT NULL,
    payment_key    text NOT NULL,
    driver_id      text NOT NULL,
    account_id     text NOT NULL,
    window_start   timestamptz NOT NULL,
    window_end     timestamptz NOT NULL,
    day            date NOT NULL,
    amount_minor   bigint NOT NULL,
    currency       text,
    breakdown      jsonb NOT NULL,
    updated_at     timestamptz NOT NULL,
    last_position  bigint NOT NULL,
    PRIMARY KEY (org_id, provider, payment_key)
);
CREATE INDEX driver_payments_driver ON driver_payments (org_id, driver_id, day);
CREATE INDEX driver_payments_day ON driver_payments (org_id, day);

-- Transactions, one row per transactionUUID.
CREATE TABLE uber_transactions (
    org_id          uuid NOT NULL,
    transaction_id  text NOT NULL,
    account_id      text NOT NULL,
    driver_id       text,
    trip_id         text,
    processed_at    timestamptz NOT NULL,
    description     text,
    amount_minor    bigint NOT NULL,
    currency        text,
    breakdown       jsonb NOT NULL,
    updated_at      timestamptz NOT NULL,
    last_position   bigint NOT NULL,
    PRIMARY KEY (org_id, transaction_id)
);
CREATE INDEX uber_transactions_driver ON uber_transactions (org_id, driver_id, processed_at);
CREATE INDEX uber_transactions_time ON uber_transactions (org_id, processed_at);

-- Tenant isolation for the API, a pass for the writer (it serves every tenant).
ALTER TABLE uber_vehicles ENABLE ROW LEVEL SECURITY;
ALTER TABLE uber_driver_status ENABLE ROW LEVEL SECURITY;
ALTER TABLE uber_driver_status_history ENABLE ROW LEVEL SECURITY;
ALTER TABLE driver_daily_metrics ENABLE ROW LEVEL SECURITY;
ALTER TABLE driver_payments ENABLE ROW LEVEL SECURITY;
ALTER TABLE uber_transactions ENABLE ROW LEVEL SECURITY;

CREATE POLICY uber_vehicles_org_isolation ON uber_vehicles TO fleet_api
    USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
CREATE POLICY uber_driver_status_org_isolation ON uber_driver_status TO fleet_api
    USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
CREATE POLICY uber_driver_status_history_org_isolation ON uber_driver_status_history TO fleet_api
    USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
CREATE POLICY driver_daily_metrics_org_isolation ON driver_daily_metrics TO fleet_api
    USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
CREATE POLICY driver_payments_org_isolation ON driver_payments TO fleet_api
    USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
CREATE POLICY uber_transactions_org_isolation ON uber_transactions TO fleet_api
    USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid);

CREATE POLICY uber_vehicles_writer ON uber_vehicles TO fleet_writer
    USING (true) WITH CHECK (true);
CREATE POLICY uber_driver_status_writer ON uber_driver_status TO fleet_writer
    USING (true) WITH CHECK (true);
CREATE POLICY uber_driver_status_history_writer ON uber_driver_status_history TO fleet_writer
    USING (true) WITH CHECK (true);
CREATE POLICY driver_daily_metrics_writer ON driver_daily_metrics TO fleet_writer
    USING (true) WITH CHECK (true);
CREATE POLICY driver_payments_writer ON driver_payments TO fleet_writer
    USING (true) WITH CHECK (true);
CREATE POLICY uber_transactions_writer ON uber_transactions TO fleet_writer
    USING (true) WITH CHECK (true);

GRANT SELECT ON uber_vehicles, uber_driver_status, uber_driver_status_history,
    driver_daily_metrics, driver_payments, uber_transactions TO fleet_api;
GRANT SELECT, INSERT, UPDATE, DELETE ON uber_vehicles, uber_driver_status,
    uber_driver_status_history, driver_daily_metrics, driver_payments, uber_transactions
    TO fleet_writer;
