-- PostgreSQL only (fillfactor and autovacuum settings of its deliveries table): SQLite has neither.
-- The file keeps both dialects' migration numbers the same, so one schema version means one
-- hookd release on either backend (src/store/migrations.ts refuses a newer one).
SELECT 1;
