-- Parking (issue 19): the pending deliveries of a paused endpoint leave the due indexes (see
-- migrations/sqlite/0019_parked_deliveries.sql). The column has a constant default, so adding it
-- rewrites nothing. Migrations run in a transaction, where CREATE INDEX CONCURRENTLY is not
-- allowed: the due indexes are rebuilt under the table's lock, which holds writes to deliveries
-- for as long as reading the pending rows takes (the indexes are partial: the backlog, not the
-- history). The new index starts empty.
ALTER TABLE deliveries ADD COLUMN parked INTEGER NOT NULL DEFAULT 0;
DROP INDEX deliveries_due;
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status = 'pending' AND parked = 0;
DROP INDEX deliveries_due_by_account;
CREATE INDEX deliveries_due_by_account ON deliveries ((coalesce(account_id, '')), next_attempt_at) WHERE status = 'pending' AND parked = 0;
CREATE INDEX deliveries_parked ON deliveries (endpoint_id, next_attempt_at) WHERE status = 'pending' AND parked = 1;
