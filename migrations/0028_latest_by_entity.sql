-- Change detection's lookup, answered by one index whatever the planner's statistics say.
-- depends: 0027_event_log_analyze
--
-- Migration 0023 looked up each record's latest event with equalities on (org_id, provider,
-- event_type, entity_id) and `ORDER BY position DESC LIMIT 1`. event_log_type, event_log_entity
-- and event_log_org_position can all give that order with some of those equalities as their
-- condition, so the planner chose by its estimates; when the statistics had never seen the
-- tenant or the event type it estimated one row and walked event_log_type or
-- event_log_org_position backwards, reading for each record every event of that type or tenant
-- appended since: appends went quadratic until the next ANALYZE (docs/SCALING.md, "Limits").
--
-- The index of the lookup now starts with entity_id, which no other index of the log starts
-- with, and the lookup pins its five key columns with two row comparisons, "from (entity,
-- org, provider, type, 0) to (entity, org, provider, type, the last position)", in that key
-- order descending, LIMIT 1. A row comparison is an index condition only on an index whose
-- first columns are its own, so every other path scans and sorts the whole log: the backward
-- scan of this one range is the only cheap plan, for custom and generic plans alike, whatever
-- the statistics. The range holds exactly the entity's events of that type, so a new entity
-- reads no entry. (A first try kept event_log_latest, led by org_id, and put the tenant and
-- provider as equalities beside the row comparisons: its cached generic plan sorted the
-- tenant's events through event_log_org_position. A row comparison led by org_id alone still
-- lets event_log_org_position take the tenant as a range.)
--
-- Same columns as event_log_latest, another order: the same size and the same cost to
-- maintain. Building it on an existing log takes the time of one index build (about a minute
-- for ten million events), during which appends wait.

CREATE INDEX event_log_latest_by_entity
    ON event_log (entity_id, org_id, provider, event_type, position) INCLUDE (record_hash);
DROP INDEX event_log_latest;

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
        WHERE (e.entity_id, e.org_id, e.provider, e.event_type, e.position)
              >= (k.entity_id, p_org, p_provider, p_event_type, 0)
          AND (e.entity_id, e.org_id, e.provider, e.event_type, e.position)
              <= (k.entity_id, p_org, p_provider, p_event_type, 9223372036854775807)
        ORDER BY e.entity_id DESC, e.org_id DESC, e.provider DESC, e.event_type DESC,
                 e.position DESC
        LIMIT 1
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
