-- Receiver control (issue 16): an endpoint can be paused as a whole, across nodes. The claim skips
-- the pending deliveries of an endpoint whose paused_until is still ahead, so a pause burns no
-- attempts. pause_reason says why ("429 Retry-After 30 s", "5 consecutive failures").
-- The circuit breaker: breaker_failures is the current run of failed attempts (timeout, connection
-- error, 5xx); breaker_cooldown_ms is the cool-down of the breaker's last opening (0: closed).
-- While it is above 0 and the pause has ended, the breaker is half-open: one probe at a time.
ALTER TABLE endpoints ADD COLUMN paused_until INTEGER;
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
