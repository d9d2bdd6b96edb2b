-- Appends by COPY: the writer role bypasses row-level security, and change detection reads
-- the log itself, so entity_observations goes (eventlog/store.py tells the append's steps).
-- depends: 0012_driver_search
--
-- Why BYPASSRLS grants the writer nothing new: row-level security on a table filters rows;
-- it never adds a privilege (the writer still has only the grants of 0001-0012, e.g. no
-- UPDATE on event_log and nothing on users, refresh_tokens or login_failures). On every table
-- with row-level security where the writer has a grant, its policy is `USING (true) WITH
-- CHECK (true)` (orgs: `USING (true)`, SELECT only): it already saw and wrote every row.
-- tests/api/test_raw_history_rls.py checks that over the catalog, so a future writer policy
-- that filters would fail there rather than be silently bypassed. What BYPASSRLS changes is
-- that COPY FROM, which PostgreSQL refuses wherever a policy applies, is allowed on event_log.
-- The API role keeps NOBYPASSRLS: tenant isolation binds it as before.
--
-- Only a superuser (or, from PostgreSQL 16, a CREATEROLE role that has BYPASSRLS itself) may
-- grant the attribute. Where the migration role may not (the embedded default's owner, whose
-- `fleet` provisioning sets it instead; a managed server), this notes it and goes on: appends
-- then fall back to an INSERT (eventlog/store.py), correct and slower.
DO $$
BEGIN
    ALTER ROLE fleet_writer BYPASSRLS;
EXCEPTION WHEN insufficient_privilege THEN
    RAISE NOTICE 'fleet_writer could not be given BYPASSRLS (%): appends use INSERT, not COPY',
        SQLERRM;
END
$$;

-- After its COPY an append reads the page's last position with currval(): SELECT on the
-- sequence allows exactly that (not nextval or setval).
GRANT SELECT ON SEQUENCE event_log_position_seq TO fleet_writer;

-- The latest event of each entity holds the hash entity_observations kept; its policies and
-- grants go with it.
DROP TABLE entity_observations;

-- The change detection's lookup: the latest event of one kind (event type) of one entity.
-- event_log_entity (org_id, provider, entity_id, position) would serve it only by walking
-- back through every event of another kind sharing the id (an Uber driver's status changes
-- between two observations of the driver itself) before reaching it, a walk that grows with
-- the log.
CREATE INDEX event_log_latest ON event_log (org_id, provider, event_type, entity_id, position)
    INCLUDE (record_hash);
