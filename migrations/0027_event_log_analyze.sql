-- Keep event_log's planner statistics fresh while a backfill runs.
-- depends: 0026_fleet_days
--
-- Change detection (event_log_append_begin, migration 0023) finds each record's latest event
-- with `ORDER BY position DESC LIMIT 1`. It is meant to be one probe of event_log_latest,
-- but when the statistics have never seen the page's tenant or event type (a tenant's first
-- backfill, a kind of record polled for the first time), the planner estimates a single
-- matching row and may walk event_log_type or event_log_org_position backwards instead,
-- reading every event of that type or tenant appended since for each record: appends turn
-- quadratic until the next ANALYZE (docs/SCALING.md, "Limits": 25,000 new drivers after
-- 372,000 Bolt orders went in at ~400 events/s instead of ~30,000).
--
-- Autovacuum analyses a table once 10 % of it has changed: for a log of 15 million events,
-- a new tenant's whole backfill would run on stale statistics. Here it analyses event_log
-- after every 20,000 new events (ANALYZE reads a fixed sample, about a second on any size),
-- so the stale window is at most that many events and one autovacuum nap. It narrows the
-- window; it does not close it (the fix, a lookup whose plan cannot change, is left open).

ALTER TABLE event_log SET (autovacuum_analyze_scale_factor = 0, autovacuum_analyze_threshold = 20000);
