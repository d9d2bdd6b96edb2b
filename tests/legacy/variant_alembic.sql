-- The original implementation's database as its Alembic migrations 0001-0003 build it
-- (its early version): varchar keys, double precision money, timestamps without a zone.
CREATE TABLE uber_organizations (id varchar PRIMARY KEY, org_id varchar NOT NULL, name varchar NOT NULL);
CREATE TABLE uber_drivers (uuid varchar PRIMARY KEY, org_id varchar NOT NULL, name varchar NOT NULL, email varchar);
CREATE TABLE uber_vehicles (uuid varchar PRIMARY KEY, org_id varchar NOT NULL, plate varchar NOT NULL, model varchar);
CREATE TABLE driver_daily_metrics (
    id varchar PRIMARY KEY, org_id varchar NOT NULL,
    driver_uuid varchar NOT NULL REFERENCES uber_drivers (uuid), day date,
    trips double precision DEFAULT 0, online_hours double precision DEFAULT 0,
    on_trip_hours double precision DEFAULT 0, earnings double precision DEFAULT 0);
CREATE TABLE driver_payments (
    id varchar PRIMARY KEY, org_id varchar NOT NULL,
    driver_uuid varchar NOT NULL REFERENCES uber_drivers (uuid),
    occurred_at timestamp without time zone NOT NULL, amount double precision NOT NULL,
    currency varchar DEFAULT 'EUR', description varchar);
CREATE TABLE bolt_drivers (id varchar PRIMARY KEY, org_id varchar NOT NULL,
    first_name varchar NOT NULL DEFAULT '', last_name varchar NOT NULL DEFAULT '',
    email varchar, phone varchar, active boolean);
CREATE TABLE bolt_vehicles (id varchar PRIMARY KEY, org_id varchar NOT NULL,
    provider_vehicle_id varchar, plate varchar NOT NULL, model varchar);
CREATE TABLE bolt_trips (id varchar PRIMARY KEY, org_id varchar NOT NULL, driver_id varchar,
    start_time timestamp without time zone NOT NULL, end_time timestamp without time zone NOT NULL,
    price double precision, distance double precision, currency varchar, status varchar);
CREATE TABLE bolt_earnings (id varchar PRIMARY KEY, org_id varchar NOT NULL, driver_id varchar,
    payout_date timestamp without time zone NOT NULL, amount double precision, type varchar,
    currency varchar);

INSERT INTO uber_organizations VALUES ('org-enc-1', 'default_org', 'AA Denis Mobilités');
INSERT INTO uber_drivers VALUES
    ('u-1', 'default_org', 'Laurent Martin', 'laurent@example.test'),
    ('u-2', 'default_org', 'Hélène Dupont', NULL);
INSERT INTO uber_vehicles VALUES ('v-1', 'default_org', 'AB-123-CD', 'Toyota Prius');
-- Two rows for one (driver, day): the original had no unique key there.
INSERT INTO driver_daily_metrics VALUES
    ('m-1', 'default_org', 'u-1', '2024-03-01', 12, 8.5, 6.25, 231.4),
    ('m-2', 'default_org', 'u-1', '2024-03-01', 12, 8.5, 6.25, 231.4),
    ('m-3', 'default_org', 'u-2', '2024-03-02', 3, 2, 1.5, 0.1);
INSERT INTO driver_payments VALUES
    ('p-1', 'default_org', 'u-1', '2024-03-01 23:30:00', 45.1, 'EUR', 'trip fare'),
    ('p-2', 'default_org', 'u-2', '2024-03-02 08:00:00', -3.3, 'EUR', NULL);
INSERT INTO bolt_drivers VALUES
    ('b-1', 'default_org', 'Laurent', 'Martin', 'laurent@example.test', '06 12 34 56 78', true),
    ('test-driver-123', 'default_org', 'Test', 'Driver', NULL, NULL, true);
INSERT INTO bolt_vehicles VALUES ('bv-1', 'default_org', 'bv-1', 'AB-123-CD', 'Toyota Prius');
INSERT INTO bolt_trips VALUES
    ('t-1', 'default_org', 'b-1', '2024-03-01 10:00:00', '2024-03-01 10:20:00', 17.9, 6.2, 'EUR', 'finished');
INSERT INTO bolt_earnings VALUES
    ('e-1', 'default_org', 'b-1', '2024-03-04 00:00:00', 312.55, 'weekly', 'EUR');
