-- Indexes matching the API's new lists (query_api/routes/uber_history.py, uber_data.py):
-- a driver's transactions in (processed_at, transaction_id) order, so that the tie-break of
-- the keyset is in the index too (it replaces the index without it, its prefix); the
-- reports by period, then id. Status history and Bolt state logs are served by their
-- primary keys, whose order is the API's.
-- depends: 0008_api_indexes 0009_uber_reports

CREATE INDEX uber_transactions_driver_time ON uber_transactions
    (org_id, driver_id, processed_at, transaction_id);
DROP INDEX uber_transactions_driver;
CREATE INDEX uber_reports_list ON uber_reports
    (org_id, (coalesce(start_time, 'epoch'::timestamptz)), report_id);
