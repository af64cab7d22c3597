import { describe, expect, it } from 'vitest';
import { HeldLeases } from './held-leases.js';

describe('held leases', () => {
  it('names the leases that run out within the window, and only those', () => {
    const held = new HeldLeases();
    held.hold('a', 1_000);
    held.hold('b', 5_000);
    held.hold('c', 10_000);
    expect(held.dueForRenewal(0, 5_000)).toEqual(['a']);
    expect(held.dueForRenewal(0, 5_001)).toEqual(['a', 'b']);
  });

  it('moves renewed leases on and forgets the ones lost meanwhile', () => {
    const held = new HeldLeases();
    held.hold('a', 1_000);
    held.hold('b', 1_000);
    held.renewed(['a', 'b'], ['a'], 9_000);
    expect(held.size).toBe(1);
    expect(held.dueForRenewal(0, 9_000)).toEqual([]);
    expect(held.dueForRenewal(0, 9_001)).toEqual(['a']);
  });

  it('does not take back a delivery dropped while its renewal was under way', () => {
    const held = new HeldLeases();
    held.hold('a', 1_000);
    const asked = held.dueForRenewal(0, 2_000);
    held.drop('a');
    held.renewed(asked, ['a'], 9_000);
    expect(held.size).toBe(0);
  });
});
