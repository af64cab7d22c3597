// How a worker node shows that it is alive, and when it is taken for dead (docs/decisions.md,
// "Crash recovery in seconds"). Every node uses the same values: one node's heartbeat is judged
// by the others.

/** How often a worker node writes its heartbeat, renews the leases it still needs and sweeps for lost ones. */
export const HEARTBEAT_EVERY_MS = 2_000;

/**
 * A node not seen for this long is dead and its leases are taken back: three heartbeats missed,
 * so that a node whose event loop or database connection stalls for a few seconds is not.
 */
export const NODE_DEAD_AFTER_MS = 6_000;

/** The longest from a node's death to its deliveries being due again on a live node: it is dead, then the next sweep runs. */
export const TAKEOVER_WITHIN_MS = NODE_DEAD_AFTER_MS + HEARTBEAT_EVERY_MS;

/**
 * A held lease is renewed when it would run out within this: halfway through, and never later
 * than three heartbeats before it runs out (a heartbeat or two may be late on a busy node).
 */
export function renewWithinMs(leaseMs: number): number {
  return Math.max(leaseMs / 2, 3 * HEARTBEAT_EVERY_MS);
}
