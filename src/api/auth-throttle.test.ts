import { describe, expect, it } from 'vitest';
import { FAILURE_LIMIT, FAILURE_WINDOW_MS, FailedAuthThrottle } from './auth-throttle.js';

describe('FailedAuthThrottle', () => {
  it('lets an address fail FAILURE_LIMIT times, then throttles it until its window ends', () => {
    const throttle = new FailedAuthThrottle();
    const start = 1_000_000;
    for (let i = 0; i < FAILURE_LIMIT; i++) {
      expect(throttle.waitSeconds('10.0.0.1', start + i)).toBeNull();
      throttle.noteFailure('10.0.0.1', start + i);
    }
    expect(throttle.waitSeconds('10.0.0.1', start + 1000)).toBe(59);
    expect(throttle.waitSeconds('10.0.0.2', start + 1000)).toBeNull();
    expect(throttle.waitSeconds('10.0.0.1', start + FAILURE_WINDOW_MS - 1)).toBe(1);
    expect(throttle.waitSeconds('10.0.0.1', start + FAILURE_WINDOW_MS)).toBeNull();
    expect(throttle.trackedAddresses).toBe(0);
  });

  it('tracks at most its cap of addresses, forgetting the oldest', () => {
    const throttle = new FailedAuthThrottle(3);
    for (let i = 0; i < FAILURE_LIMIT; i++) throttle.noteFailure('a', 0);
    for (const address of ['b', 'c', 'd']) throttle.noteFailure(address, 0);
    expect(throttle.trackedAddresses).toBe(3);
    expect(throttle.waitSeconds('a', 1)).toBeNull();
  });
});
