import { setImmediate as nextTick } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { coalescePerTick } from './coalesce-per-tick.js';

describe('coalescePerTick', () => {
  it('shares one load among the callers of one tick and loads again in a later tick', async () => {
    const loads: string[] = [];
    const lookup = coalescePerTick(async (key) => {
      loads.push(key);
      await nextTick();
      return key.toUpperCase();
    });
    expect(await Promise.all([lookup('a'), lookup('a'), lookup('b')])).toEqual(['A', 'A', 'B']);
    expect(loads).toEqual(['a', 'b']);
    await nextTick();
    await lookup('a');
    expect(loads).toEqual(['a', 'b', 'a']);
  });

  it('does not keep a failed load past its tick', async () => {
    let calls = 0;
    const lookup = coalescePerTick(async () => {
      calls += 1;
      if (calls === 1) throw new Error('database restarting');
      return 'ok';
    });
    await expect(lookup('k')).rejects.toThrow('database restarting');
    await nextTick();
    await expect(lookup('k')).resolves.toBe('ok');
  });
});
