import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { ApiKeyRecord } from '../store.js';
import { ConfigCache, type CachedReads } from './config-cache.js';

// The cache's rules on a counting loader; the PostgreSQL side (triggers, NOTIFY, this node's
// statements) is test/store/postgres-config-cache.test.ts.

function countingKeys(): { reads: CachedReads; loads: () => number; release: () => void; hold: () => void } {
  let loads = 0;
  let held: Promise<void> | null = null;
  let release = () => {};
  const reads = {
    findKeyByHash: async (hash: string) => {
      loads++;
      if (held !== null) await held;
      return hash === 'missing' ? null : ({ id: `key_${loads}` } as ApiKeyRecord);
    },
  } as unknown as CachedReads;
  return {
    reads,
    loads: () => loads,
    hold: () => {
      held = new Promise((resolve) => (release = resolve));
    },
    release: () => {
      held = null;
      release();
    },
  };
}

describe('ConfigCache', () => {
  it('caches nothing until it hears changes, then answers from memory until one comes', async () => {
    const cache = new ConfigCache();
    const keys = countingKeys();
    const cached = cache.wrap(keys.reads);
    await cached.findKeyByHash('a');
    await cached.findKeyByHash('a');
    expect(keys.loads()).toBe(2);
    cache.listening(true);
    await cached.findKeyByHash('a');
    expect(await cached.findKeyByHash('a')).toEqual({ id: 'key_3' });
    expect(keys.loads()).toBe(3);
    cache.changed();
    expect(await cached.findKeyByHash('a')).toEqual({ id: 'key_4' });
    cache.listening(false);
    await cached.findKeyByHash('a');
    expect(keys.loads()).toBe(5);
  });

  it('does not keep an answer loaded across a change, nor one that found nothing', async () => {
    const cache = new ConfigCache();
    cache.listening(true);
    const keys = countingKeys();
    const cached = cache.wrap(keys.reads);
    keys.hold();
    const loading = cached.findKeyByHash('a');
    cache.changed();
    keys.release();
    await loading;
    await cached.findKeyByHash('a');
    expect(keys.loads()).toBe(2);
    await cached.findKeyByHash('missing');
    await cached.findKeyByHash('missing');
    expect(keys.loads()).toBe(4);
  });

  it('loads an answer again once it is older than its age limit, heard or not', async () => {
    const cache = new ConfigCache(30);
    cache.listening(true);
    const keys = countingKeys();
    const cached = cache.wrap(keys.reads);
    await cached.findKeyByHash('a');
    await cached.findKeyByHash('a');
    expect(keys.loads()).toBe(1);
    await sleep(40);
    await cached.findKeyByHash('a');
    expect(keys.loads()).toBe(2);
  });

  it('shares frozen answers: a caller cannot change another’s', async () => {
    const cache = new ConfigCache();
    cache.listening(true);
    const cached = cache.wrap(countingKeys().reads);
    const answer = await cached.findKeyByHash('a');
    expect(Object.isFrozen(answer)).toBe(true);
    cache.listening(false);
    const unkept = (await cached.findKeyByHash('a')) as unknown as { id: string };
    expect(Object.isFrozen(unkept)).toBe(true);
  });
});
