-- Coverage: the spans of time each windowed poll fetched in full, per tenant, provider,
-- provider account and resource, written in the transaction of the page that completed the
-- span (ingest/coverage.py), so a span is never claimed for data that was not stored. A
-- snapshot resource (a full listing: drivers, vehicles...) records the instant of each
-- complete listing as a one-instant range '[t,t]'. Gaps are computed in SQL:
-- tstzmultirange(asked) - range_agg(covered).
-- depends: 0010_sync_run_failures

CREATE TABLE coverage (
    org_id       uuid NOT NULL REFERENCES orgs (org_id),
    provider     text NOT NULL,
    account_id   text NOT NULL,
    resource     text NOT NULL,
    covered      tstzrange NOT NULL CHECK (NOT isempty(covered)),
    run_id       uuid REFERENCES sync_runs (run_id),
    recorded_at  timestamptz NOT NULL DEFAULT now()
);
-- Reads take one tenant's spans of a resource and aggregate them (range_agg).
CREATE INDEX coverage_key ON coverage (org_id, provider, resource, account_id);

ALTER TABLE coverage ENABLE ROW LEVEL SECURITY;
CREATE POLICY coverage_org_isolation ON coverage TO fleet_api
    USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
CREATE POLICY coverage_writer ON coverage TO fleet_writer USING (true) WITH CHECK (true);
GRANT SELECT ON coverage TO fleet_api;
GRANT SELECT, INSERT ON coverage TO fleet_writer;

-- Completeness of a run: a poll that stopped short of what it asked (Bolt's total_rows not
-- reached, an error mid-window) is incomplete, with the reason. NULL while the run is open.
ALTER TABLE sync_runs
    ADD COLUMN complete boolean,
    ADD COLUMN incomplete_reason text;
