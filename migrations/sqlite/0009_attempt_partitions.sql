-- Nothing to do on SQLite: migrations/postgres/0009_attempt_partitions.sql partitions attempts by
-- day so that PostgreSQL retention drops whole days. SQLite has no partitions; its retention keeps
-- deleting attempts with their deliveries, in batches (docs/decisions.md). The file keeps both
-- dialects' migration numbers alike.
SELECT 1;
