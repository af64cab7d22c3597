-- A claim writes only the lease (src/store/postgres/lease-state.ts): `status` stays 'pending' while
-- a worker holds a delivery, and the API shows such a row as 'sending'. Nothing indexes the lease
-- columns any more, so the claim changes no column an index or its predicate uses and PostgreSQL
-- can write it as a HOT update: a new row version on the same page and no index entry, where it
-- added four (docs/performance.md, section 15).
--
-- deliveries_leased, keyed on lease_expires_at, is what made every claim non-HOT; the expired-lease
-- sweep and the release of a dead node's leases walk deliveries_due instead, which now also holds
-- the leased rows. Deliveries leased when this runs keep their lease in the new form. An older
-- node, which would claim by writing 'sending', refuses this schema (nodes upgrade together).
UPDATE deliveries SET status = 'pending' WHERE status = 'sending';
DROP INDEX IF EXISTS deliveries_leased;

-- A HOT update needs room for the new version on the row's own page. A claim often takes every
-- row of a page at once (rows inserted together are due together); at fillfactor 70 (0012) only
-- about 60 % of a claim of 100 found room (EXPLAIN, docs/performance.md), at 50 nearly all. New
-- pages only: rows written before keep the pages they are on.
ALTER TABLE deliveries SET (fillfactor = 50);
