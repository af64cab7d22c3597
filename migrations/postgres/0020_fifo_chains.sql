-- Ordered delivery (issue 16, README "Ordered delivery"): an event's ordering key, and the chain
-- each delivery to a `fifo` endpoint belongs to (fifo_key: the key, '' for events without one; null
-- for deliveries outside any chain). A waiting delivery is `pending` with no next_attempt_at (so no
-- claim ever sees it) and blocked_by naming the delivery before it; the partial index finds the
-- successor of a delivery that ends, and is empty while no endpoint orders its deliveries.
ALTER TABLE events ADD COLUMN ordering_key TEXT;
ALTER TABLE deliveries ADD COLUMN fifo_key TEXT;
ALTER TABLE deliveries ADD COLUMN blocked_by TEXT;
CREATE INDEX deliveries_blocked ON deliveries (blocked_by) WHERE blocked_by IS NOT NULL;
-- The last delivery of each chain that has an unfinished one: enqueuing upserts it (which serialises
-- concurrent ingest of one key across nodes on its row), ending a delivery removes or moves it. A
-- chain with nothing unfinished has no row, so the table stays as small as the keys in flight.
-- previous_id: the tail the last upsert replaced (what the new delivery waits for), returned by it.
CREATE TABLE fifo_tails (
  endpoint_id TEXT NOT NULL,
  fifo_key TEXT NOT NULL,
  delivery_id TEXT NOT NULL,
  previous_id TEXT,
  PRIMARY KEY (endpoint_id, fifo_key)
);
