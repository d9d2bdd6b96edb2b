-- Settlements: each driver's weekly pay from both platforms (docs/SETTLEMENTS.md).
-- depends: 0017_tenants 0018_coverage
--
-- Three read tables written by one projection (projector/projections/settlements.py) from
-- managers' decisions (contracts/settlement_decisions.py), rebuilt together by a replay:
--   settlement_schemes  each person's pay scheme, from the week it takes effect
--   settlement_lines    recurring and one-off lines (removed ones kept, with when)
--   settlements         weeks approved, paid or cancelled, each with its whole statement as
--                       approved and the log position it was computed at
-- Drafts are not stored: they are computed when asked, from the read models and these.
-- Idempotency-Keys are answered from people_requests, the decision path's table.

CREATE TABLE settlement_schemes (
    org_id          uuid NOT NULL,
    person_id       uuid NOT NULL,
    effective_from  date NOT NULL,          -- the Monday of the week it takes effect
    scheme          jsonb NOT NULL,
    position        bigint NOT NULL,
    PRIMARY KEY (org_id, person_id, effective_from)
);

CREATE TABLE settlement_lines (
    org_id          uuid NOT NULL,
    line_id         uuid NOT NULL,
    person_id       uuid NOT NULL,
    kind            text NOT NULL CHECK (kind IN ('recurring', 'one_off')),
    category        text NOT NULL,
    label           text NOT NULL,
    amount          bigint NOT NULL,         -- cents, negative: the driver owes it
    first_monday    date NOT NULL,
    last_monday     date,                    -- one-off: = first_monday; recurring: null = open
    receipt         text,
    position        bigint NOT NULL,         -- the decision that added it: the line order
    removed_position bigint,                 -- the decision that removed it
    PRIMARY KEY (org_id, line_id)
);
CREATE INDEX settlement_lines_person ON settlement_lines (org_id, person_id, first_monday);

CREATE TABLE settlements (
    org_id              uuid NOT NULL,
    settlement_id       text NOT NULL,       -- <week>_<person id>
    person_id           uuid NOT NULL,
    week                text NOT NULL,       -- YYYY-Www
    status              text NOT NULL CHECK (status IN ('approved', 'paid', 'cancelled')),
    statement           jsonb,               -- as approved (null: cancelled as a draft)
    digest              text,
    balance             bigint,
    computed_at         bigint,              -- the log position the figures were computed at
    incomplete          text[] NOT NULL DEFAULT '{}',
    override_reason     text,
    approved_by         text,
    approved_at         timestamptz,
    paid_on             date,
    transfer_reference  text,
    paid_by             text,
    cancel_reason       text,
    cancelled_by        text,
    cancelled_at        timestamptz,
    last_position       bigint NOT NULL,
    PRIMARY KEY (org_id, settlement_id)
);
CREATE INDEX settlements_week ON settlements (org_id, week, person_id);
CREATE INDEX settlements_person ON settlements (org_id, person_id, week);

ALTER TABLE settlement_schemes ENABLE ROW LEVEL SECURITY;
ALTER TABLE settlement_lines ENABLE ROW LEVEL SECURITY;
ALTER TABLE settlements ENABLE ROW LEVEL SECURITY;

CREATE POLICY settlement_schemes_org_isolation ON settlement_schemes TO fleet_api
    USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
CREATE POLICY settlement_lines_org_isolation ON settlement_lines TO fleet_api
    USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
CREATE POLICY settlements_org_isolation ON settlements TO fleet_api
    USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid);

CREATE POLICY settlement_schemes_writer ON settlement_schemes TO fleet_writer
    USING (true) WITH CHECK (true);
CREATE POLICY settlement_lines_writer ON settlement_lines TO fleet_writer
    USING (true) WITH CHECK (true);
CREATE POLICY settlements_writer ON settlements TO fleet_writer USING (true) WITH CHECK (true);

GRANT SELECT ON settlement_schemes, settlement_lines, settlements TO fleet_api;
GRANT SELECT, INSERT, UPDATE, DELETE ON settlement_schemes, settlement_lines, settlements
    TO fleet_writer;
