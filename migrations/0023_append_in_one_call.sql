-- Appends lock, detect changes, reserve their positions and notify in one round trip
-- (eventlog/store.py, "How a page is appended", tells the steps and why they are safe).
-- depends: 0022_quality_indexes
--
-- Before, a page's append spent four round trips around its COPY: the lock, the change
-- detection's lookup, then currval() and pg_notify() after the COPY. This function does the
-- first two and what the last one needed in one call, so an append is this call and its COPY.
--
-- Why the lookup still sees every earlier append: PL/pgSQL runs each statement of a VOLATILE
-- function with a new snapshot under READ COMMITTED, so the lookup, a statement issued after
-- pg_advisory_xact_lock() returned, sees everything committed before the lock was granted,
-- exactly as the separate statement did.
--
-- Why the page's positions are known before its COPY: under the lock nothing else draws from
-- event_log_position_seq (every append goes through here; CACHE 1, INCREMENT 1, checked by
-- tests/eventlog/test_change_detection.py), so the COPY will draw next .. next + n - 1, where
-- next follows the sequence's last value. The notification is sent now and, like any NOTIFY,
-- delivered only if the transaction commits: a COPY that fails takes it back.
--
-- SECURITY INVOKER (the default): the caller's own grants and row-level security apply, so
-- row_security_active() answers for the caller; where it is true the caller inserts instead
-- of COPYing and notifies itself, and this function does not.
--
-- One call per event type of the page (a page holds one, as a rule): the type is a scalar,
-- never an expression of each key, because then the planner cannot see it and may walk
-- event_log_type (event_type, position) backwards through the whole history of that type
-- for each new entity, instead of one probe of event_log_latest (seen in a bench: seconds a
-- page). p_offset counts the changed records of the page's earlier calls, so the last
-- call's notification carries the page's last position.
CREATE FUNCTION event_log_append_begin(
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
          AND e.event_type = p_event_type AND e.entity_id = k.entity_id
        ORDER BY e.position DESC LIMIT 1
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
