-- An account's deliveries in id order (issue 19; docs/performance.md section 17): every list made
-- with an account key or a portal session is scoped to its account, and walked the ids newest
-- first until a page of the account's was found — to the end of the history for a quiet account.
-- One write per inserted delivery (the account never changes, so HOT updates are unaffected).
-- Migrations run in a transaction, where CREATE INDEX CONCURRENTLY is not allowed: the build holds
-- writes to deliveries for as long as reading them takes (as migrations/sqlite/0021). The finished
-- statuses have their index since migration 0006 (deliveries_finished).
CREATE INDEX deliveries_account ON deliveries (account_id, id) WHERE account_id IS NOT NULL;
