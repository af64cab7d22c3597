import { describe, expect, it } from 'vitest';
import type { AccountLimit } from '../store/store.js';
import { accountKey } from '../domain/account-key.js';
import { Admission, CLAIM_BATCH, type AfterClaim, type WakeOn } from './admission.js';

// The worker's admission as a state machine: each row feeds it events and checks its answers.

type Step =
  | { do: 'claim'; returns: number; expect: { limit: number; after: AfterClaim } }
  | { do: 'reserve'; count: number; expect: boolean }
  | { do: 'release'; expect: boolean }
  | { do: 'handBack'; count: number }
  | { do: 'wake'; running?: boolean; expect: boolean }
  | { do: 'wait'; for: WakeOn; running?: boolean; expect: boolean }
  | { do: 'stopWaiting' }
  | { do: 'load'; expect: number };

function play(concurrency: number, steps: Step[]): void {
  const admission = new Admission(concurrency);
  for (const [index, step] of steps.entries()) {
    const at = `step ${index} (${step.do})`;
    switch (step.do) {
      case 'claim': {
        const limit = admission.claimLimit();
        expect(limit, at).toBe(step.expect.limit);
        admission.claiming();
        expect(admission.claimed(new Array<string>(step.returns).fill(''), limit), at).toBe(step.expect.after);
        break;
      }
      case 'reserve':
        expect(admission.reserve(new Map([['', step.count]])), at).toBe(step.expect);
        break;
      case 'release':
        expect(admission.released(''), at).toBe(step.expect);
        break;
      case 'handBack':
        admission.handedBack('', step.count);
        break;
      case 'wake':
        expect(admission.wake(step.running ?? true), at).toBe(step.expect);
        break;
      case 'wait':
        expect(admission.startWaiting(step.for, step.running ?? true), at).toBe(step.expect);
        break;
      case 'stopWaiting':
        admission.stopWaiting();
        break;
      case 'load':
        expect(admission.load, at).toBe(step.expect);
        break;
    }
  }
}

const cases: Array<[string, number, Step[]]> = [
  [
    'a full batch means more is probably due: claim again at once',
    400,
    [
      { do: 'claim', returns: CLAIM_BATCH, expect: { limit: CLAIM_BATCH, after: 'claimMore' } },
      { do: 'claim', returns: 10, expect: { limit: CLAIM_BATCH, after: 'caughtUp' } },
      { do: 'load', expect: CLAIM_BATCH + 10 },
    ],
  ],
  [
    'claims no more than the free slots',
    8,
    [
      { do: 'claim', returns: 5, expect: { limit: 8, after: 'caughtUp' } },
      { do: 'claim', returns: 3, expect: { limit: 3, after: 'claimMore' } },
      { do: 'load', expect: 8 },
    ],
  ],
  [
    'while every slot is taken it wakes only once a quarter is free again, not for new work',
    8,
    [
      { do: 'claim', returns: 8, expect: { limit: 8, after: 'claimMore' } },
      { do: 'wait', for: 'freeSlots', expect: true },
      { do: 'wake', expect: false },
      { do: 'release', expect: false },
      { do: 'release', expect: true },
      { do: 'load', expect: 6 },
    ],
  ],
  [
    'waiting for new work, a wake-up ends the wait and a freed slot does not',
    8,
    [
      { do: 'claim', returns: 2, expect: { limit: 8, after: 'caughtUp' } },
      { do: 'wait', for: 'newWork', expect: true },
      { do: 'release', expect: false },
      { do: 'wake', expect: true },
    ],
  ],
  [
    'after lanes were full it waits for a quarter of the slots to be freed since, or new work',
    8,
    [
      { do: 'claim', returns: 6, expect: { limit: 8, after: 'caughtUp' } },
      { do: 'handBack', count: 4 },
      { do: 'wait', for: 'slotsFreed', expect: true },
      { do: 'release', expect: false },
      { do: 'release', expect: true },
      { do: 'stopWaiting' },
      { do: 'wait', for: 'slotsFreed', expect: true },
      { do: 'wake', expect: true },
    ],
  ],
  [
    'a wake-up that came during a claim is not slept through, unless every slot is taken',
    8,
    [
      { do: 'claim', returns: 1, expect: { limit: 8, after: 'caughtUp' } },
      { do: 'wake', expect: true },
      { do: 'wait', for: 'newWork', expect: false },
      { do: 'wait', for: 'freeSlots', expect: true },
      { do: 'stopWaiting' },
      { do: 'claim', returns: 0, expect: { limit: 7, after: 'caughtUp' } },
      { do: 'wait', for: 'newWork', expect: true },
    ],
  ],
  [
    'a stopping worker never waits, and any wake-up ends its wait',
    8,
    [
      { do: 'wait', for: 'newWork', running: false, expect: false },
      { do: 'claim', returns: 8, expect: { limit: 8, after: 'claimMore' } },
      { do: 'wait', for: 'freeSlots', expect: true },
      { do: 'wake', running: false, expect: true },
    ],
  ],
  [
    'a hand-off takes slots only while they are free, and gives back what it did not use',
    4,
    [
      { do: 'reserve', count: 3, expect: true },
      { do: 'reserve', count: 2, expect: false },
      { do: 'load', expect: 3 },
      { do: 'release', expect: false },
      { do: 'reserve', count: 2, expect: true },
      { do: 'load', expect: 4 },
    ],
  ],
];

