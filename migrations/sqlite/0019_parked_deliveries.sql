-- Parking (issue 19): the pending deliveries of a paused endpoint (Retry-After, circuit breaker)
-- leave the due indexes, so that claims, the fair-share probe and nextDueAt no longer step over
-- them one by one: a receiver answering 429 for an hour piles up a backlog that every claim used
-- to walk. `parked` = 1 marks them; their status stays `pending` (the API, cancel, retry and
-- replay see no difference). A claim parks the due rows of paused endpoints it meets, and
-- un-parks an endpoint's rows in due order, a few at a time, once its pause is over.
-- (docs/decisions.md, "Parked deliveries of paused endpoints".)
ALTER TABLE deliveries ADD COLUMN parked INTEGER NOT NULL DEFAULT 0;
DROP INDEX deliveries_due;
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status = 'pending' AND parked = 0;
DROP INDEX deliveries_due_by_account;
CREATE INDEX deliveries_due_by_account ON deliveries ((coalesce(account_id, '')), next_attempt_at) WHERE status = 'pending' AND parked = 0;
-- The parked rows by endpoint, in due order: which endpoints have parked work (a skip scan, one
-- descent per endpoint), and each one's oldest first when its pause ends.
CREATE INDEX deliveries_parked ON deliveries (endpoint_id, next_attempt_at) WHERE status = 'pending' AND parked = 1;
