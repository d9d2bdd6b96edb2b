-- API access: the raw history under row-level security for auditors, refresh tokens and
-- login throttling for the API role, each reachable only through SECURITY DEFINER functions.
-- depends: 0002_poll_cursors
--
-- Until now only the writer could read event_log, provider_fetches, quarantine,
-- provider_accounts and entity_observations. The API role gets SELECT on them, filtered to the
-- caller's org (`app.org_id`, set per request by query_api/deps.py). The writer appends for
-- every org, so its policies let it through.
--
-- provider_responses has no org: a body is shared by every call that got the same bytes. The
-- API role gets no grant on it; audit_fetch_body() returns a body only through a fetch of the
-- caller's org.
--
-- Functions below are SECURITY DEFINER and owned by the migration owner, which owns the tables
-- and so is not subject to their policies: each function must check the org itself where it
-- matters. search_path is pinned so the API role cannot shadow a table.

ALTER TABLE event_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE provider_fetches ENABLE ROW LEVEL SECURITY;
ALTER TABLE quarantine ENABLE ROW LEVEL SECURITY;
ALTER TABLE provider_accounts ENABLE ROW LEVEL SECURITY;
ALTER TABLE entity_observations ENABLE ROW LEVEL SECURITY;

CREATE POLICY event_log_org_isolation ON event_log TO fleet_api
    USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
CREATE POLICY provider_fetches_org_isolation ON provider_fetches TO fleet_api
    USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
CREATE POLICY quarantine_org_isolation ON quarantine TO fleet_api
    USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
CREATE POLICY provider_accounts_org_isolation ON provider_accounts TO fleet_api
    USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
CREATE POLICY entity_observations_org_isolation ON entity_observations TO fleet_api
    USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid);

CREATE POLICY event_log_writer ON event_log TO fleet_writer USING (true) WITH CHECK (true);
CREATE POLICY provider_fetches_writer ON provider_fetches TO fleet_writer
    USING (true) WITH CHECK (true);
CREATE POLICY quarantine_writer ON quarantine TO fleet_writer USING (true) WITH CHECK (true);
CREATE POLICY provider_accounts_writer ON provider_accounts TO fleet_writer
    USING (true) WITH CHECK (true);
CREATE POLICY entity_observations_writer ON entity_observations TO fleet_writer
    USING (true) WITH CHECK (true);

GRANT SELECT ON event_log, provider_fetches, quarantine, provider_accounts, entity_observations
    TO fleet_api;

-- Audit lists are keyset-paginated by id; these serve the per-org filters.
CREATE INDEX quarantine_org ON quarantine (org_id, quarantine_id);
CREATE INDEX provider_fetches_org_id ON provider_fetches (org_id, fetch_id);
CREATE INDEX event_log_org_position ON event_log (org_id, position);

