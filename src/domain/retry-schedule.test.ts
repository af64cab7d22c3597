import { describe, expect, it } from 'vitest';
import {
  EXPONENTIAL_DELAYS_SECONDS,
  jitterOf,
  maxAttemptsOf,
  nextRetryDelayMs,
  parseRetryAfterMs,
  retryDelaysSeconds,
} from './retry-schedule.js';
import type { RetryPolicy } from './types.js';

const exponential: RetryPolicy = { enabled: true, schedule: 'exponential', dropOn4xx: false };
const middle = () => 0.5; // no jitter
const lowest = () => 0; // -10 %
const highest = () => 0.999999; // almost +10 %

describe('retry schedule', () => {
  it('follows Svix: 8 attempts over about 27.6 hours', () => {
    expect(maxAttemptsOf(exponential)).toBe(8);
    const totalHours = EXPONENTIAL_DELAYS_SECONDS.reduce((a, b) => a + b, 0) / 3600;
    expect(totalHours).toBeCloseTo(27.58, 1);
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => nextRetryDelayMs(exponential, n, middle))).toEqual([
      5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000,
    ]);
    expect(nextRetryDelayMs(exponential, 8, middle)).toBeNull();
  });

  it('spreads each delay by at most ±10 %', () => {
    expect(nextRetryDelayMs(exponential, 2, lowest)).toBe(270_000);
    expect(nextRetryDelayMs(exponential, 2, highest)).toBeLessThanOrEqual(330_000);
    expect(nextRetryDelayMs(exponential, 2, highest)).toBeGreaterThan(329_000);
  });

  it('fixed: one immediate attempt and maxAttempts − 1 retries every interval (Updox: 5 min, 15 retries)', () => {
    const updox: RetryPolicy = { enabled: true, schedule: 'fixed', intervalSeconds: 300, maxAttempts: 16, dropOn4xx: true };
    expect(retryDelaysSeconds(updox)).toHaveLength(15);
    expect(maxAttemptsOf(updox)).toBe(16);
    expect(nextRetryDelayMs(updox, 1, middle)).toBe(300_000);
    expect(nextRetryDelayMs(updox, 15, middle)).toBe(300_000);
    expect(nextRetryDelayMs(updox, 16, middle)).toBeNull();
  });

  it.each<[string, RetryPolicy, number, boolean]>([
    // [what, policy, attempts made, jittered?]
    ['exponential by default', exponential, 2, true],
    ['exponential with jitter off', { ...exponential, jitter: false }, 2, false],
    ['fixed by default (Updox: every 5 minutes is 300 s)', { enabled: true, schedule: 'fixed', intervalSeconds: 300, maxAttempts: 16, dropOn4xx: true }, 1, false],
    ['fixed with jitter on', { enabled: true, schedule: 'fixed', intervalSeconds: 300, maxAttempts: 16, dropOn4xx: true, jitter: true }, 1, true],
    ['custom by default', { enabled: true, schedule: 'custom', delaysSeconds: [300], dropOn4xx: false }, 1, false],
    ['custom with jitter on', { enabled: true, schedule: 'custom', delaysSeconds: [300], dropOn4xx: false, jitter: true }, 1, true],
  ])('jitter, %s', (_what, policy, attemptsMade, jittered) => {
    expect(jitterOf(policy)).toBe(jittered);
    const planned = retryDelaysSeconds(policy)[attemptsMade - 1]! * 1000;
    expect(planned).toBe(300_000);
    expect(nextRetryDelayMs(policy, attemptsMade, lowest)).toBe(jittered ? 270_000 : planned);
    expect(nextRetryDelayMs(policy, attemptsMade, highest)).toBe(jittered ? 330_000 : planned);
  });

  it('custom: the given delays in order', () => {
    const custom: RetryPolicy = { enabled: true, schedule: 'custom', delaysSeconds: [1, 10], dropOn4xx: false };
    expect(nextRetryDelayMs(custom, 1, middle)).toBe(1_000);
    expect(nextRetryDelayMs(custom, 2, middle)).toBe(10_000);
    expect(nextRetryDelayMs(custom, 3, middle)).toBeNull();
  });

  it('disabled: no retry at all', () => {
    expect(nextRetryDelayMs({ ...exponential, enabled: false }, 1, middle)).toBeNull();
    expect(maxAttemptsOf({ ...exponential, enabled: false })).toBe(1);
  });

  it('honours a longer Retry-After, capped at one hour, and ignores a shorter one', () => {
    expect(nextRetryDelayMs(exponential, 1, middle, 60_000)).toBe(60_000);
    expect(nextRetryDelayMs(exponential, 1, middle, 1_000)).toBe(5_000);
    expect(nextRetryDelayMs(exponential, 1, middle, 10 * 3_600_000)).toBe(3_600_000);
    // Retry-After never revives an exhausted schedule.
    expect(nextRetryDelayMs(exponential, 8, middle, 60_000)).toBeNull();
  });

  it('parses Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-11-22T10:00:00Z');
    expect(parseRetryAfterMs('120', now)).toBe(120_000);
    expect(parseRetryAfterMs('Sun, 22 Nov 2026 10:01:00 GMT', now)).toBe(60_000);
    expect(parseRetryAfterMs('soon', now)).toBeNull();
    expect(parseRetryAfterMs(undefined, now)).toBeNull();
  });
});
