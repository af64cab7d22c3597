-- Endpoint health, for auto-disable (see migrations/sqlite/0002_endpoint_health.sql).
ALTER TABLE endpoints ADD COLUMN failing_since BIGINT;
ALTER TABLE endpoints ADD COLUMN failure_count INTEGER NOT NULL DEFAULT 0;
CREATE INDEX endpoints_failing ON endpoints (failing_since) WHERE failing_since IS NOT NULL AND active = 1;

ALTER TABLE attempts ADD COLUMN endpoint_id TEXT;
CREATE INDEX attempts_endpoint ON attempts (endpoint_id, started_at) WHERE endpoint_id IS NOT NULL;
