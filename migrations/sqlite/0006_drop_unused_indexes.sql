-- Indexes that no query uses, each of them written at every ingest, claim or recorded attempt
-- (docs/performance.md has the query plans):
-- - deliveries(created_at) and attempts(started_at): nothing filters or sorts on them alone
--   (endpoint stats read attempts_endpoint, retention goes through events_created);
-- - deliveries(status, id): the list query's optional filters cannot use it, and the queries that
--   did pick it have better plans without it (queue counts read the partial indexes of pending and
--   leased rows, an endpoint's deliveries are found through deliveries_endpoint). Every claim and
--   every result moved the row inside it twice.
DROP INDEX IF EXISTS deliveries_created;
DROP INDEX IF EXISTS attempts_started;
DROP INDEX IF EXISTS deliveries_status;
