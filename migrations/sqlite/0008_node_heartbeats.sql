-- Each running worker node's heartbeat, under the lease owner id its claims are stored with. A node
-- writes seen_at every few seconds; the leases of a node whose seen_at has stopped moving are taken
-- back by the live ones (src/queue/liveness.ts has the intervals), rather than waiting for each
-- lease to run out. Rows of dead nodes are deleted once their leases are taken back.
CREATE TABLE nodes (
  id TEXT PRIMARY KEY,
  started_at INTEGER NOT NULL,
  seen_at INTEGER NOT NULL
);
