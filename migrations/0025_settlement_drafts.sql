-- Kept settlement drafts, and what makes one invalid (docs/SETTLEMENTS.md, "Kept drafts").
-- depends: 0024_year_indexes
--
--   settlement_draft_versions  a counter per org and subject, raised in the transaction that
--                              changes what a draft reads (triggers below):
--                                (uber | bolt, <driver id>, <table>)  its money or hours
--                                (person, <person id>, <table>)       its scheme, lines, weeks,
--                                                                     name and identities
--                                (org, '', replay)                    a replay's swap
--   settlement_drafts          each person's draft of a week as the API computed it, with the
--                              stamp of what it read (rules, identities, these counters)
--
-- A kept draft is used only while its stamp equals the one computed from the counters now
-- (query_api/kept_drafts.py). Counters only grow, and none is ever deleted, so a stamp
-- never comes back to an old value.

CREATE TABLE settlement_draft_versions (
    org_id      uuid NOT NULL,
    provider    text NOT NULL,              -- uber | bolt | person | org
    driver_id   text NOT NULL,              -- the driver's id, the person's id, or ''
    source      text NOT NULL,              -- the table whose change raised it
    version     bigint NOT NULL,
    PRIMARY KEY (org_id, provider, driver_id, source)
);

CREATE TABLE settlement_drafts (
    org_id      uuid NOT NULL,
    week        text NOT NULL,              -- YYYY-Www
    person_id   uuid NOT NULL,
    stamp       text NOT NULL,              -- digest of what it was computed from
    statement   text NOT NULL,              -- the Statement, as JSON
    balance     bigint NOT NULL,
    platforms   text NOT NULL,              -- the list's per-platform sums, as a JSON object
    other       bigint NOT NULL,            -- the list's sum of the other lines
    PRIMARY KEY (org_id, week, person_id)
);

-- The tables a draft reads, by the column naming the driver (or person) a row is about.
CREATE TABLE settlement_draft_sources (
    table_name  text PRIMARY KEY,
    provider    text NOT NULL,              -- when the row has no provider column of its own
    key_column  text NOT NULL
);
INSERT INTO settlement_draft_sources VALUES
    ('uber_transactions', 'uber', 'driver_id'),
    ('driver_daily_metrics', 'uber', 'driver_id'),
    ('bolt_orders', 'bolt', 'driver_uuid'),
    ('bolt_state_logs', 'bolt', 'driver_uuid'),
    ('settlement_schemes', 'person', 'person_id'),
    ('settlement_lines', 'person', 'person_id'),
    ('settlements', 'person', 'person_id'),
    ('people', 'person', 'person_id'),
    ('people_identities', 'person', 'person_id');

-- Raise the counters of every driver (or person) a statement's rows are about, in one
-- sorted statement: two transactions raising the same counters lock them in the same order.
-- The rows come from the statement's transition table ("changed", and "before" for an
-- update: a row moved from one driver to another raises both). SECURITY DEFINER: whichever
-- role writes a source table (the projector's, the API's decisions) raises the counters.
CREATE FUNCTION settlement_drafts_bump() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        INSERT INTO settlement_draft_versions AS v (org_id, provider, driver_id, source, version)
        SELECT DISTINCT org_id, provider, key, TG_TABLE_NAME, 1 FROM (
            SELECT c.org_id, coalesce(to_jsonb(c) ->> 'provider', TG_ARGV[0]) AS provider,
                   to_jsonb(c) ->> TG_ARGV[1] AS key FROM changed c
            UNION ALL
            SELECT b.org_id, coalesce(to_jsonb(b) ->> 'provider', TG_ARGV[0]),
                   to_jsonb(b) ->> TG_ARGV[1] FROM before b
        ) rows WHERE key IS NOT NULL ORDER BY 1, 2, 3
        ON CONFLICT (org_id, provider, driver_id, source) DO UPDATE SET version = v.version + 1;
    ELSE
        INSERT INTO settlement_draft_versions AS v (org_id, provider, driver_id, source, version)
        SELECT DISTINCT org_id, provider, key, TG_TABLE_NAME, 1 FROM (
            SELECT c.org_id, coalesce(to_jsonb(c) ->> 'provider', TG_ARGV[0]) AS provider,
                   to_jsonb(c) ->> TG_ARGV[1] AS key FROM changed c
        ) rows WHERE key IS NOT NULL ORDER BY 1, 2, 3
        ON CONFLICT (org_id, provider, driver_id, source) DO UPDATE SET version = v.version + 1;
    END IF;
    RETURN NULL;
