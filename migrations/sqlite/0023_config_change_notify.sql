-- PostgreSQL's 0023 tells other nodes of config changes for their caches. SQLite serves one node,
-- which reads its file in-process without a cache; this migration keeps both dialects' schema
-- versions the same (src/store/migrations.test.ts).
SELECT 1;
