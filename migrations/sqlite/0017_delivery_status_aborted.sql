-- A receiver that answers `webhook-delivery: abort-message` ends its delivery as `aborted`, a final
-- status of its own (README, "Receivers in control"). SQLite cannot change a CHECK in place, so the
-- table is rebuilt the documented way (create, copy, drop, rename) with every index it has by then
-- (those left after 0006, and 0013's per-account due index); nothing references deliveries by
-- foreign key. This copies every delivery once.
CREATE TABLE deliveries_new (
  id TEXT PRIMARY KEY,
  event_id TEXT NOT NULL,
  endpoint_id TEXT,
  account_id TEXT,
  event_type TEXT NOT NULL,
  url TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'succeeded', 'failed', 'dropped', 'canceled', 'aborted')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER,
  last_status_code INTEGER,
  last_error TEXT,
  correlation_id TEXT,
  single_attempt INTEGER NOT NULL DEFAULT 0,
  lease_owner TEXT,
  lease_expires_at INTEGER,
  created_at INTEGER NOT NULL,
  completed_at INTEGER
);
INSERT INTO deliveries_new (id, event_id, endpoint_id, account_id, event_type, url, status, attempts, next_attempt_at,
    last_status_code, last_error, correlation_id, single_attempt, lease_owner, lease_expires_at, created_at, completed_at)
  SELECT id, event_id, endpoint_id, account_id, event_type, url, status, attempts, next_attempt_at,
    last_status_code, last_error, correlation_id, single_attempt, lease_owner, lease_expires_at, created_at, completed_at
  FROM deliveries;
DROP TABLE deliveries;
ALTER TABLE deliveries_new RENAME TO deliveries;
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX deliveries_leased ON deliveries (lease_expires_at) WHERE status = 'sending';
CREATE INDEX deliveries_event ON deliveries (event_id);
CREATE INDEX deliveries_endpoint ON deliveries (endpoint_id, id);
CREATE INDEX deliveries_correlation ON deliveries (correlation_id) WHERE correlation_id IS NOT NULL;
CREATE INDEX deliveries_due_by_account ON deliveries ((coalesce(account_id, '')), next_attempt_at) WHERE status = 'pending';
