-- Finished deliveries leave the queue's table (issue 19; docs/performance.md, section 20).
--
-- A delivery's final write (status 'pending' to 'succeeded', 'failed', …) changes a column that
-- the queue's partial indexes filter on, so it was never a HOT update: it added an entry to every
-- index of deliveries and left a dead one behind. VACUUM removes dead index entries by reading
-- every index whole, and the indexes of deliveries hold the whole history: in a 30-minute soak at
-- 600 deliveries/s each vacuum took longer than the last, ran nearly without pause in the second
-- half, and the first attempts' p99 rose with it (113 → 600–1,166 ms).
--
-- deliveries is now partitioned by status: deliveries_queue holds the pending rows (the queue:
-- inserted, claimed, retried, then left), deliveries_history every other row. The final write
-- moves the row (PostgreSQL deletes it from the queue and inserts it in the history), so the
-- history is only ever appended to and its vacuums remove nothing but what retention deletes; the
-- queue's indexes, where the dead entries are, are as large as the backlog, not the history.
-- Statements are unchanged: they name deliveries, and those that say `status = 'pending'` read the
-- queue alone. A statement that meets a row another transaction moved meanwhile fails with 40001
-- instead of skipping it, and is retried (src/store/postgres/connection.ts).
--
-- Each partition has its own primary key on id: a key across partitions would have to include the
-- status. ids are generated unique (ULIDs, src/domain/ids.ts), and nothing upserts deliveries by id.
--
-- The rows are copied, once: the migration holds the table for as long as that takes (about a
-- minute per few million deliveries); docs/scaling.md says so for an upgrade.
CREATE TABLE deliveries_by_status (LIKE deliveries INCLUDING DEFAULTS INCLUDING CONSTRAINTS) PARTITION BY LIST (status);

-- The queue is claimed with HOT updates that need room on the row's page (0018: fillfactor 50);
-- its churn (every row leaves it) is vacuumed at 2 % dead, as the whole table was (0012).
CREATE TABLE deliveries_queue PARTITION OF deliveries_by_status FOR VALUES IN ('pending')
  WITH (fillfactor = 50, autovacuum_vacuum_scale_factor = 0.02);
-- Rows arrive in the history final and are not updated again (a resend of a finished delivery
-- moves it back to the queue): full pages.
CREATE TABLE deliveries_history PARTITION OF deliveries_by_status DEFAULT;

INSERT INTO deliveries_by_status SELECT * FROM deliveries;
DROP TABLE deliveries;
ALTER TABLE deliveries_by_status RENAME TO deliveries;

ALTER TABLE deliveries_queue ADD CONSTRAINT deliveries_queue_pkey PRIMARY KEY (id);
ALTER TABLE deliveries_history ADD CONSTRAINT deliveries_history_pkey PRIMARY KEY (id);

-- On both partitions (partitioned indexes): lists and lookups that do not say a status.
CREATE INDEX deliveries_event ON deliveries (event_id);
CREATE INDEX deliveries_endpoint ON deliveries (endpoint_id, id);
CREATE INDEX deliveries_account ON deliveries (account_id, id) WHERE account_id IS NOT NULL;
CREATE INDEX deliveries_correlation ON deliveries (correlation_id) WHERE correlation_id IS NOT NULL;
CREATE INDEX deliveries_blocked ON deliveries (blocked_by) WHERE blocked_by IS NOT NULL;

-- The queue's own (their predicates as in 0019, so the claims' plans do not change).
CREATE INDEX deliveries_due ON deliveries_queue (next_attempt_at) WHERE status = 'pending' AND parked = 0;
CREATE INDEX deliveries_due_by_account ON deliveries_queue ((coalesce(account_id, '')), next_attempt_at) WHERE status = 'pending' AND parked = 0;
CREATE INDEX deliveries_parked ON deliveries_queue (endpoint_id, next_attempt_at) WHERE status = 'pending' AND parked = 1;

-- The history's: lists by a final status (0006).
CREATE INDEX deliveries_finished ON deliveries_history (status, id) WHERE status NOT IN ('pending', 'sending');

ANALYZE deliveries;
