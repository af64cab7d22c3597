import type { Attempt } from './types.js';
import { parseRetryAfterMs } from './retry-schedule.js';

// Receiver control of a whole endpoint (issue 16). Pure: what one attempt's answer says about the
// endpoint it was sent to, when the circuit breaker opens and for how long, and the read-only
// `state` shown on the endpoint. The worker applies the decisions; the store keeps the endpoint's
// pause where every node's claim sees it.

/** A receiver's `Retry-After` pauses its endpoint for at least a second and at most an hour. */
export const MIN_PAUSE_MS = 1000;
export const MAX_PAUSE_MS = 3_600_000;
/** Consecutive failed attempts that open the circuit breaker. */
export const BREAKER_THRESHOLD = 5;
/** The breaker's first cool-down; each failed probe doubles it, up to BREAKER_MAX_COOLDOWN_MS. */
export const BREAKER_BASE_COOLDOWN_MS = 5000;
export const BREAKER_MAX_COOLDOWN_MS = 300_000;
export const BREAKER_REASON = `${BREAKER_THRESHOLD} consecutive failures`;
/** Successes in a row that give a throttled endpoint one more attempt in flight. */
export const SUCCESSES_PER_STEP = 20;

/** Errors of the receiver's side: it could not be reached or did not answer. */
const RECEIVER_ERRORS = new Set(['timeout', 'connection_refused', 'connection_reset', 'dns', 'tls', 'network']);

export type EndpointSignal =
  /** 429 or 503 with Retry-After: the whole endpoint waits until `until`. */
  | { kind: 'pause'; until: number; reason: string }
  /** Timeout, connection error or 5xx: one more failure in the breaker's run. */
  | { kind: 'failure' }
  /** The receiver answered (2xx, 3xx, 4xx): the failure run ends, an open breaker closes. */
  | { kind: 'answered'; success: boolean }
  /** 429 without Retry-After: the receiver answered, and asks for less at once (concurrency halved). */
  | { kind: 'throttle' }
  /** Nothing about the receiver (a URL refused by our guard, a request we could not build, a token we could not get). */
  | { kind: 'none' };

/** What the answer to an attempt (made at `now`) says about its endpoint. */
export function endpointSignal(attempt: Pick<Attempt, 'statusCode' | 'error' | 'responseHeaders'>, now: number): EndpointSignal {
  const status = attempt.statusCode;
  if (status === null) return RECEIVER_ERRORS.has(attempt.error ?? 'network') ? { kind: 'failure' } : { kind: 'none' };
  if (status === 429 || status === 503) {
    const afterMs = parseRetryAfterMs(attempt.responseHeaders['retry-after'], now);
    if (afterMs !== null) {
      const pauseMs = Math.min(MAX_PAUSE_MS, Math.max(MIN_PAUSE_MS, afterMs));
      return { kind: 'pause', until: now + pauseMs, reason: `${status} Retry-After ${Math.round(pauseMs / 1000)} s` };
    }
  }
  if (status === 429) return { kind: 'throttle' };
  return status >= 500 ? { kind: 'failure' } : { kind: 'answered', success: status >= 200 && status < 300 };
}

/** The breaker as stored on the endpoint. */
export interface BreakerState {
  /** The current run of failed attempts. */
  failures: number;
  /** The cool-down of the breaker's last opening; 0 while it is closed. */
  cooldownMs: number;
  pausedUntil: number | null;
}

/** The cool-down after `previousMs` (0: the breaker was closed): 5 s, doubling, at most 5 min. */
export function nextCooldownMs(previousMs: number): number {
  return previousMs <= 0 ? BREAKER_BASE_COOLDOWN_MS : Math.min(BREAKER_MAX_COOLDOWN_MS, previousMs * 2);
}

/**
 * After a failed attempt (already counted in `state.failures`): whether the breaker opens, until
 * when and with which cool-down. A failed probe reopens it at once with a doubled cool-down; any
 * other failure opens a closed breaker once the run is BREAKER_THRESHOLD long, unless the endpoint
 * is paused already (an attempt that was in flight when it paused).
 */
export function breakerAfterFailure(state: BreakerState, probe: boolean, now: number): { until: number; cooldownMs: number } | null {
  if (probe) {
    const cooldownMs = nextCooldownMs(state.cooldownMs);
    return { until: now + cooldownMs, cooldownMs };
  }
  const paused = state.pausedUntil !== null && state.pausedUntil > now;
  if (state.cooldownMs > 0 || paused || state.failures < BREAKER_THRESHOLD) return null;
  return { until: now + BREAKER_BASE_COOLDOWN_MS, cooldownMs: BREAKER_BASE_COOLDOWN_MS };
}

/** Whether the breaker is half-open: it opened, its cool-down is over, and only a probe may go. */
export function isHalfOpen(state: BreakerState, now: number): boolean {
  return state.cooldownMs > 0 && (state.pausedUntil === null || state.pausedUntil <= now);
}

/** AIMD, decrease: half the attempts in flight (of `current`, the configured maximum when not throttled), never below 1. */
export function halvedConcurrency(current: number): number {
  return Math.max(1, Math.floor(current / 2));
}

/**
 * AIMD, increase: after `successes` in a row at `limit`, the new limit (null: back to the
 * configured `maximum`, no longer throttled), or undefined while the step is not reached.
 */
export function raisedConcurrency(limit: number, successes: number, maximum: number): number | null | undefined {
  if (successes < SUCCESSES_PER_STEP) return undefined;
  return limit + 1 >= maximum ? null : limit + 1;
}

/** The endpoint's read-only `state` (contract v1.1, Receiver control). */
export interface EndpointStateView {
  mode: 'normal' | 'throttled' | 'paused';
  until: number | null;
  reason: string | null;
  concurrency: number;
}

/** `maximum`: the configured attempts in flight per endpoint; `concurrencyLimit` the throttled one (null: not throttled). */
export function endpointStateView(
  control: { pausedUntil: number | null; pauseReason: string | null; concurrencyLimit: number | null },
  now: number,
  maximum: number,
): EndpointStateView {
  const concurrency = Math.min(maximum, control.concurrencyLimit ?? maximum);
  if (control.pausedUntil !== null && control.pausedUntil > now) {
    return { mode: 'paused', until: control.pausedUntil, reason: control.pauseReason, concurrency };
  }
  if (concurrency < maximum) return { mode: 'throttled', until: null, reason: '429 without Retry-After', concurrency };
  return { mode: 'normal', until: null, reason: null, concurrency };
}
