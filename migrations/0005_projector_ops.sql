-- Projector operations: parked events (what a projection could not apply, kept with the
-- reason for auditors and retried after a fix) and the lag of each projection.
-- depends: 0002_poll_cursors
--
-- A parked event is not lost: the log still holds it, `fleet parked retry` re-applies it, and
-- the projection's checkpoint moved past it so that one bad record never stops a tenant's
-- read model. One open row per (projection, position); a retried row keeps its history
-- (retries, retried_at, the last reason) and is closed with resolved_at when it applies, or
-- when a replay rebuilt the projection (resolution says which).

CREATE TABLE parked_events (
    parked_id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    projection   text NOT NULL,
    position     bigint NOT NULL,
    event_id     uuid NOT NULL,
    event_type   text NOT NULL,
    org_id       uuid NOT NULL,
    reason       text NOT NULL,
    parked_at    timestamptz NOT NULL DEFAULT now(),
    retries      integer NOT NULL DEFAULT 0,
    retried_at   timestamptz,
    resolved_at  timestamptz,
    resolution   text CHECK (resolution IN ('applied', 'replayed'))
);
CREATE UNIQUE INDEX parked_events_open ON parked_events (projection, position)
    WHERE resolved_at IS NULL;
CREATE INDEX parked_events_org ON parked_events (org_id, parked_id);

ALTER TABLE parked_events ENABLE ROW LEVEL SECURITY;
CREATE POLICY parked_events_org_isolation ON parked_events TO fleet_api
    USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
CREATE POLICY parked_events_writer ON parked_events TO fleet_writer
    USING (true) WITH CHECK (true);

GRANT SELECT, INSERT, UPDATE, DELETE ON parked_events TO fleet_writer;
GRANT SELECT ON parked_events TO fleet_api;

-- Lag of the named projections: events behind (head − checkpoint) and seconds behind (now −
-- recorded_at of the oldest event after the checkpoint; 0 when caught up), plus the count of
-- open parked events of every org. SECURITY DEFINER: the API role reads no raw log across
-- orgs, only these figures. A name without a checkpoint row is at position 0.
CREATE FUNCTION projection_lag(p_names text[])
RETURNS TABLE (projection text, checkpoint bigint, head bigint, events_behind bigint,
               seconds_behind double precision, parked bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    WITH head AS (SELECT coalesce(max(position), 0) AS head FROM event_log),
    names AS (
        SELECT n.name, coalesce(c.position, 0) AS checkpoint
        FROM unnest(p_names) AS n (name)
        LEFT JOIN projection_checkpoints c ON c.name = n.name
    )
    SELECT n.name, n.checkpoint, h.head, greatest(h.head - n.checkpoint, 0),
           coalesce(extract(epoch FROM clock_timestamp() - (
               SELECT e.recorded_at FROM event_log e
               WHERE e.position > n.checkpoint ORDER BY e.position LIMIT 1
           ))::double precision, 0),
           (SELECT count(*) FROM parked_events p
            WHERE p.projection = n.name AND p.resolved_at IS NULL)
    FROM names n CROSS JOIN head h
$$;
REVOKE ALL ON FUNCTION projection_lag(text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION projection_lag(text[]) TO fleet_writer, fleet_api;
