-- Nothing to change on SQLite: its claim still writes 'sending' with the lease. The PostgreSQL
-- migration of the same number makes claims there HOT updates, which SQLite has no notion of
-- (it rewrites a row in place in its b-tree and touches only the indexes whose columns changed).
SELECT 1;
