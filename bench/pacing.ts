import { benchNow } from './clock.js';

// An open-loop steady load: sends started on schedule whether or not earlier ones have returned,
// the way independent clients arrive. Used against hookd (single-event POSTs) and the peers
// (add_job calls), so that both are timed the same way.

export interface PacedRun {
  /** benchNow() when each send returned, by seq. */
  returnedAt: Map<number, number>;
  /** benchNow() when each send started, by seq. */
  sentAt: Map<number, number>;
  /** Sends not started because `maxOutstanding` were already outstanding (the system could not keep up). */
  skipped: number;
}

export interface PacingOptions {
  maxOutstanding?: number;
  /** Note sentAt and returnedAt of every send (the default); a long soak notes none, to stay bounded. */
  keepTimes?: boolean;
  onPosted?: (posted: number, skipped: number) => void;
}

/** `ratePerSecond` sends of seqs `firstSeq…` for `durationMs`, at most `maxOutstanding` (512) at once. */
export async function sendPaced(
  firstSeq: number,
  ratePerSecond: number,
  durationMs: number,
  send: (seq: number) => Promise<void>,
  options: PacingOptions = {},
): Promise<PacedRun> {
  const maxOutstanding = options.maxOutstanding ?? 512;
  const keepTimes = options.keepTimes ?? true;
  const returnedAt = new Map<number, number>();
  const sentAt = new Map<number, number>();
  const inFlight = new Set<Promise<void>>();
  let failure: unknown = null;
  const started = benchNow();
  const total = Math.round((ratePerSecond * durationMs) / 1000);
  let skipped = 0;
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / ratePerSecond;
    const wait = due - benchNow();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    options.onPosted?.(i, skipped);
    if (inFlight.size >= maxOutstanding) {
      // The system cannot keep up with this rate: skip rather than queue without bound.
      skipped += 1;
      continue;
    }
    const seq = firstSeq + i;
    if (keepTimes) sentAt.set(seq, benchNow());
    const request: Promise<void> = send(seq)
      .then(() => {
        if (keepTimes) returnedAt.set(seq, benchNow());
      })
      .catch((error: unknown) => void (failure ??= error))
      .finally(() => inFlight.delete(request));
    inFlight.add(request);
    if (failure !== null) break;
  }
  options.onPosted?.(total, skipped);
  await Promise.all(inFlight);
  if (failure !== null) throw failure;
  return { returnedAt, sentAt, skipped };
}
