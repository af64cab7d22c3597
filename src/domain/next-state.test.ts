import { describe, expect, it } from 'vitest';
import { nextState } from './next-state.js';
import type { AttemptVerdict } from './outcome.js';
import type { RetryPolicy } from './types.js';

const policy: RetryPolicy = { enabled: true, schedule: 'exponential', dropOn4xx: false };
const now = 1_000_000;
const noJitter = () => 0.5;
const retry: AttemptVerdict = { verdict: 'retry', reason: 'http_503' };

function after(verdict: AttemptVerdict, overrides: Partial<Parameters<typeof nextState>[0]> = {}) {
  return nextState({ verdict, policy, attemptsMade: 1, singleAttempt: false, retryAfterMs: null, now, ...overrides }, noJitter);
}

describe('nextState', () => {
  it('a success is final', () => {
    expect(after({ verdict: 'success' })).toEqual({ status: 'succeeded', nextAttemptAt: null, completedAt: now, disableEndpoint: null });
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
    expect(after({ verdict: 'success' }, { singleAttempt: true }).status).toBe('succeeded');
  });

  it('410 ⇒ dropped and the endpoint is disabled', () => {
    const state = after({ verdict: 'drop', reason: 'http_410', disableEndpoint: true });
    expect(state.status).toBe('dropped');
    expect(state.disableEndpoint).toMatch(/^gone: /);
  });
});