describe('worker admission', () => {
  it.each(cases)('%s', (_name, concurrency, steps) => play(concurrency, steps));
});

// Fair shares: with `held` slots taken per account and `due` accounts having deliveries due (in the
// order they are served), how many of each a claim takes.
const shares: Array<[string, number, Record<string, number>, string[], AccountLimit[]]> = [
  ['an account alone borrows every slot but the reserve', 8, {}, ['a'], [{ account: 'a', limit: 7 }]],
  ['with the reserve lent, a newcomer gets it at once', 8, { a: 7 }, ['a', 'b'], [{ account: 'b', limit: 1 }]],
  [
    'two accounts with work split the free slots by share',
    8,
    {},
    ['a', 'b'],
    [
      { account: 'a', limit: 4 },
      { account: 'b', limit: 4 },
    ],
  ],
  ['an account at its share takes nothing more while another waits', 8, { a: 4, b: 2 }, ['a', 'b'], [{ account: 'b', limit: 2 }]],
  [
    'an account with slots held but nothing due lends its unused share, up to the reserve',
    8,
    { b: 1 },
    ['a'],
    [{ account: 'a', limit: 7 }],
  ],
  ['the reserve is never lent', 8, { a: 7, b: 1 }, ['a'], []],
  [
    'three accounts: shares of concurrency / 3, from the slots that are free',
    9,
    { a: 5 },
    ['a', 'b', 'c'],
    [
      { account: 'b', limit: 3 },
      { account: 'c', limit: 1 },
    ],
  ],
  [
    'more accounts than slots: one each while slots are free, first served first',
    2,
    {},
    ['a', 'b', 'c'],
    [
      { account: 'a', limit: 1 },
      { account: 'b', limit: 1 },
    ],
  ],
  ['a single slot is always lendable', 1, {}, ['a'], [{ account: 'a', limit: 1 }]],
  [
    'provider-level deliveries are one account beside the others',
    8,
    { [accountKey(null)]: 6 },
    [accountKey(null), 'a'],
    [{ account: 'a', limit: 2 }],
  ],
];

describe('fair shares between accounts', () => {
  it.each(shares)('%s', (_name, concurrency, held, due, expected) => {
    const admission = new Admission(concurrency);
    for (const [account, count] of Object.entries(held)) admission.claimed(new Array<string>(count).fill(account), CLAIM_BATCH);
    expect(admission.accountLimits(due)).toEqual(expected);
  });

  it('while accounts compete, each freed slot ends the wait (the free ones are few), not only a quarter of them', () => {
    const admission = new Admission(8);
    admission.claimed(new Array<string>(7).fill('noisy'), 8);
    admission.claimed(['healthy'], 1);
    expect(admission.startWaiting('freeSlots', true)).toBe(true);
    expect(admission.released('healthy')).toBe(true);
  });

  it('a hand-off is refused when it would take an account beyond what a claim would give it', () => {
    const admission = new Admission(8);
    expect(admission.reserve(new Map([['a', 7]]))).toBe(true);
    expect(admission.reserve(new Map([['a', 1]]))).toBe(false);
    expect(admission.reserve(new Map([['b', 1]]))).toBe(true);
    admission.released('a');
    admission.handedBack('b', 1);
    expect(admission.heldByAccount('a')).toBe(6);
    expect(admission.heldByAccount('b')).toBe(0);
    expect(admission.load).toBe(6);
  });
});