-- The response body of one fetch of the caller's org (no row otherwise).
CREATE FUNCTION audit_fetch_body(p_fetch_id bigint)
RETURNS TABLE (body bytea, content_type text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT r.body, r.content_type
    FROM provider_fetches f JOIN provider_responses r ON r.content_hash = f.response_hash
    WHERE f.fetch_id = p_fetch_id
      AND f.org_id = nullif(current_setting('app.org_id', true), '')::uuid
$$;
REVOKE ALL ON FUNCTION audit_fetch_body(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION audit_fetch_body(bigint) TO fleet_api;

-- Refresh tokens: only the SHA-256 of each token is stored (the CHECK refuses anything that is
-- not 32 bytes). A login starts a family; each refresh revokes the token it presents and issues
-- the next one in the same family. Presenting a revoked token means it was copied: the whole
-- family is revoked (RFC 9700 §4.14.2, refresh token rotation).
CREATE TABLE refresh_tokens (
    token_hash   bytea PRIMARY KEY CHECK (octet_length(token_hash) = 32),
    family_id    uuid NOT NULL,
    user_id      uuid NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    issued_at    timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    revoked_at   timestamptz,
    replaced_by  bytea
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id);
REVOKE ALL ON refresh_tokens FROM PUBLIC;

CREATE FUNCTION auth_issue_refresh(p_user_id uuid, p_token_hash bytea, p_ttl_s integer)
RETURNS timestamptz
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public AS $$
    INSERT INTO refresh_tokens (token_hash, family_id, user_id, expires_at)
    SELECT p_token_hash, gen_random_uuid(), u.user_id, now() + make_interval(secs => p_ttl_s)
    FROM users u WHERE u.user_id = p_user_id AND NOT u.disabled
    RETURNING expires_at
$$;

-- outcome: ok | unknown | expired | reused | disabled; the user's identity only when ok.
-- The row lock makes two refreshes racing with one token serial: the second sees it revoked
-- and revokes the family, as a replay would.
CREATE FUNCTION auth_rotate_refresh(p_old_hash bytea, p_new_hash bytea, p_ttl_s integer)
RETURNS TABLE (outcome text, user_id uuid, org_id uuid, email text, role text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public AS $$
#variable_conflict use_column
DECLARE
    t refresh_tokens%ROWTYPE;
    u users%ROWTYPE;
BEGIN
    SELECT * INTO t FROM refresh_tokens WHERE token_hash = p_old_hash FOR UPDATE;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'unknown', NULL::uuid, NULL::uuid, NULL::text, NULL::text;
        RETURN;
    END IF;
    SELECT * INTO u FROM users WHERE user_id = t.user_id;
    IF t.revoked_at IS NOT NULL OR u.disabled THEN
        UPDATE refresh_tokens SET revoked_at = now()
        WHERE family_id = t.family_id AND revoked_at IS NULL;
        RETURN QUERY SELECT CASE WHEN u.disabled THEN 'disabled' ELSE 'reused' END,
            NULL::uuid, NULL::uuid, NULL::text, NULL::text;
        RETURN;
    END IF;
    IF t.expires_at <= now() THEN
        RETURN QUERY SELECT 'expired', NULL::uuid, NULL::uuid, NULL::text, NULL::text;
        RETURN;
    END IF;
    UPDATE refresh_tokens SET revoked_at = now(), replaced_by = p_new_hash
    WHERE token_hash = p_old_hash;
    INSERT INTO refresh_tokens (token_hash, family_id, user_id, expires_at)
    VALUES (p_new_hash, t.family_id, t.user_id, now() + make_interval(secs => p_ttl_s));
    RETURN QUERY SELECT 'ok', u.user_id, u.org_id, u.email, u.role;
END
$$;

-- Logout: revoke the token's whole family (the session); false when the token is unknown.
CREATE FUNCTION auth_revoke_refresh(p_token_hash bytea)
RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public AS $$
DECLARE
    fam uuid;
BEGIN
    SELECT family_id INTO fam FROM refresh_tokens WHERE token_hash = p_token_hash;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = fam AND revoked_at IS NULL;
    RETURN true;
END
$$;

-- Failed logins, by email and by client address, for throttling. In the database rather
-- than in each API process so that every worker and replica counts the same attempts.
CREATE TABLE login_failures (
    failure_id  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email       text NOT NULL,
    client_ip   text NOT NULL,
    failed_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_email ON login_failures (email, failed_at);
CREATE INDEX login_failures_ip ON login_failures (client_ip, failed_at);
CREATE INDEX login_failures_time ON login_failures (failed_at);
REVOKE ALL ON login_failures FROM PUBLIC;

-- Seconds until a login for this email from this address may be tried again (0: now). Blocked
-- while p_max failures or more fall in the window; free again when the p_max-th most recent
-- one leaves it.
CREATE FUNCTION auth_login_retry_after(p_email text, p_ip text, p_max integer, p_window_s integer)
RETURNS integer
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT coalesce(max(ceil(extract(epoch FROM
               w.nth + make_interval(secs => p_window_s) - clock_timestamp())))::integer, 0)
    FROM (
        SELECT (SELECT failed_at FROM login_failures
                WHERE email = lower(p_email)
                  AND failed_at > clock_timestamp() - make_interval(secs => p_window_s)
                ORDER BY failed_at DESC OFFSET p_max - 1 LIMIT 1) AS nth
        UNION ALL
        SELECT (SELECT failed_at FROM login_failures
                WHERE client_ip = p_ip
                  AND failed_at > clock_timestamp() - make_interval(secs => p_window_s)
                ORDER BY failed_at DESC OFFSET p_max - 1 LIMIT 1)
    ) w
$$;

-- A failure is counted; a success forgets the email's failures (not the address's: a valid
-- account must not reset the counter of an address trying other accounts). Failures older
-- than a day (or the window) are pruned on the way.
CREATE FUNCTION auth_record_login(p_email text, p_ip text, p_succeeded boolean, p_window_s integer)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public AS $$
BEGIN
    IF p_succeeded THEN
        DELETE FROM login_failures WHERE email = lower(p_email);
    ELSE
        INSERT INTO login_failures (email, client_ip, failed_at)
        VALUES (lower(p_email), p_ip, clock_timestamp());
    END IF;
    DELETE FROM login_failures
    WHERE failed_at < clock_timestamp() - make_interval(secs => greatest(p_window_s, 86400));
END
$$;

REVOKE ALL ON FUNCTION auth_issue_refresh(uuid, bytea, integer), auth_rotate_refresh(bytea, bytea, integer),
    auth_revoke_refresh(bytea), auth_login_retry_after(text, text, integer, integer),
    auth_record_login(text, text, boolean, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth_issue_refresh(uuid, bytea, integer), auth_rotate_refresh(bytea, bytea, integer),
    auth_revoke_refresh(bytea), auth_login_retry_after(text, text, integer, integer),
    auth_record_login(text, text, boolean, integer) TO fleet_api;
