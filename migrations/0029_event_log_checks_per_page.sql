-- The log's references checked once per page instead of once per event; one index fewer.
-- depends: 0028_latest_by_entity
--
-- 1. event_log.org_id and event_log.fetch_id were foreign keys. PostgreSQL checks a foreign
--    key row by row: for each event a query of orgs (and of provider_fetches when the event
--    names its call) that locks the referenced row FOR KEY SHARE. A page's 500 events name
--    one org and one call, so all but two of those 1,000 checks repeat an earlier one.
--    Measured on bench_peers.py's append part (a fresh database, 100,000 driver events,
--    pages of 500): 19,000-23,000 ev/s with the foreign keys, 26,200 with this check
--    (docs/SCALING.md, "Peers").
--
--    The same guarantee now comes from one statement-level trigger per INSERT or COPY: it
--    reads the statement's new rows (a transition table), locks each distinct org and call
--    they name FOR KEY SHARE, as the foreign key did, and refuses the statement
--    (foreign_key_violation, nothing written) if one does not exist. The other side of the
--    foreign key (an org or a call cannot be deleted, nor its id changed, while an event
--    names it) is a row trigger on orgs and on provider_fetches. The lock is what makes the
--    two sides safe together: a delete waits for the appending transaction, then its own
--    check (a new snapshot, under READ COMMITTED) sees the committed events.
--
-- 2. event_log_entity (org_id, provider, entity_id, position) served one read, the auditors'
--    list filtered by an entity. event_log_latest_by_entity (migration 0028) is led by
--    entity_id then org_id and answers it as well: the entity's events (352 for a driver of
--    the bench's year), sorted by position, 0.6 ms with its pages in memory and 6 ms cold,
--    where event_log_entity read 17 ms cold. One of the six indexes every append maintained,
--    and about 150 B an event on disk.

ALTER TABLE event_log DROP CONSTRAINT event_log_org_id_fkey,
                      DROP CONSTRAINT event_log_fetch_id_fkey;

CREATE FUNCTION event_log_check_references() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
    v_missing text;
BEGIN
    PERFORM FROM orgs WHERE org_id IN (SELECT org_id FROM appended) FOR KEY SHARE;
    SELECT a.org_id INTO v_missing FROM (SELECT DISTINCT org_id FROM appended) a
    WHERE NOT EXISTS (SELECT FROM orgs o WHERE o.org_id = a.org_id);
    IF FOUND THEN
        RAISE EXCEPTION 'insert into event_log refused: no org %', v_missing
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    PERFORM FROM provider_fetches WHERE fetch_id IN (SELECT fetch_id FROM appended)
        FOR KEY SHARE;
    SELECT a.fetch_id INTO v_missing
    FROM (SELECT DISTINCT fetch_id FROM appended WHERE fetch_id IS NOT NULL) a
    WHERE NOT EXISTS (SELECT FROM provider_fetches f WHERE f.fetch_id = a.fetch_id);
    IF FOUND THEN
        RAISE EXCEPTION 'insert into event_log refused: no provider fetch %', v_missing
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION event_log_check_references() FROM PUBLIC;
CREATE TRIGGER event_log_references AFTER INSERT ON event_log
    REFERENCING NEW TABLE AS appended
    FOR EACH STATEMENT EXECUTE FUNCTION event_log_check_references();

CREATE FUNCTION event_log_keep_referenced() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
    v_key text;
BEGIN
    -- (NEW exists only for an UPDATE: read it in a branch of its own.)
    IF TG_TABLE_NAME = 'orgs' THEN
        v_key := OLD.org_id::text;
        IF TG_OP = 'UPDATE' THEN
            IF NEW.org_id = OLD.org_id THEN
                RETURN NEW;
            END IF;
        END IF;
        PERFORM FROM event_log WHERE org_id = OLD.org_id LIMIT 1;
    ELSE
        v_key := OLD.fetch_id::text;
        IF TG_OP = 'UPDATE' THEN
            IF NEW.fetch_id = OLD.fetch_id THEN
                RETURN NEW;
            END IF;
        END IF;
        PERFORM FROM event_log WHERE fetch_id = OLD.fetch_id LIMIT 1;
    END IF;
    IF FOUND THEN
        RAISE EXCEPTION '% of % % refused: events of the log refer to it',
            TG_OP, TG_TABLE_NAME, v_key USING ERRCODE = 'foreign_key_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END
$$;
REVOKE ALL ON FUNCTION event_log_keep_referenced() FROM PUBLIC;
CREATE TRIGGER orgs_keep_referenced BEFORE DELETE OR UPDATE OF org_id ON orgs
    FOR EACH ROW EXECUTE FUNCTION event_log_keep_referenced();
CREATE TRIGGER provider_fetches_keep_referenced BEFORE DELETE OR UPDATE OF fetch_id
    ON provider_fetches
    FOR EACH ROW EXECUTE FUNCTION event_log_keep_referenced();

DROP INDEX event_log_entity;
