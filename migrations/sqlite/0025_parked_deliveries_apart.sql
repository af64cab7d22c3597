-- PostgreSQL's 0025 keeps parked deliveries in a partition of their own, so that vacuuming its queue
-- does not read them. SQLite has no vacuum of dead row versions; its parked rows are already out
-- of the due indexes (0019). This migration keeps both dialects' schema versions the same
-- (src/store/migrations.test.ts).
SELECT 1;
