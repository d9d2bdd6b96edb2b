-- depends: 0019_money_identity
-- Deliveries pushed by a provider (Uber's driver-status webhooks, query_api/routes/webhooks.py).
--
-- A provider retries a delivery it thinks failed, with the same `event_id`: the first one
-- attributed to a tenant claims its key here, in the transaction that appends its event, so a
-- retry is recorded as a call but appends nothing. `fetch_id` names the call that claimed it.
CREATE TABLE webhook_deliveries (
    org_id       uuid NOT NULL REFERENCES orgs (org_id),
    provider     text NOT NULL,
    event_id     text NOT NULL,
    fetch_id     bigint NOT NULL REFERENCES provider_fetches (fetch_id),
    received_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, provider, event_id)
);

-- Signed deliveries no tenant of ours can own (an Uber org in no `provider_accounts` row, or a
-- body whose org cannot be read). Calls and quarantine rows belong to a tenant, and guessing
-- one would show another fleet's data to its auditors; these wait here for an operator. The
-- exact body is in `provider_responses`, under `response_hash`, like any recorded answer.
CREATE TABLE webhook_unattributed (
    delivery_id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    provider       text NOT NULL,
    account_id     text,
    event_id       text,
    endpoint       text NOT NULL,
    status         integer NOT NULL,
    reason         text NOT NULL,
    response_hash  bytea NOT NULL REFERENCES provider_responses (content_hash),
    received_at    timestamptz NOT NULL DEFAULT now()
);

-- The API's webhook receiver writes as fleet_writer, which serves every tenant.
ALTER TABLE webhook_deliveries ENABLE ROW LEVEL SECURITY;
CREATE POLICY webhook_deliveries_writer ON webhook_deliveries TO fleet_writer
    USING (true) WITH CHECK (true);
CREATE POLICY webhook_deliveries_org_isolation ON webhook_deliveries TO fleet_api
    USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
GRANT SELECT, INSERT ON webhook_deliveries, webhook_unattributed TO fleet_writer;
GRANT SELECT ON webhook_deliveries TO fleet_api;
