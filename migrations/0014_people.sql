-- People: one person (chauffeur) across Uber and Bolt accounts (docs/PEOPLE.md).
-- depends: 0013_append_by_copy
--
-- Five read tables written by one projection (projector/projections/people.py) from driver
-- observations and managers' decisions (contracts/people.py), rebuilt together by a replay:
--   people             a person and the name managers see
--   people_identities  every platform driver, its matching keys and its person (or none:
--                      the unmapped queue)
--   people_suggestions pairs of identities that may be one person, with reasons and score
--   people_vetoes      what must never happen again automatically: an identity unlinked
--                      from a person, a suggestion a manager rejected
--   people_history     every decision and every automatic link, for the person's history
-- and one table that is not a projection:
--   people_requests    the first answer to each Idempotency-Key, written by the API in the
--                      decision's transaction, so that a repeated request has one effect.

CREATE TABLE people (
    org_id         uuid NOT NULL,
    person_id      uuid NOT NULL,
    display_name   text NOT NULL,
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL,
    last_position  bigint NOT NULL,
    PRIMARY KEY (org_id, person_id)
);
-- The list's keyset order (query_api/routes/people.py).
CREATE INDEX people_list ON people (org_id, display_name, person_id);

CREATE TABLE people_identities (
    org_id         uuid NOT NULL,
    identity_id    text NOT NULL,            -- '<provider>:<driver id>'
    provider       text NOT NULL,
    driver_id      text NOT NULL,
    account_id     text NOT NULL,
    person_id      uuid,                     -- null: unmapped
    linked_by      text,                     -- 'automatic' or 'manager'
    first_name     text,
    last_name      text,
    email          text,
    phone          text,
    plate          text,
    phone_key      text,
    email_key      text,
    name_key       text,
    plate_key      text,
    first_seen_at  timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL,
    last_position  bigint NOT NULL,
    PRIMARY KEY (org_id, identity_id)
);
-- Matching one new driver is a lookup per key, never a scan of the fleet.
CREATE INDEX people_identities_phone ON people_identities (org_id, phone_key)
    WHERE phone_key IS NOT NULL;
CREATE INDEX people_identities_email ON people_identities (org_id, email_key)
    WHERE email_key IS NOT NULL;
CREATE INDEX people_identities_name ON people_identities (org_id, name_key)
    WHERE name_key IS NOT NULL;
CREATE INDEX people_identities_plate ON people_identities (org_id, plate_key)
    WHERE plate_key IS NOT NULL;
CREATE INDEX people_identities_person ON people_identities (org_id, person_id, identity_id);
CREATE INDEX people_identities_unmapped ON people_identities (org_id, identity_id)
    WHERE person_id IS NULL;

CREATE TABLE people_suggestions (
    org_id             uuid NOT NULL,
    suggestion_id      uuid NOT NULL,
    identity_id        text NOT NULL,        -- the pair in text order: identity_id < other
    other_identity_id  text NOT NULL,
    reasons            text[] NOT NULL,
    score              integer NOT NULL,
    created_at         timestamptz NOT NULL,
    last_position      bigint NOT NULL,
    PRIMARY KEY (org_id, suggestion_id),
    UNIQUE (org_id, identity_id, other_identity_id)
);
CREATE INDEX people_suggestions_list ON people_suggestions
    (org_id, score DESC, suggestion_id);
CREATE INDEX people_suggestions_other ON people_suggestions (org_id, other_identity_id);

CREATE TABLE people_vetoes (
    org_id         uuid NOT NULL,
    identity_id    text NOT NULL,
    target         text NOT NULL,            -- a person id (unlinked) or an identity id (rejected)
    kind           text NOT NULL CHECK (kind IN ('unlinked', 'rejected')),
    position       bigint NOT NULL,
    PRIMARY KEY (org_id, identity_id, target)
);

CREATE TABLE people_history (
    org_id           uuid NOT NULL,
    position         bigint NOT NULL,
    seq              integer NOT NULL,       -- one observation may link several identities
    kind             text NOT NULL,          -- the decision's event type, or 'people.automatic_link'
    person_ids       uuid[] NOT NULL,
    identity_ids     text[] NOT NULL,
    reasons          text[] NOT NULL DEFAULT '{}',
    user_id          uuid,
    user_email       text,
    reason           text,
    request_id       text,
    idempotency_key  text,
    decided_at       timestamptz NOT NULL,
    PRIMARY KEY (org_id, position, seq)
);
CREATE INDEX people_history_person ON people_history USING gin (person_ids);

CREATE TABLE people_requests (
    org_id           uuid NOT NULL,
    idempotency_key  text NOT NULL,
    request_hash     bytea NOT NULL,         -- method, path and body: a key reused for
    status           integer NOT NULL,       -- another request is refused (422)
    body             bytea NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, idempotency_key)
);

ALTER TABLE people ENABLE ROW LEVEL SECURITY;
ALTER TABLE people_identities ENABLE ROW LEVEL SECURITY;
ALTER TABLE people_suggestions ENABLE ROW LEVEL SECURITY;
ALTER TABLE people_vetoes ENABLE ROW LEVEL SECURITY;
ALTER TABLE people_history ENABLE ROW LEVEL SECURITY;
ALTER TABLE people_requests ENABLE ROW LEVEL SECURITY;

CREATE POLICY people_org_isolation ON people TO fleet_api
    USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
CREATE POLICY people_identities_org_isolation ON people_identities TO fleet_api
    USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
CREATE POLICY people_suggestions_org_isolation ON people_suggestions TO fleet_api
    USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
CREATE POLICY people_vetoes_org_isolation ON people_vetoes TO fleet_api
    USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
CREATE POLICY people_history_org_isolation ON people_history TO fleet_api
    USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
CREATE POLICY people_requests_org_isolation ON people_requests TO fleet_api
    USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid);

CREATE POLICY people_writer ON people TO fleet_writer USING (true) WITH CHECK (true);
CREATE POLICY people_identities_writer ON people_identities TO fleet_writer
    USING (true) WITH CHECK (true);
CREATE POLICY people_suggestions_writer ON people_suggestions TO fleet_writer
    USING (true) WITH CHECK (true);
CREATE POLICY people_vetoes_writer ON people_vetoes TO fleet_writer
    USING (true) WITH CHECK (true);
CREATE POLICY people_history_writer ON people_history TO fleet_writer
    USING (true) WITH CHECK (true);
CREATE POLICY people_requests_writer ON people_requests TO fleet_writer
    USING (true) WITH CHECK (true);

GRANT SELECT ON people, people_identities, people_suggestions, people_vetoes, people_history,
    people_requests TO fleet_api;
GRANT SELECT, INSERT, UPDATE, DELETE ON people, people_identities, people_suggestions,
    people_vetoes, people_history TO fleet_writer;
GRANT SELECT, INSERT ON people_requests TO fleet_writer;
