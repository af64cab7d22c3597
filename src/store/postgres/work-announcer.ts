// Tells the other nodes (and this one's listener) of queued work with a NOTIFY sent after the
// commit that queued it, at most one at a time per node. A NOTIFY inside a transaction makes its
// commit take a database-wide lock that serialises every notifying commit: with each ingest
// notifying, ingest commits waited 20–26 ms on each other in bursts under a soak's load
// (docs/performance.md, section 29). Sent after the commit, a listener still hears of the work
// only once it is there; a node that dies in between loses the wake-up only (workers' idle poll
// finds the work).

/**
 * Returns `announce`: each call resolves once a NOTIFY sent after the call has been committed.
 * Calls made while one is on its way share the one sent after it; errors are swallowed (the
 * database being away loses a wake-up, not work).
 */
export function coalescedAnnouncer(send: () => Promise<unknown>): () => Promise<void> {
  let inFlight: Promise<void> | null = null;
  let next: Promise<void> | null = null;
  const start = (): Promise<void> => {
    const sent: Promise<void> = send().then(
      () => undefined,
      () => undefined,
    ).finally(() => {
      if (inFlight === sent) inFlight = null;
    });
    inFlight = sent;
    return sent;
  };
  return () => {
    if (inFlight === null) return start();
    // The NOTIFY on its way may have been sent before the caller's commit: one more after it.
    next ??= inFlight.then(() => {
      next = null;
      return start();
    });
    return next;
  };
}
