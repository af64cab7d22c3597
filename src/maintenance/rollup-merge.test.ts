import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { Store } from '../store/store.js';
import { RollupShardMerge } from './rollup-merge.js';

// Which minutes the sweep asks the store to merge (the merge itself is tested on PostgreSQL in
// test/store/postgres-rollup-shards.test.ts).

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const T0 = 1_800_000_000_000 - (1_800_000_000_000 % HOUR);

function sweepWith(answers: Array<number | null> = []) {
  const calls: Array<[number, number]> = [];
  let now = T0;
  const store = {
    mergeRollupShards: async (from: number, until: number) => {
      calls.push([(from - T0) / MINUTE, (until - T0) / MINUTE]);
      return answers.length > 0 ? answers.shift()! : 1;
    },
  } as Pick<Store, 'mergeRollupShards'> as Store;
  const sweep = new RollupShardMerge(store, { now: () => now }, pino({ level: 'silent' }));
  return { sweep, calls, setNow: (at: number) => (now = at) };
}

describe('rollup shard merge sweep', () => {
  it('starts with the last day, an hour at a time, up to ten minutes ago', async () => {
    const { sweep, calls } = sweepWith();
    expect(await sweep.runOnce()).toBe(24);
    expect(calls).toHaveLength(24);
    expect(calls[0]).toEqual([-24 * 60, -23 * 60]);
    expect(calls.at(-1)).toEqual([-60, -10]);
  });

  it('then merges only the minutes settled since', async () => {
    const { sweep, calls, setNow } = sweepWith();
    await sweep.runOnce();
    calls.length = 0;
    setNow(T0 + 5 * MINUTE + 30_000);
    await sweep.runOnce();
    expect(calls).toEqual([[-10, -5]]);
    // Nothing settled since: no statement at all.
    calls.length = 0;
    await sweep.runOnce();
    expect(calls).toEqual([]);
  });

  it('leaves the minutes another node is merging for a later sweep', async () => {
    const { sweep, calls } = sweepWith([1, null]);
    expect(await sweep.runOnce()).toBe(1);
    expect(calls).toHaveLength(2);
    calls.length = 0;
    await sweep.runOnce();
    // Resumes after the one step that was done.
    expect(calls[0]).toEqual([-23 * 60, -22 * 60]);
  });
});
