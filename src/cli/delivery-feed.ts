import type { Attempt, Delivery, Hookd } from '@hookd/sdk';
import { forEachConcurrently } from './concurrency.js';

// What `hookd tail` follows: every attempt hookd makes, found by polling the API. New deliveries
// are found at the top of the newest-first list; deliveries still in progress are re-read until
// they end, so retries of older deliveries show up too. Each attempt is reported once.

/** What became of a delivery after an attempt; also how `outcome-watch.ts` counts replayed and recovered ones. */
export type Outcome = 'succeeded' | 'retrying' | 'failed' | 'dropped' | 'canceled' | 'aborted';
export const OUTCOMES: readonly Outcome[] = ['succeeded', 'retrying', 'failed', 'dropped', 'canceled', 'aborted'];

/**
 * What the tail shows: an outcome, or `waiting` for an ordered delivery held behind the one before
 * it in its ordering key (shown once per delivery it waits for), which would otherwise show nothing
 * until the one before it ends.
 */
export type FeedOutcome = Outcome | 'waiting';
export const FEED_OUTCOMES: readonly FeedOutcome[] = [...OUTCOMES, 'waiting'];

export interface FeedEntry {
  delivery: Delivery;
  /** Null when the delivery ended without an attempt (canceled, or its endpoint disabled), or waits. */
  attempt: Attempt | null;
  /** Which attempt of the delivery this is, from 1 (0: a delivery waiting before its first). */
  attemptNumber: number;
  outcome: FeedOutcome;
}

/** Bounds on one poll, so a burst of thousands of deliveries cannot stall the tail. */
const NEW_PER_POLL = 1000;
const WATCHED_MAX = 500;
const READS_AT_ONCE = 8;
const PAGE = 100;

export class DeliveryFeed {
  readonly #hookd: Hookd;
  readonly #endpointId: string | undefined;
  /** The newest delivery seen at the top of the list: anything above it is new. */
  #newestId: string | null = null;
  /** Deliveries not yet ended, with how many of their attempts have been reported. */
  readonly #watched = new Map<string, number>();
  /** Waiting deliveries already shown, with the delivery each was shown waiting for. */
  readonly #shownWaiting = new Map<string, string>();

  constructor(hookd: Hookd, filter: { endpointId?: string }) {
    this.#hookd = hookd;
    this.#endpointId = filter.endpointId;
  }

  /**
   * Where following begins, and the history shown first: the attempts of the last `last`
   * deliveries (0: none), or of every delivery made since `since`. Deliveries still in progress
   * are followed from there, so later attempts of older deliveries show up too.
   */
  async start(from: { since: Date } | { last: number }): Promise<FeedEntry[]> {
    const recent: Delivery[] = [];
    const wanted = 'since' in from ? NEW_PER_POLL : Math.min(from.last, NEW_PER_POLL);
    if (wanted > 0) {
      for await (const delivery of this.#hookd.deliveries.list({ endpointId: this.#endpointId, limit: Math.min(PAGE, wanted) })) {
        if (recent.length >= wanted || ('since' in from && Date.parse(delivery.createdAt) < from.since.getTime())) break;
        recent.push(delivery);
      }
    }
    this.#newestId = recent[0]?.id ?? (await this.#hookd.deliveries.list({ endpointId: this.#endpointId, limit: 1 })).data[0]?.id ?? null;
    for (const delivery of recent) this.#watch(delivery.id, 0);
    for (const status of ['pending', 'sending'] as const) {
      const { data } = await this.#hookd.deliveries.list({ endpointId: this.#endpointId, status, limit: 250 });
      for (const delivery of data) this.#watch(delivery.id, delivery.attempts);
    }
    return this.#report(recent);
  }

