-- Delivery lists that read only a page (issue 19; docs/performance.md section 17). An account's
-- deliveries (every list made with an account key or a portal session is scoped to its account)
-- and a finished status (the dashboard's "failed" filter) walked the ids newest first until a page
-- of matches was found: to the end of the history for a quiet account or a rare status. Each
-- index costs one write: the account's when a delivery is inserted (the account never changes),
-- the status's when a delivery finishes (pending rows are not in it, as on PostgreSQL, whose
-- deliveries_finished index is the same since its migration 0006). Building them reads every
-- delivery once.
CREATE INDEX deliveries_account ON deliveries (account_id, id) WHERE account_id IS NOT NULL;
CREATE INDEX deliveries_finished ON deliveries (status, id) WHERE status NOT IN ('pending', 'sending');
