import { describe, expect, it } from 'vitest';
import type { HookEvent } from '../domain/types.js';
import type { DeliveryQueue } from '../queue/delivery-queue.js';
import type { IngestOutcome, NewEvent } from '../store/store.js';
import { GroupCommit } from './group-commit.js';

// Which requests share a transaction. The queue here only records the groups it is given: what is
// tested is the grouping, not storage (the integration tests store through the real adapters).

function recordingGroups(): { store: Pick<DeliveryQueue, 'enqueue'>; groups: string[][] } {
  const groups: string[][] = [];
  const store = {
    async enqueue(events: NewEvent[]): Promise<IngestOutcome[]> {
      groups.push(events.map((item) => item.event.id));
      return events.map((item) => ({ outcome: 'created', event: item.event, deliveries: 0 }));
    },
  };
  return { store, groups };
}

/** A 50 ms interval (2 ms in hookd), so that a slow machine cannot make a test's turns outlast it. */
const INTERVAL_MS = 50;

function commitOf(store: Pick<DeliveryQueue, 'enqueue'>): GroupCommit<string> {
  const steps = { prepare: async (ids: string[]) => ids.map((id): NewEvent => ({ event: { id } as HookEvent, deliveries: [], clientId: false })), committed: () => undefined };
  return new GroupCommit<string>(store, () => ({ dedupeSince: 0, now: 0 }), steps, INTERVAL_MS);
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('GroupCommit', () => {
  it('stores the requests of one turn of the event loop in one transaction', async () => {
    const { store, groups } = recordingGroups();
    const commits = commitOf(store);
    await Promise.all([commits.ingest(['a']), commits.ingest(['b', 'c']), commits.ingest(['d'])]);
    expect(groups).toEqual([['a', 'b', 'c', 'd']]);
  });

  it('gathers requests of the next turns while the last commit started less than the interval ago', async () => {
    const { store, groups } = recordingGroups();
    const commits = commitOf(store);
    await commits.ingest(['first']);
    // Right after a commit, requests arriving over several turns wait for the interval to pass.
    const later = [commits.ingest(['b'])];
    await nextTurn();
    later.push(commits.ingest(['c']));
    await nextTurn();
    later.push(commits.ingest(['d']));
    await Promise.all(later);
    expect(groups).toEqual([['first'], ['b', 'c', 'd']]);
  });

  it('commits a request after a quiet spell in its own turn, without waiting', async () => {
    const { store, groups } = recordingGroups();
    const commits = commitOf(store);
    await commits.ingest(['first']);
    await sleep(INTERVAL_MS + 30);
    const alone = commits.ingest(['alone']);
    await nextTurn();
    await nextTurn();
    // Committed by now: the check phase right after the request's turn ran the flush.
    expect(groups).toEqual([['first'], ['alone']]);
    await alone;
  });

  it('answers each caller with its own outcomes, in order', async () => {
    const { store } = recordingGroups();
    const commits = commitOf(store);
    const [one, two] = await Promise.all([commits.ingest(['x', 'y']), commits.ingest(['z'])]);
    expect(one.map((o) => o.event.id)).toEqual(['x', 'y']);
    expect(two.map((o) => o.event.id)).toEqual(['z']);
  });
});
