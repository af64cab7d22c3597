-- Receiver control (issue 16): endpoint pauses and the circuit breaker (see
-- migrations/sqlite/0016_endpoint_pause.sql).
ALTER TABLE endpoints ADD COLUMN paused_until BIGINT;
ALTER TABLE endpoints ADD COLUMN pause_reason TEXT;
ALTER TABLE endpoints ADD COLUMN breaker_failures INTEGER NOT NULL DEFAULT 0;
ALTER TABLE endpoints ADD COLUMN breaker_cooldown_ms INTEGER NOT NULL DEFAULT 0;
-- AIMD: a 429 without Retry-After halves the endpoint's concurrency (concurrency_limit, null: the
-- configured maximum); each 20 successes in a row (concurrency_successes) add one back.
ALTER TABLE endpoints ADD COLUMN concurrency_limit INTEGER;
ALTER TABLE endpoints ADD COLUMN concurrency_successes INTEGER NOT NULL DEFAULT 0;
-- The claim reads the endpoints paused now (PostgreSQL: once per claim, for its anti-join); only
-- paused rows are in this index, so that read stays small whatever the number of endpoints.
CREATE INDEX endpoints_paused ON endpoints (paused_until) WHERE paused_until IS NOT NULL;
