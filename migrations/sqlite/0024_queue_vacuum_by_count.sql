-- PostgreSQL's 0024 tunes autovacuum of its queue's partition. SQLite has no vacuum of dead row
-- versions to tune; this migration keeps both dialects' schema versions the same (src/store/migrations.test.ts).
SELECT 1;
