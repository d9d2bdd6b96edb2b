-- The original implementation's database as its later SQL files build it: text keys,
-- timestamptz, Bolt orders and state logs, Heetch, session cookies, users and analytics.
CREATE TABLE uber_drivers (uuid text PRIMARY KEY, org_id text NOT NULL, name text NOT NULL, email text);
CREATE TABLE bolt_organizations (id text PRIMARY KEY, org_id text NOT NULL, name text);
CREATE TABLE bolt_drivers (id text PRIMARY KEY, org_id text NOT NULL,
    first_name text NOT NULL DEFAULT '', last_name text NOT NULL DEFAULT '',
    email text, phone text, active boolean);
CREATE TABLE bolt_orders (
    order_reference text PRIMARY KEY, org_id text NOT NULL, company_id integer, company_name text,
    driver_uuid text, driver_name text, payment_method text, order_status text,
    order_created_timestamp bigint, order_finished_timestamp bigint, ride_distance double precision,
    ride_price double precision, booking_fee double precision, toll_fee double precision,
    cancellation_fee double precision, tip double precision, net_earnings double precision,
    cash_discount double precision, in_app_discount double precision, commission double precision,
    currency text, order_stops jsonb);
CREATE TABLE bolt_state_logs (id text PRIMARY KEY, org_id text NOT NULL, driver_uuid text NOT NULL,
    vehicle_uuid text, created bigint, state text NOT NULL, lat double precision, lng double precision,
    active_categories jsonb);
CREATE TABLE heetch_drivers (id text PRIMARY KEY, org_id text NOT NULL, first_name text,
    last_name text, email text NOT NULL, image_url text, active boolean DEFAULT true);
CREATE TABLE heetch_earnings (id text PRIMARY KEY, org_id text NOT NULL, driver_id text,
    date date, period text, gross_earnings double precision, net_earnings double precision,
    cash_collected double precision, currency text);
CREATE TABLE heetch_session_cookies (uuid uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id text NOT NULL, phone_number text, cookies jsonb, expires_at timestamp,
    invalid_at timestamptz, created_at timestamptz, updated_at timestamptz);
CREATE TABLE users (uuid uuid PRIMARY KEY, email text UNIQUE, org_id text, password_hash text,
    first_name text, last_name text, role text DEFAULT 'user', is_active boolean DEFAULT true);
CREATE TABLE daily_analytics (org_id text, date date, total_rides integer,
    gross_earnings bigint, UNIQUE (org_id, date));

INSERT INTO uber_drivers VALUES ('u-1', 'default_org', 'Laurent Martin', 'laurent@example.test');
INSERT INTO bolt_organizations VALUES ('4242', 'default_org', 'Bolt Company 4242');
INSERT INTO bolt_drivers VALUES
    ('8f1c-uuid', 'default_org', 'Laurent', 'Martin', 'laurent@example.test', '+33612345678', true),
    ('test-driver-123', 'default_org', '', '', NULL, NULL, true);
INSERT INTO bolt_orders VALUES
    ('ORD-1', 'default_org', 4242, 'AA Denis', '8f1c-uuid', 'Laurent Martin', 'cash', 'finished',
     1709287200, 1709288400, 6200, 17.9, 1.5, 0, 0, 2, 13.1, 0, 0, 4.3, 'EUR',
     '[{"lat": 48.85, "lng": 2.35}]'),
    ('ORD-2', 'default_org', 4242, 'AA Denis', '8f1c-uuid', 'Laurent Martin', 'in_app',
     'client_cancelled', 1709290000, NULL, 0, 0, 0, 0, 5, 0, 4, 0, 0, 1, 'EUR', NULL);
INSERT INTO bolt_state_logs VALUES
    ('8f1c-uuid_1709287000', 'default_org', '8f1c-uuid', NULL, 1709287000, 'waiting_orders',
     48.85, 2.35, '["comfort"]');
INSERT INTO heetch_drivers VALUES ('h@example.test', 'default_org', 'Karim', 'Haddad', 'h@example.test', NULL, true);
INSERT INTO heetch_earnings VALUES
    ('h@example.test_2024-02-26_weekly', 'default_org', 'h@example.test', '2024-02-26', 'weekly',
     410.5, 330.25, 80, 'EUR');
INSERT INTO heetch_session_cookies (org_id, phone_number, cookies, expires_at) VALUES
    ('default_org', '+33600000000', '{"session": "SECRET-COOKIE-VALUE-42"}', '2024-03-10 12:00');
INSERT INTO users VALUES
    ('00000000-0000-0000-0000-000000000001', 'gerant@example.test', 'default_org', NULL,
     'Denis', 'A', 'admin', true),
    ('00000000-0000-0000-0000-000000000002', 'compta@example.test', 'default_org', NULL,
     'Compta', 'B', 'user', true);
INSERT INTO daily_analytics VALUES ('default_org', '2024-03-01', 2, 1790);
