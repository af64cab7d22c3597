import { describe, expect, it } from 'vitest';
import { nextState } from './next-state.js';
import type { AttemptVerdict } from './outcome.js';
import type { RetryPolicy } from './types.js';

const policy: RetryPolicy = { enabled: true, schedule: 'exponential', dropOn4xx: false };
const now = 1_000_000;
const noJitter = () => 0.5;
const retry: AttemptVerdict = { verdict: 'retry', reason: 'http_503', disableEndpoint: null };
const success: AttemptVerdict = { verdict: 'success', disableEndpoint: null };

function after(verdict: AttemptVerdict, overrides: Partial<Parameters<typeof nextState>[0]> = {}) {
  return nextState({ verdict, policy, attemptsMade: 1, singleAttempt: false, retryAfterMs: null, now, ...overrides }, noJitter);
}

describe('nextState', () => {
  it('a success is final', () => {
    expect(after(success)).toEqual({ status: 'succeeded', nextAttemptAt: null, completedAt: now, disableEndpoint: null });
  });

  it('a retryable failure is pending again after the scheduled delay', () => {
    expect(after(retry)).toEqual({ status: 'pending', nextAttemptAt: now + 5000, completedAt: null, disableEndpoint: null });
  });

  it('retries exhausted ⇒ failed', () => {
    expect(after(retry, { attemptsMade: 8 }).status).toBe('failed');
  });

  it('retry.enabled:false ⇒ dropped after one failed attempt', () => {
    expect(after(retry, { policy: { ...policy, enabled: false } }).status).toBe('dropped');
  });

  it('a manual retry of a finished delivery is its last attempt', () => {
    expect(after(retry, { singleAttempt: true }).status).toBe('failed');
    expect(after(success, { singleAttempt: true }).status).toBe('succeeded');
  });

  it('410 ⇒ dropped and the endpoint is disabled', () => {
    const state = after({ verdict: 'drop', reason: 'http_410', disableEndpoint: 'gone' });
    expect(state.status).toBe('dropped');
    expect(state.disableEndpoint).toBe(`gone: the receiver answered 410 at ${new Date(now).toISOString()}`);
  });

  it('abort-message ⇒ aborted at once, though the schedule has retries left', () => {
    expect(after({ verdict: 'abort', disableEndpoint: null })).toEqual({ status: 'aborted', nextAttemptAt: null, completedAt: now, disableEndpoint: null });
  });

  it('abort-message on a manual retry is aborted too, not failed', () => {
    expect(after({ verdict: 'abort', disableEndpoint: null }, { singleAttempt: true }).status).toBe('aborted');
  });

  it.each([
    ['a success', { verdict: 'success', disableEndpoint: 'receiver' }, 'succeeded'],
    ['an abort', { verdict: 'abort', disableEndpoint: 'receiver' }, 'aborted'],
    ['a retryable failure', { verdict: 'retry', reason: 'http_500', disableEndpoint: 'receiver' }, 'pending'],
  ] as const)('disable on %s disables the endpoint with the receiver reason', (_, verdict, status) => {
    const state = after(verdict);
    expect(state.status).toBe(status);
    expect(state.disableEndpoint).toBe('receiver: webhook-delivery disable');
  });
});
