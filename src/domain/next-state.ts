import type { RandomSource } from './clock.js';
import type { AttemptVerdict, DisableCause } from './outcome.js';
import { nextRetryDelayMs } from './retry-schedule.js';
import type { DeliveryStatus, RetryPolicy } from './types.js';

// After an attempt: the delivery's next state. Pure; the worker applies it.

export interface NextState {
  status: DeliveryStatus;
  nextAttemptAt: number | null;
  completedAt: number | null;
  /** The endpoint's `disabledReason` when this answer disables it (410 Gone, `webhook-delivery: disable`). */
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
  const disableEndpoint = verdict.disableEndpoint === null ? null : disabledReason(verdict.disableEndpoint, now);
  const final = (status: DeliveryStatus): NextState => ({ status, nextAttemptAt: null, completedAt: now, disableEndpoint });
  if (verdict.verdict === 'success') return final('succeeded');
  if (verdict.verdict === 'abort') return final('aborted');
  if (verdict.verdict === 'drop') return final('dropped');
  // With retries off, a failed first attempt is final without retries: `dropped`, as the contract says.
  if (!facts.policy.enabled) return final('dropped');
  if (facts.singleAttempt) return final('failed');
  const delay = nextRetryDelayMs(facts.policy, facts.attemptsMade, random, facts.retryAfterMs);
  if (delay === null) return final('failed');
  // A retry of an endpoint disabled meanwhile is ended by the worker when it comes due, without an attempt.
  return { status: 'pending', nextAttemptAt: now + delay, completedAt: null, disableEndpoint };
}

/** The endpoint's `disabledReason`, as the contract words it. */
function disabledReason(cause: DisableCause, now: number): string {
  if (cause === 'receiver') return 'receiver: webhook-delivery disable';
  return `gone: the receiver answered 410 at ${new Date(now).toISOString()}`;
}
