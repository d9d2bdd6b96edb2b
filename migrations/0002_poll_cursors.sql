-- Poll cursors: how far each windowed poll has got, per tenant, provider, resource and
-- provider account. Written in the same transaction as the events of the page that moved it
-- (ingest/cursors.py), so a crash never moves a cursor past data that was not stored.
-- depends: 0001_foundation

CREATE TABLE poll_cursors (
    org_id      uuid NOT NULL REFERENCES orgs (org_id),
    provider    text NOT NULL,
    resource    text NOT NULL,
    account_id  text NOT NULL,
    cursor      jsonb NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, provider, resource, account_id)
);

GRANT SELECT, INSERT, UPDATE ON poll_cursors TO fleet_writer;
