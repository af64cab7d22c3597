import { describe, expect, it } from 'vitest';
import { LATENCY_BUCKETS, latencyBucketOf } from '../domain/latency-histogram.js';
import { attemptRollups, LATENCY_COLUMNS, rollupUpdates } from './attempt-rollups.js';
import type { AttemptRecord } from './store.js';

const T0 = 1_800_000_000_000;

function record(endpointId: string | null, startedAt: number, statusCode: number | null, durationMs: number, withAttempt = true): AttemptRecord {
  return {
    deliveryId: `dlv_${startedAt}`,
    endpointId,
    leaseOwner: 'w',
    attempt: withAttempt
      ? { id: `att_${startedAt}`, deliveryId: `dlv_${startedAt}`, startedAt, durationMs, statusCode, error: null, requestHeaders: {}, responseHeaders: {}, responseBody: null }
      : null,
    status: 'succeeded',
    nextAttemptAt: null,
    completedAt: startedAt,
    lastStatusCode: statusCode,
    lastError: null,
    disableEndpoint: null,
  };
}

function latency(...durations: number[]): number[] {
  const counts = new Array<number>(LATENCY_BUCKETS).fill(0);
  for (const d of durations) counts[latencyBucketOf(d)]! += 1;
  return counts;
}

describe('attempt rollups of a batch', () => {
  it('sums attempts per endpoint and minute of start, ordered by endpoint then minute', () => {
    const rollups = attemptRollups([
      record('ep_b', T0 + 5, 200, 12),
      record('ep_a', T0 + 60_000, 503, 400),
      record('ep_a', T0 + 59_999, 204, 3),
      record('ep_a', T0, null, 30_000), // no answer: a failure
      record('ep_b', T0 + 7, 299, 2),
      record(null, T0, 200, 1), // a callback URL: no endpoint, no stats
      record('ep_a', T0, 200, 1, false), // ended without an attempt
    ]);
    expect(rollups).toEqual([
      { endpointId: 'ep_a', minuteStart: T0, total: 2, succeeded: 1, minMs: 3, maxMs: 30_000, latency: latency(3, 30_000) },
      { endpointId: 'ep_a', minuteStart: T0 + 60_000, total: 1, succeeded: 0, minMs: 400, maxMs: 400, latency: latency(400) },
      { endpointId: 'ep_b', minuteStart: T0, total: 2, succeeded: 2, minMs: 2, maxMs: 12, latency: latency(12, 2) },
    ]);
  });

  it('is empty for a batch without endpoint attempts', () => {
    expect(attemptRollups([record(null, T0, 200, 1), record('ep_a', T0, 200, 1, false)])).toEqual([]);
  });

  it('names one column per latency bucket, and the upsert adds every counter and keeps the extremes', () => {
    expect(LATENCY_COLUMNS).toHaveLength(LATENCY_BUCKETS);
    expect(LATENCY_COLUMNS.slice(0, 2)).toEqual(['lt_1', 'lt_2']);
    expect(LATENCY_COLUMNS.at(-1)).toBe('ge_63000');
    const updates = rollupUpdates('least', 'greatest');
    expect(updates).toContain('total = endpoint_attempt_rollups.total + excluded.total');
    expect(updates).toContain('ge_63000 = endpoint_attempt_rollups.ge_63000 + excluded.ge_63000');
    expect(updates).toContain('min_ms = least(endpoint_attempt_rollups.min_ms, excluded.min_ms)');
    expect(updates).toContain('max_ms = greatest(endpoint_attempt_rollups.max_ms, excluded.max_ms)');
  });
});
