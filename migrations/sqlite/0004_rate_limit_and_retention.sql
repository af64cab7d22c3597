-- rateLimitPerSecond shared by every node: the earliest time the next attempt to the endpoint may
-- start. Each attempt reserves its slot with one conditional update (see reserveRateSlot).
ALTER TABLE endpoints ADD COLUMN rate_next_at INTEGER;

-- Retention purges operations by age too.
CREATE INDEX operations_requested ON operations (requested_at);
