-- The API marks a queued run failed when its command cannot be sent (NATS unavailable):
-- it may update those three columns of its own tenant's runs (RLS policy sync_runs_org_isolation).
-- depends: 0007_sync_runs

GRANT UPDATE (status, finished_at, error) ON sync_runs TO fleet_api;
