-- Foundation schema: tenants and users, the append-only event log with its provider-call
-- history, ingestion bookkeeping, relay and projection checkpoints, and the first read table.
--
-- Roles (created here when missing, NOLOGIN; `fleet migrate` on the embedded default gives
-- them logins):
--   fleet_writer  ingest, relay, projector: append to the log, write read tables. It is never
--                 granted UPDATE, DELETE or TRUNCATE on the log.
--   fleet_api     the query API: reads read tables under row-level security. Owns nothing,
--                 no BYPASSRLS.

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'fleet_writer') THEN
        CREATE ROLE fleet_writer NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'fleet_api') THEN
        CREATE ROLE fleet_api NOLOGIN NOBYPASSRLS;
    END IF;
END
$$;

-- Tenants ("org" in the API and the JWT). Not provider organisations: an Uber org or a Bolt
-- company belongs to one tenant.
CREATE TABLE orgs (
    org_id      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug        text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
    name        text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
    user_id        uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id         uuid NOT NULL REFERENCES orgs (org_id),
    email          text NOT NULL UNIQUE CHECK (email = lower(email)),
    password_hash  text NOT NULL,
    role           text NOT NULL CHECK (role IN ('admin', 'manager', 'viewer', 'auditor')),
    disabled       boolean NOT NULL DEFAULT false,
    created_at     timestamptz NOT NULL DEFAULT now()
);

-- Raw provider history: every call, and every distinct response body stored once.
CREATE TABLE provider_responses (
    content_hash  bytea PRIMARY KEY,
    body          bytea NOT NULL,
    content_type  text,
    size          integer NOT NULL,
    first_seen_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE provider_fetches (
    fetch_id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id         uuid NOT NULL REFERENCES orgs (org_id),
    provider       text NOT NULL,
    method         text NOT NULL,
    endpoint       text NOT NULL,
    params         jsonb NOT NULL DEFAULT '{}'::jsonb,
    status         integer,
    duration_ms    integer NOT NULL,
    started_at     timestamptz NOT NULL,
    response_hash  bytea REFERENCES provider_responses (content_hash),
    error          text
);
CREATE INDEX provider_fetches_org_time ON provider_fetches (org_id, started_at DESC);

-- The record. `position` is the global order; appends are serialised (see eventlog/store.py)
-- so that positions become visible in increasing order.
CREATE TABLE event_log (
    position        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id        uuid NOT NULL UNIQUE,
    event_type      text NOT NULL,
    schema_version  integer NOT NULL,
    provider        text NOT NULL,
    org_id          uuid NOT NULL REFERENCES orgs (org_id),
    account_id      text NOT NULL,          -- the provider account: Uber org, Bolt company
    entity_id       text NOT NULL,
    observed_at     timestamptz NOT NULL,
    recorded_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
    record          bytea NOT NULL,
    record_hash     bytea NOT NULL,
    fetch_id        bigint REFERENCES provider_fetches (fetch_id)
);
CREATE INDEX event_log_entity ON event_log (org_id, provider, entity_id, position);
CREATE INDEX event_log_type ON event_log (event_type, position);

CREATE FUNCTION event_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'event_log is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER event_log_no_update_delete BEFORE UPDATE OR DELETE ON event_log
    FOR EACH ROW EXECUTE FUNCTION event_log_refuse_change();
CREATE TRIGGER event_log_no_truncate BEFORE TRUNCATE ON event_log
    FOR EACH STATEMENT EXECUTE FUNCTION event_log_refuse_change();
REVOKE ALL ON event_log FROM PUBLIC;

-- Last observation of every provider entity: what makes an unchanged re-poll append nothing.
CREATE TABLE entity_observations (
    org_id         uuid NOT NULL,
    provider       text NOT NULL,
    entity_type    text NOT NULL,
    entity_id      text NOT NULL,
    record_hash    bytea NOT NULL,
    last_position  bigint NOT NULL,
    observed_at    timestamptz NOT NULL,
    PRIMARY KEY (org_id, provider, entity_type, entity_id)
);

-- Records that could not be decoded: kept with their reason and bytes, never dropped.
CREATE TABLE quarantine (
    quarantine_id  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id         uuid NOT NULL REFERENCES orgs (org_id),
    provider       text NOT NULL,
    resource       text NOT NULL,
    fetch_id       bigint REFERENCES provider_fetches (fetch_id),
    reason         text NOT NULL,
    raw            bytea NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now()
);

-- Provider accounts discovered or configured per tenant (Uber orgs, Bolt companies).
CREATE TABLE provider_accounts (
    org_id       uuid NOT NULL REFERENCES orgs (org_id),
    provider     text NOT NULL,
    account_id   text NOT NULL,
    name         text,
    parent_id    text,
    discovered_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, provider, account_id)
);

CREATE TABLE relay_checkpoints (
    name        text PRIMARY KEY,
    position    bigint NOT NULL DEFAULT 0,
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE projection_checkpoints (
    name        text PRIMARY KEY,
    position    bigint NOT NULL DEFAULT 0,
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- Read model: drivers of every provider, one row per (tenant, provider, driver).
CREATE TABLE drivers (
    org_id         uuid NOT NULL,
    provider       text NOT NULL,
    driver_id      text NOT NULL,
    account_id     text NOT NULL,
    first_name     text,
    last_name      text,
    email          text,
    phone          text,
    status         text,
    vehicle_ids    text[] NOT NULL DEFAULT '{}',
    first_seen_at  timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL,
    last_position  bigint NOT NULL,
    PRIMARY KEY (org_id, provider, driver_id)
);
-- The list's keyset order (see query_api/routes/drivers.py).
CREATE INDEX drivers_list ON drivers
    (org_id, provider, coalesce(last_name, ''), coalesce(first_name, ''), driver_id);

ALTER TABLE drivers ENABLE ROW LEVEL SECURITY;
CREATE POLICY drivers_org_isolation ON drivers TO fleet_api
    USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
CREATE POLICY users_org_isolation ON users TO fleet_api
    USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
ALTER TABLE orgs ENABLE ROW LEVEL SECURITY;
CREATE POLICY orgs_org_isolation ON orgs TO fleet_api
    USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid);

-- The writer serves every tenant: its policies let it through, and it has no grant on users.
CREATE POLICY drivers_writer ON drivers TO fleet_writer USING (true) WITH CHECK (true);
CREATE POLICY orgs_writer ON orgs TO fleet_writer USING (true);

-- Login happens before the caller's org is known: this function, owned by the schema owner,
-- is the only way the API role can find a user by email.
CREATE FUNCTION auth_find_user(p_email text)
RETURNS TABLE (user_id uuid, org_id uuid, email text, password_hash text, role text, disabled boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT u.user_id, u.org_id, u.email, u.password_hash, u.role, u.disabled
    FROM users u WHERE u.email = lower(p_email)
$$;
REVOKE ALL ON FUNCTION auth_find_user(text) FROM PUBLIC;

GRANT SELECT, INSERT ON event_log, provider_responses, provider_fetches, quarantine TO fleet_writer;
GRANT SELECT, INSERT, UPDATE ON entity_observations, provider_accounts, relay_checkpoints,
    projection_checkpoints TO fleet_writer;
GRANT SELECT, INSERT, UPDATE, DELETE ON drivers TO fleet_writer;
GRANT SELECT ON orgs TO fleet_writer;

GRANT SELECT ON orgs, users, drivers, projection_checkpoints TO fleet_api;
GRANT EXECUTE ON FUNCTION auth_find_user(text) TO fleet_api;
