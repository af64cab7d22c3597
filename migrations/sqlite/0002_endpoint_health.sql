-- Endpoint health, for auto-disable: when the current run of failures began and how long it is.
-- Written only when a failure run starts or grows, or when a success ends one.
ALTER TABLE endpoints ADD COLUMN failing_since INTEGER;
ALTER TABLE endpoints ADD COLUMN failure_count INTEGER NOT NULL DEFAULT 0;
CREATE INDEX endpoints_failing ON endpoints (failing_since) WHERE failing_since IS NOT NULL AND active = 1;

-- Attempts carry their endpoint so that per-endpoint stats read one index range.
ALTER TABLE attempts ADD COLUMN endpoint_id TEXT;
CREATE INDEX attempts_endpoint ON attempts (endpoint_id, started_at) WHERE endpoint_id IS NOT NULL;
