-- The change detection's lookup can be answered by one probe of event_log_latest, and only so.
-- depends: 0026_fleet_days
--
-- The lookup of event_log_append_begin (migration 0023) asks, for each entity of a page, for
-- the hash of the latest event of (org, provider, event type, entity). Written as equalities
-- on the four columns and ORDER BY position DESC LIMIT 1, it had two answers:
-- event_log_latest (org_id, provider, event_type, entity_id, position), one probe, and
-- event_log_entity (org_id, provider, entity_id, position) with the type as a filter, which
-- walks the entity's events backwards through every event of other types until one of the
-- page's type: an Uber driver's hundreds of status changes before its driver record. With
-- many entities the planner expects about one row either way, and then the smaller index
-- (event_log_entity holds neither the type nor the hash) looks a little cheaper. On a log of
-- a few tenants with fresh statistics (tests/eventlog/test_lookup_plan.py), custom plans chose
-- the walk: 26 ms and 81,600 buffers for a page of 200 unchanged drivers with 400 status
-- events each, against 0.4 ms and 1,000 by the probe. The generic plan chose the probe there,
-- but only because its estimates happened to differ. plan_cache_mode would merely pick which
-- of the two estimates to trust.
--
-- So the key is no longer named by equalities. Type and entity are pinned by two row
-- comparisons, >= and <= (together: equal, since text equality is byte equality under our
-- deterministic collation), and the rows are asked for in the order (event_type, entity_id,
-- position). PostgreSQL drops a sort key that an equality makes constant, so with equalities
-- ORDER BY event_type, entity_id, position would shrink back to ORDER BY position, which
-- event_log_entity gives too (checked with EXPLAIN). A row comparison is not an equality: the
-- keys stay, and only event_log_latest's column order gives them. Every other index, or a
-- sequential scan, has to read and sort all the events of the org and provider before it
-- returns a first row: the planner prices that above one probe as soon as the tenant has more
-- than a handful of events (on a log of four it sorts them, harmlessly), whatever it believes
-- about types and entities. Both row comparisons are index conditions of the probe, so a new
-- entity ends the scan at once, with no row to check on the heap; with only the <= bound the
-- probe stopped on the neighbouring key and visited its heap page (appends of new pages, in
-- bench/bench_append.py, fell from ~81% to ~71% of a COPY). The probe stays index-only:
-- event_log_latest INCLUDEs record_hash (migration 0013).
CREATE OR REPLACE FUNCTION event_log_append_begin(
    p_org uuid, p_provider text, p_event_type text, p_ids text, p_hashes bytea,
    p_channel text, p_lock bigint, p_offset integer
) RETURNS TABLE (changed integer[], next_position bigint, rls boolean)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    v_changed integer[];
    v_next bigint;
    v_rls boolean := row_security_active('event_log');
BEGIN
    PERFORM pg_advisory_xact_lock(p_lock);
    -- p_ids: a JSON array of entity ids; p_hashes: their SHA-256, end to end.
    SELECT coalesce(array_agg(k.ord::integer ORDER BY k.ord), '{}') INTO v_changed
    FROM json_array_elements_text(p_ids::json) WITH ORDINALITY AS k(entity_id, ord)
    LEFT JOIN LATERAL (
        SELECT e.record_hash FROM event_log e
        WHERE e.org_id = p_org AND e.provider = p_provider
          AND (e.event_type, e.entity_id) >= (p_event_type, k.entity_id)
          AND (e.event_type, e.entity_id) <= (p_event_type, k.entity_id)
        ORDER BY e.event_type DESC, e.entity_id DESC, e.position DESC LIMIT 1
    ) latest ON true
    WHERE latest.record_hash IS DISTINCT FROM
          substring(p_hashes FROM (k.ord::integer - 1) * 32 + 1 FOR 32);
    SELECT CASE WHEN s.is_called THEN s.last_value + 1 ELSE s.last_value END INTO v_next
    FROM event_log_position_seq s;
    IF cardinality(v_changed) > 0 AND NOT v_rls THEN
        PERFORM pg_notify(p_channel, (v_next + p_offset + cardinality(v_changed) - 1)::text);
    END IF;
    RETURN QUERY SELECT v_changed, v_next, v_rls;
END
$$;

REVOKE ALL ON FUNCTION event_log_append_begin(uuid, text, text, text, bytea, text, bigint, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION event_log_append_begin(uuid, text, text, text, bytea, text, bigint, integer)
    TO fleet_writer;
