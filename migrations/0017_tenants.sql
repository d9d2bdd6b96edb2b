-- Tenants: an org can be disabled, and each org's provider credentials are stored in the
-- database, encrypted (fleet credentials set; docs/OPERATIONS.md, "Tenants").
-- depends: 0015_legacy_sources

-- A disabled org is polled no more (ingest reads the enabled orgs at start) and its users can
-- neither log in nor refresh (the auth functions below). Its data stays: disabling is undone
-- by clearing the column, and the log is never deleted from.
ALTER TABLE orgs ADD COLUMN disabled_at timestamptz;

-- One row per org and provider. The secret is a Fernet token (AES-128-CBC + HMAC-SHA256)
-- made with FLEET_CREDENTIALS_KEY, which the database never sees: a dump of this table alone
-- gives away client ids and URLs, never a secret. `extra` holds the provider's scoping
-- (Uber: default_org_id; Bolt: company_ids), as the environment's UBER_DEFAULT_ORG_ID and
-- BOLT_COMPANY_IDS do for the default org.
CREATE TABLE provider_credentials (
    org_id            uuid NOT NULL REFERENCES orgs (org_id),
    provider          text NOT NULL CHECK (provider IN ('uber', 'bolt')),
    client_id         text NOT NULL CHECK (client_id <> ''),
    secret_encrypted  bytea NOT NULL,
    auth_url          text,
    base_url          text,
    extra             jsonb NOT NULL DEFAULT '{}',
    updated_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, provider)
);

-- Only ingest reads the credentials (fleet_writer, which serves every tenant: its policy lets
-- it through whole, as tests/api/test_raw_history_rls.py requires of the writer's policies).
-- The API role has no grant at all: not even its own org's row, so no request, however
-- crafted, can reach a secret. The owner (fleet credentials set/list/delete) writes them.
ALTER TABLE provider_credentials ENABLE ROW LEVEL SECURITY;
CREATE POLICY provider_credentials_writer ON provider_credentials TO fleet_writer
    USING (true);
REVOKE ALL ON provider_credentials FROM PUBLIC;
GRANT SELECT ON provider_credentials TO fleet_writer;

-- The users of a disabled org are refused like disabled users: at login (auth_find_user says
-- disabled) and no new session starts. Their sessions are revoked by `fleet orgs disable`
-- itself (fleet/tenants.py), so a refresh fails too. Access tokens already issued live out
-- their minutes (15 by default), as for a disabled user.
CREATE OR REPLACE FUNCTION auth_find_user(p_email text)
RETURNS TABLE (user_id uuid, org_id uuid, email text, password_hash text, role text, disabled boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT u.user_id, u.org_id, u.email, u.password_hash, u.role,
           u.disabled OR o.disabled_at IS NOT NULL
    FROM users u JOIN orgs o ON o.org_id = u.org_id WHERE u.email = lower(p_email)
$$;

CREATE OR REPLACE FUNCTION auth_issue_refresh(p_user_id uuid, p_token_hash bytea, p_ttl_s integer)
RETURNS timestamptz
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public AS $$
    INSERT INTO refresh_tokens (token_hash, family_id, user_id, expires_at)
    SELECT p_token_hash, gen_random_uuid(), u.user_id, now() + make_interval(secs => p_ttl_s)
    FROM users u JOIN orgs o ON o.org_id = u.org_id
    WHERE u.user_id = p_user_id AND NOT u.disabled AND o.disabled_at IS NULL
    RETURNING expires_at
$$;