  /** What happened since the last call, oldest first. */
  async poll(): Promise<FeedEntry[]> {
    const fresh: Delivery[] = [];
    for await (const delivery of this.#hookd.deliveries.list({ endpointId: this.#endpointId, limit: PAGE })) {
      if ((this.#newestId !== null && delivery.id <= this.#newestId) || fresh.length >= NEW_PER_POLL) break;
      fresh.push(delivery);
    }
    if (fresh[0] !== undefined) this.#newestId = fresh[0].id;
    for (const delivery of fresh) this.#watch(delivery.id, 0);

    const freshIds = new Set(fresh.map((delivery) => delivery.id));
    const reread: Delivery[] = [];
    await forEachConcurrently(
      [...this.#watched.keys()].filter((id) => !freshIds.has(id)),
      READS_AT_ONCE,
      async (id) => {
        reread.push(await this.#hookd.deliveries.get(id));
      },
    );
    return this.#report([...fresh, ...reread]);
  }

  #watch(id: string, reported: number): void {
    if (!this.#watched.has(id)) this.#watched.set(id, reported);
    // Beyond the cap the oldest in progress are let go: a tail is for what happens now.
    while (this.#watched.size > WATCHED_MAX) {
      this.#forget([...this.#watched.keys()].sort()[0]!);
    }
  }

  #forget(id: string): void {
    this.#watched.delete(id);
    this.#shownWaiting.delete(id);
  }

  /** The unreported attempts of these deliveries, oldest first; ended deliveries stop being watched. */
  async #report(deliveries: Delivery[]): Promise<FeedEntry[]> {
    const entries: FeedEntry[] = [];
    await forEachConcurrently(deliveries, READS_AT_ONCE, async (delivery) => {
      const reported = this.#watched.get(delivery.id);
      if (reported === undefined) return;
      const ended = delivery.status !== 'pending' && delivery.status !== 'sending';
      if (delivery.attempts > reported) {
        const unreported = Math.min(250, delivery.attempts - reported);
        const { data } = await this.#hookd.deliveries.attempts(delivery.id, { limit: unreported });
        const oldestFirst = data.reverse();
        oldestFirst.forEach((attempt, index) => {
          const latest = index === oldestFirst.length - 1;
          entries.push({ delivery, attempt, attemptNumber: delivery.attempts - oldestFirst.length + index + 1, outcome: outcomeOf(delivery, attempt, latest) });
        });
      } else if (delivery.status === 'failed' || delivery.status === 'dropped' || delivery.status === 'canceled') {
        // Ended with no attempt of its own: canceled, or its endpoint disabled meanwhile.
        entries.push({ delivery, attempt: null, attemptNumber: delivery.attempts, outcome: delivery.status });
      } else if (delivery.status === 'pending' && delivery.blockedBy !== null && this.#shownWaiting.get(delivery.id) !== delivery.blockedBy) {
        this.#shownWaiting.set(delivery.id, delivery.blockedBy);
        entries.push({ delivery, attempt: null, attemptNumber: delivery.attempts, outcome: 'waiting' });
      }
      if (ended) this.#forget(delivery.id);
      else this.#watched.set(delivery.id, delivery.attempts);
    });
    return entries.sort((a, b) => timeOf(a).localeCompare(timeOf(b)));
  }
}

function outcomeOf(delivery: Delivery, attempt: Attempt, latest: boolean): Outcome {
  if (attempt.statusCode !== null && attempt.statusCode >= 200 && attempt.statusCode < 300) return 'succeeded';
  // An earlier failed attempt of a delivery was followed by another: it was retried.
  if (!latest) return 'retrying';
  switch (delivery.status) {
    case 'failed':
    case 'dropped':
    case 'canceled':
    case 'aborted':
      return delivery.status;
    default:
      return 'retrying';
  }
}

/** When the entry happened: its attempt started, or else its delivery ended or was made. */
export function timeOf(entry: FeedEntry): string {
  return entry.attempt?.startedAt ?? entry.delivery.completedAt ?? entry.delivery.createdAt;
}
