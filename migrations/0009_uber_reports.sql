-- Uber asynchronous reports: one row per report (tenant, report id), the latest observation wins.
-- depends: 0003_uber_read_models

-- `fetch_id` is the download call in provider_fetches (its recorded body is the CSV or zip);
-- for a FAILED report, the last get-report call. `csv_sha256` (hex) and `row_count` describe
-- the file (rows of every CSV, headers aside); both null for a FAILED report.
CREATE TABLE uber_reports (
    org_id          uuid NOT NULL,
    report_id       text NOT NULL,
    account_id      text NOT NULL,
    report_type     text,
    status          text NOT NULL,
    failed_reason   text,
    start_time      timestamptz,
    end_time        timestamptz,
    file_name       text,
    row_count       integer,
    csv_sha256      text,
    fetch_id        bigint,
    created_at      timestamptz,
    completed_at    timestamptz,
    updated_at      timestamptz NOT NULL,
    last_position   bigint NOT NULL,
    PRIMARY KEY (org_id, report_id)
);
CREATE INDEX uber_reports_period ON uber_reports (org_id, report_type, start_time);

ALTER TABLE uber_reports ENABLE ROW LEVEL SECURITY;
CREATE POLICY uber_reports_org_isolation ON uber_reports TO fleet_api
    USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
CREATE POLICY uber_reports_writer ON uber_reports TO fleet_writer
    USING (true) WITH CHECK (true);

GRANT SELECT ON uber_reports TO fleet_api;
GRANT SELECT, INSERT, UPDATE, DELETE ON uber_reports TO fleet_writer;
