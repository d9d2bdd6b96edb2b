-- Sync runs: every poll of a resource, scheduled or asked for by an admin, with its outcome.
-- The API creates a 'queued' run and sends the command over NATS; the ingest process that
-- takes it moves it to running, then succeeded/failed (ingest/runs.py).
-- depends: 0002_poll_cursors

CREATE TABLE sync_runs (
    run_id        uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id        uuid NOT NULL REFERENCES orgs (org_id),
    provider      text NOT NULL,
    resource      text NOT NULL,
    trigger       text NOT NULL CHECK (trigger IN ('schedule', 'manual')),
    requested_by  uuid,
    status        text NOT NULL
                  CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'skipped')),
    requested_at  timestamptz NOT NULL DEFAULT now(),
    started_at    timestamptz,
    finished_at   timestamptz,
    calls         integer NOT NULL DEFAULT 0,
    records       integer NOT NULL DEFAULT 0,
    appended      integer NOT NULL DEFAULT 0,
    quarantined   integer NOT NULL DEFAULT 0,
    error         text
);
CREATE INDEX sync_runs_last ON sync_runs (org_id, provider, resource, requested_at DESC);

ALTER TABLE sync_runs ENABLE ROW LEVEL SECURITY;
CREATE POLICY sync_runs_org_isolation ON sync_runs TO fleet_api
    USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid)
    WITH CHECK (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
CREATE POLICY sync_runs_writer ON sync_runs TO fleet_writer USING (true) WITH CHECK (true);

GRANT SELECT, INSERT ON sync_runs TO fleet_api;
GRANT SELECT, INSERT, UPDATE ON sync_runs TO fleet_writer;