END $$;

-- Watch a source table: its three statement triggers. A replay's shadow table is created
-- LIKE the live one, which copies no trigger (the rebuild pays nothing for them); the swap
-- calls settlement_drafts_swapped, which watches the swapped-in table.
CREATE FUNCTION settlement_drafts_watch(p_table text) RETURNS void
LANGUAGE plpgsql SET search_path = public AS $$
DECLARE
    src settlement_draft_sources;
BEGIN
    SELECT * INTO STRICT src FROM settlement_draft_sources WHERE table_name = p_table;
    EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS changed '
                   'FOR EACH STATEMENT EXECUTE FUNCTION settlement_drafts_bump(%L, %L)',
                   p_table || '_drafts_ins', p_table, src.provider, src.key_column);
    EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I REFERENCING OLD TABLE AS before '
                   'NEW TABLE AS changed FOR EACH STATEMENT '
                   'EXECUTE FUNCTION settlement_drafts_bump(%L, %L)',
                   p_table || '_drafts_upd', p_table, src.provider, src.key_column);
    EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I REFERENCING OLD TABLE AS changed '
                   'FOR EACH STATEMENT EXECUTE FUNCTION settlement_drafts_bump(%L, %L)',
                   p_table || '_drafts_del', p_table, src.provider, src.key_column);
END $$;

-- After a replay swapped p_tables in (in the swap's transaction): watch those that drafts
-- read, raise every org's replay counter (a draft computed from the old tables and kept
-- after this commits carries the old counter: invalid) and drop the kept drafts.
CREATE FUNCTION settlement_drafts_swapped(p_tables text[]) RETURNS void
LANGUAGE plpgsql SET search_path = public AS $$
DECLARE
    t text;
BEGIN
    FOR t IN SELECT table_name FROM settlement_draft_sources
             WHERE table_name = ANY(p_tables) ORDER BY table_name LOOP
        PERFORM settlement_drafts_watch(t);
    END LOOP;
    INSERT INTO settlement_draft_versions AS v (org_id, provider, driver_id, source, version)
    SELECT org_id, 'org', '', 'replay', 1 FROM orgs ORDER BY org_id
    ON CONFLICT (org_id, provider, driver_id, source) DO UPDATE SET version = v.version + 1;
    DELETE FROM settlement_drafts;
END $$;

DO $$
DECLARE
    t text;
BEGIN
    FOR t IN SELECT table_name FROM settlement_draft_sources ORDER BY table_name LOOP
        PERFORM settlement_drafts_watch(t);
    END LOOP;
END $$;

ALTER TABLE settlement_draft_versions ENABLE ROW LEVEL SECURITY;
ALTER TABLE settlement_drafts ENABLE ROW LEVEL SECURITY;

CREATE POLICY settlement_draft_versions_org_isolation ON settlement_draft_versions TO fleet_api
    USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
CREATE POLICY settlement_drafts_org_isolation ON settlement_drafts TO fleet_api
    USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
CREATE POLICY settlement_draft_versions_writer ON settlement_draft_versions TO fleet_writer
    USING (true) WITH CHECK (true);
CREATE POLICY settlement_drafts_writer ON settlement_drafts TO fleet_writer
    USING (true) WITH CHECK (true);

GRANT SELECT ON settlement_draft_versions, settlement_drafts, settlement_draft_sources
    TO fleet_api;
GRANT SELECT ON settlement_draft_versions, settlement_draft_sources TO fleet_writer;
GRANT SELECT, INSERT, UPDATE, DELETE ON settlement_drafts TO fleet_writer;
REVOKE ALL ON FUNCTION settlement_drafts_bump() FROM PUBLIC;
