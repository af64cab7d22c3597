-- Indexes that no query uses, each of them written at every ingest, claim or recorded attempt
-- (docs/performance.md has the query plans). An UPDATE that changes an indexed column adds an
-- entry to every index of the table whose predicate the new row matches, so each one dropped is
-- a write fewer per claim and per result.
-- - deliveries(created_at) and attempts(started_at): nothing filters or sorts on them alone
--   (endpoint stats read attempts_endpoint, retention goes through events_created).
DROP INDEX IF EXISTS deliveries_created;
DROP INDEX IF EXISTS attempts_started;
-- - deliveries(status, id) serves the list filtered by a final status (and recover's failed
--   deliveries); pending rows are found through deliveries_due and leased ones through
--   deliveries_leased. Keeping only finished rows in it spares the claim an index entry.
DROP INDEX IF EXISTS deliveries_status;
CREATE INDEX deliveries_finished ON deliveries (status, id) WHERE status NOT IN ('pending', 'sending');
