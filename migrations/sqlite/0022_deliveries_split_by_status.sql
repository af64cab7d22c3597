-- PostgreSQL's 0022 splits deliveries into a queue and a history (partitions by status), so that
-- vacuum's work is the backlog's size, not the history's. SQLite keeps no dead row versions for a
-- vacuum to find (an update rewrites the row in place), so it keeps one table; this migration is
-- here so that both dialects have the same schema versions (src/store/migrations.test.ts).
SELECT 1;
