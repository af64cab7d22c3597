-- Receiver control (issue 16): endpoint pauses and the circuit breaker (see
-- migrations/sqlite/0016_endpoint_pause.sql).
ALTER TABLE endpoints ADD COLUMN paused_until BIGINT;
ALTER TABLE endpoints ADD COLUMN pause_reason TEXT;
ALTER TABLE endpoints ADD COLUMN breaker_failures INTEGER NOT NULL DEFAULT 0;
ALTER TABLE endpoints ADD COLUMN breaker_cooldown_ms INTEGER NOT NULL DEFAULT 0;
