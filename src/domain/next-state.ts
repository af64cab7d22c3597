import type { RandomSource } from './clock.js';
import type { AttemptVerdict } from './outcome.js';
import { nextRetryDelayMs } from './retry-schedule.js';
import type { DeliveryStatus, RetryPolicy } from './types.js';

// After an attempt: the delivery's next state. Pure; the worker applies it.

export interface NextState {
  status: DeliveryStatus;
  nextAttemptAt: number | null;
  completedAt: number | null;
  /** Set when the endpoint must be disabled (410 Gone). */
  disableEndpoint: string | null;
}

export interface AttemptFacts {
  verdict: AttemptVerdict;
  policy: RetryPolicy;
  /** Attempts made so far, this one included. */
  attemptsMade: number;
  /** A manual retry of a finished delivery: this attempt is the last whatever happens. */
  singleAttempt: boolean;
  retryAfterMs: number | null;
  now: number;
}

export function nextState(facts: AttemptFacts, random: RandomSource): NextState {
  const { verdict, now } = facts;
  const final = (status: DeliveryStatus, disableEndpoint: string | null = null): NextState => ({
    status,
    nextAttemptAt: null,
    completedAt: now,
    disableEndpoint,
  });
  if (verdict.verdict === 'success') return final('succeeded');
  if (verdict.verdict === 'drop') {
    return final('dropped', verdict.disableEndpoint ? `gone: the receiver answered 410 at ${new Date(now).toISOString()}` : null);
  }
  // With retries off, a failed first attempt is final without retries: `dropped`, as the contract says.
  if (!facts.policy.enabled) return final('dropped');
  if (facts.singleAttempt) return final('failed');
  const delay = nextRetryDelayMs(facts.policy, facts.attemptsMade, random, facts.retryAfterMs);
  if (delay === null) return final('failed');
  return { status: 'pending', nextAttemptAt: now + delay, completedAt: null, disableEndpoint: null };
}
