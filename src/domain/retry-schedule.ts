import type { RandomSource } from './clock.js';
import type { RetryPolicy, RetryScheduleKind } from './types.js';

// Svix's schedule: attempt at once, then after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h —
// 8 attempts over about 27.6 hours.
export const EXPONENTIAL_DELAYS_SECONDS: readonly number[] = [5, 300, 1800, 7200, 18000, 36000, 36000];

/** A jittered delay is spread by ±10 % so that endpoints that failed together do not retry together. */
export const JITTER_FRACTION = 0.1;

export const DEFAULT_RETRY_POLICY: RetryPolicy = { enabled: true, schedule: 'exponential', dropOn4xx: false, jitter: true };

/**
 * Whether a schedule's delays are jittered when the policy does not say: exponential ones are (many
 * endpoints failing together must not retry in step), fixed and custom ones are exact, because
 * whoever chose "every 5 minutes" expects 300 s, not 276 s.
 */
export function defaultJitter(schedule: RetryScheduleKind): boolean {
  return schedule === 'exponential';
}

/** The policy's jitter setting, or its schedule's default for policies stored before the setting. */
export function jitterOf(policy: RetryPolicy): boolean {
  return policy.jitter ?? defaultJitter(policy.schedule);
}

/** How long a receiver's `Retry-After` may push a retry out. */
export const MAX_RETRY_AFTER_MS = 3_600_000;

/** The planned delays (seconds, before jitter) between attempts of a policy: one entry per retry. */
export function retryDelaysSeconds(policy: RetryPolicy): readonly number[] {
  if (!policy.enabled) return [];
  switch (policy.schedule) {
    case 'exponential':
      return EXPONENTIAL_DELAYS_SECONDS;
    case 'fixed': {
      const retries = Math.max(0, (policy.maxAttempts ?? 16) - 1);
      return Array.from({ length: retries }, () => policy.intervalSeconds ?? 300);
    }
    case 'custom':
      return policy.delaysSeconds ?? [];
  }
}

export function maxAttemptsOf(policy: RetryPolicy): number {
  return retryDelaysSeconds(policy).length + 1;
}

/**
 * The delay in milliseconds before the next attempt, after `attemptsMade` attempts have failed,
 * or null when the schedule is exhausted. `retryAfterMs` (from the receiver) replaces the planned
 * delay when it is longer, capped at an hour, so a receiver can slow us down but not stall a delivery.
 */
export function nextRetryDelayMs(
  policy: RetryPolicy,
  attemptsMade: number,
  random: RandomSource,
  retryAfterMs: number | null = null,
): number | null {
  const delays = retryDelaysSeconds(policy);
  const planned = delays[attemptsMade - 1];
  if (planned === undefined) return null;
  const spread = jitterOf(policy) ? 1 + JITTER_FRACTION * (2 * random() - 1) : 1;
  const delayMs = Math.round(planned * 1000 * spread);
  if (retryAfterMs !== null && retryAfterMs > delayMs) return Math.min(retryAfterMs, MAX_RETRY_AFTER_MS);
  return delayMs;
}

/** Parses `Retry-After` (delta seconds or an HTTP date) into milliseconds from `now`. */
export function parseRetryAfterMs(value: string | undefined, now: number): number | null {
  if (value === undefined || value.trim() === '') return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return null;
  return Math.max(0, date - now);
}
