-- Long-running operations (seed 000): a protocol number now, a webhook when the outcome is known
-- or when the operation times out.
CREATE TABLE operations (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  protocol TEXT NOT NULL UNIQUE,
  type TEXT NOT NULL,
  account_id TEXT,
  subject TEXT,
  callback_url TEXT,
  -- What the caller sent with the request, and what the provider's worker reported.
  request_data TEXT,
  result_data TEXT,
  status TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed', 'timed_out')),
  -- 1 when the outcome came after the timeout webhook had been sent.
  late INTEGER NOT NULL DEFAULT 0,
  requested_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  timed_out_at BIGINT,
  completed_at BIGINT,
  -- Outbox flags: the webhook of a recorded timeout or outcome has been published. The sweep
  -- publishes again (idempotently, by event id) whatever was recorded but not yet flagged.
  timeout_notified INTEGER NOT NULL DEFAULT 0,
  outcome_notified INTEGER NOT NULL DEFAULT 0
);
-- The timeout sweep reads only pending operations, in expiry order.
CREATE INDEX operations_due ON operations (expires_at) WHERE status = 'pending';
CREATE INDEX operations_status ON operations (status, seq);
CREATE INDEX operations_unnotified ON operations (seq)
  WHERE (timed_out_at IS NOT NULL AND timeout_notified = 0) OR (completed_at IS NOT NULL AND outcome_notified = 0);
CREATE INDEX operations_account ON operations (account_id, seq);
