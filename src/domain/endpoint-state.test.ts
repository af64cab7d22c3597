import { describe, expect, it } from 'vitest';
import {
  BREAKER_BASE_COOLDOWN_MS,
  BREAKER_MAX_COOLDOWN_MS,
  breakerAfterFailure,
  endpointSignal,
  endpointStateView,
  halvedConcurrency,
  isHalfOpen,
  nextCooldownMs,
  raisedConcurrency,
} from './endpoint-state.js';

const NOW = Date.parse('2026-11-30T12:00:00Z');

describe('endpointSignal', () => {
  const answer = (statusCode: number | null, headers: Record<string, string> = {}, error: string | null = null) =>
    endpointSignal({ statusCode, error, responseHeaders: headers }, NOW);

  it.each([
    [429, '30', NOW + 30_000, '429 Retry-After 30 s'],
    [503, '2', NOW + 2000, '503 Retry-After 2 s'],
    [429, '0', NOW + 1000, '429 Retry-After 1 s'],
    [429, '86400', NOW + 3_600_000, '429 Retry-After 3600 s'],
    [503, new Date(NOW + 40_000).toUTCString(), NOW + 40_000, '503 Retry-After 40 s'],
  ])('%i with Retry-After %s pauses the endpoint (clamped 1 s – 1 h)', (status, header, until, reason) => {
    expect(answer(status, { 'retry-after': header })).toEqual({ kind: 'pause', until, reason });
  });

  it.each([
    [500, null, 'failure'],
    [503, null, 'failure'],
    [null, 'timeout', 'failure'],
    [null, 'connection_refused', 'failure'],
    [null, 'connection_reset', 'failure'],
    [200, null, 'answered'],
    [204, null, 'answered'],
    [301, null, 'answered'],
    [400, null, 'answered'],
    [429, null, 'throttle'],
    [null, 'url_not_allowed', 'none'],
    [null, 'invalid_request', 'none'],
    [null, 'auth', 'none'],
  ])('status %s error %s is %s', (status, error, kind) => {
    expect(answer(status, {}, error).kind).toBe(kind);
  });

  it('an unreadable Retry-After on a 503 is a failure, not a pause', () => {
    expect(answer(503, { 'retry-after': 'soon' }).kind).toBe('failure');
  });
});

describe('circuit breaker', () => {
  it('cool-downs double from 5 s up to 5 min', () => {
    const seen: number[] = [];
    let cooldown = 0;
    for (let i = 0; i < 9; i++) seen.push((cooldown = nextCooldownMs(cooldown)));
    expect(seen).toEqual([5000, 10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000]);
  });

  it.each([
    [{ failures: 4, cooldownMs: 0, pausedUntil: null }, false, null],
    [{ failures: 5, cooldownMs: 0, pausedUntil: null }, false, { until: NOW + BREAKER_BASE_COOLDOWN_MS, cooldownMs: BREAKER_BASE_COOLDOWN_MS }],
    [{ failures: 7, cooldownMs: 0, pausedUntil: NOW - 1 }, false, { until: NOW + BREAKER_BASE_COOLDOWN_MS, cooldownMs: BREAKER_BASE_COOLDOWN_MS }],
    // Paused already (Retry-After, or opened by another node): in-flight failures change nothing.
    [{ failures: 9, cooldownMs: 0, pausedUntil: NOW + 10 }, false, null],
    [{ failures: 9, cooldownMs: 5000, pausedUntil: NOW + 10 }, false, null],
    // A failed probe reopens with a doubled cool-down, whatever the run.
    [{ failures: 1, cooldownMs: 5000, pausedUntil: NOW + 30_000 }, true, { until: NOW + 10_000, cooldownMs: 10_000 }],
    [{ failures: 1, cooldownMs: BREAKER_MAX_COOLDOWN_MS, pausedUntil: null }, true, { until: NOW + BREAKER_MAX_COOLDOWN_MS, cooldownMs: BREAKER_MAX_COOLDOWN_MS }],
  ])('after a failure with %o (probe %s): %o', (state, probe, expected) => {
    expect(breakerAfterFailure(state, probe, NOW)).toEqual(expected);
  });

  it.each([
    [{ failures: 0, cooldownMs: 0, pausedUntil: null }, false],
    [{ failures: 0, cooldownMs: 5000, pausedUntil: NOW + 1 }, false],
    [{ failures: 0, cooldownMs: 5000, pausedUntil: NOW }, true],
    [{ failures: 0, cooldownMs: 5000, pausedUntil: null }, true],
  ])('half-open with %o: %s', (state, expected) => {
    expect(isHalfOpen(state, NOW)).toBe(expected);
  });
});

describe('AIMD concurrency', () => {
  it.each([
    [16, 8],
    [3, 1],
    [2, 1],
    [1, 1],
  ])('a 429 without Retry-After at %i in flight leaves %i', (current, halved) => {
    expect(halvedConcurrency(current)).toBe(halved);
  });

  it.each([
    [4, 19, 16, undefined],
    [4, 20, 16, 5],
    [15, 20, 16, null],
    [1, 20, 2, null],
  ])('at %i after %i successes (maximum %i): %s', (limit, successes, maximum, raised) => {
    expect(raisedConcurrency(limit, successes, maximum)).toBe(raised);
  });
});

describe('endpointStateView', () => {
  const normal = { pausedUntil: null, pauseReason: null, concurrencyLimit: null };

  it('is paused only while the pause lasts', () => {
    expect(endpointStateView({ ...normal, pausedUntil: NOW + 5, pauseReason: '5 consecutive failures' }, NOW, 16)).toEqual({
      mode: 'paused',
      until: NOW + 5,
      reason: '5 consecutive failures',
      concurrency: 16,
    });
    expect(endpointStateView({ ...normal, pausedUntil: NOW, pauseReason: 'x' }, NOW, 16)).toEqual({ mode: 'normal', until: null, reason: null, concurrency: 16 });
    expect(endpointStateView(normal, NOW, 4).concurrency).toBe(4);
  });

  it('is throttled while the concurrency is below the configured maximum', () => {
    expect(endpointStateView({ ...normal, concurrencyLimit: 8 }, NOW, 16)).toEqual({ mode: 'throttled', until: null, reason: '429 without Retry-After', concurrency: 8 });
    // A maximum lowered since: never above it, and no longer throttled.
    expect(endpointStateView({ ...normal, concurrencyLimit: 8 }, NOW, 4)).toEqual({ mode: 'normal', until: null, reason: null, concurrency: 4 });
    expect(endpointStateView({ ...normal, concurrencyLimit: 8, pausedUntil: NOW + 1, pauseReason: 'x' }, NOW, 16).mode).toBe('paused');
  });
});
