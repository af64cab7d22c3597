import type { Delivery, Hookd } from '@hookd/sdk';
import { forEachConcurrently } from './concurrency.js';
import type { Outcome } from './delivery-feed.js';
import { Progress } from './progress.js';

// After a replay or a recover the work is queued, not done. This watches the deliveries concerned
// until each has an outcome — made its new attempt (succeeded, failed, or pending a later retry) or
// been ended — and shows them on a progress bar. Ctrl-C stops watching, never the work.
// ("Outcome" and "attempted" here, never "settle": that word is the store's for writing results.)

export interface TrackedDelivery {
  id: string;
  /** Its attempts before the work began: its outcome comes with one more. */
  attemptsBefore: number;
}

export interface OutcomeReport {
  counts: Record<Outcome, number>;
  /** Still without an outcome when the watch was stopped with Ctrl-C. */
  stillWaiting: number;
}

const CHECKS_AT_ONCE = 8;

export async function watchOutcomes(
  hookd: Hookd,
  tracked: readonly TrackedDelivery[],
  options: { label: string; intervalMs?: number },
): Promise<OutcomeReport> {
  const counts: Record<Outcome, number> = { succeeded: 0, retrying: 0, failed: 0, dropped: 0, canceled: 0, aborted: 0 };
  const progress = new Progress({ label: options.label, total: tracked.length });
  let waiting = [...tracked];
  let stopped = false;
  const stop = () => {
    stopped = true;
  };
  process.once('SIGINT', stop);
  try {
    while (waiting.length > 0 && !stopped) {
      const stillWaiting: TrackedDelivery[] = [];
      await forEachConcurrently(waiting, CHECKS_AT_ONCE, async (entry) => {
        const outcome = outcomeOfNewAttempt(await hookd.deliveries.get(entry.id), entry.attemptsBefore);
        if (outcome === null) stillWaiting.push(entry);
        else counts[outcome] += 1;
      });
      waiting = stillWaiting;
      progress.update(tracked.length - waiting.length, describeCounts(counts));
      if (waiting.length > 0 && !stopped) await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 300));
    }
  } finally {
    process.removeListener('SIGINT', stop);
  }
  progress.finish(stopped ? `stopped watching; ${waiting.length} deliveries carry on in hookd` : undefined);
  return { counts, stillWaiting: waiting.length };
}

/** What became of a delivery's new attempt, or null while it is still to come or in flight. */
export function outcomeOfNewAttempt(delivery: Delivery, attemptsBefore: number): Outcome | null {
  if (delivery.status === 'canceled' || delivery.status === 'dropped') return delivery.status;
  if (delivery.status === 'sending') return null;
  if (delivery.attempts > attemptsBefore) return delivery.status === 'pending' ? 'retrying' : delivery.status;
  // Ended without a new attempt because its endpoint is disabled: it will not be attempted.
  if (delivery.status === 'failed' && delivery.lastError === 'endpoint_disabled') return 'failed';
  return null;
}

export function describeCounts(counts: Record<Outcome, number>): string {
  return (Object.entries(counts) as Array<[Outcome, number]>)
    .filter(([, count]) => count > 0)
    .map(([outcome, count]) => `${count} ${outcome}`)
    .join(' · ');
}
