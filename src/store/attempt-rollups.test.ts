import { describe, expect, it } from 'vitest';
import { LATENCY_BUCKETS, latencyBucketOf } from '../domain/latency-histogram.js';
import { attemptRollups, foldRollupSums, LATENCY_COLUMNS, rollupUpdates, windowBesideSeries, type RollupSumRow } from './attempt-rollups.js';
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

describe('a stats window read beside a series', () => {
  const HOUR = 3_600_000;
  const series = { since: 10 * HOUR, until: 34 * HOUR + 5 * 60_000, bucketMs: HOUR };

  it('reads the minutes before the first bucket it covers whole, and takes the buckets from there', () => {
    // A day ago, 55 minutes before the series begins: those minutes alone, then every bucket.
    expect(windowBesideSeries(10 * HOUR - 55 * 60_000, series)).toEqual({ readUntil: 10 * HOUR, firstBucket: 0 });
    // An hour ago, inside the hour that began at 33 h: its last minutes alone, then the current hour's bucket.
    expect(windowBesideSeries(33 * HOUR + 5 * 60_000, series)).toEqual({ readUntil: 34 * HOUR, firstBucket: 24 });
    // On a bucket's start: nothing alone.
    expect(windowBesideSeries(20 * HOUR, series)).toEqual({ readUntil: 20 * HOUR, firstBucket: 10 });
    // Inside the last, partial bucket: read alone up to the series' end.
    expect(windowBesideSeries(34 * HOUR + 60_000, series)).toEqual({ readUntil: series.until, firstBucket: 25 });
  });

  it('reads alone without a series or from its end on', () => {
    expect(windowBesideSeries(5 * HOUR, null)).toEqual({ readUntil: null, firstBucket: null });
    expect(windowBesideSeries(series.until, series)).toEqual({ readUntil: null, firstBucket: null });
  });
});

describe('rollup sums folded', () => {
  const row = (total: number, succeeded: number, minMs: number | null, maxMs: number | null, first: number): RollupSumRow => {
    const sums: RollupSumRow = { total, succeeded, min_ms: minMs, max_ms: maxMs };
    LATENCY_COLUMNS.forEach((column, i) => (sums[column] = i === 0 ? first : 1));
    return sums;
  };
  const empty: RollupSumRow = { total: null, succeeded: null, min_ms: null, max_ms: null };

  it('adds the counters and keeps the smallest and the largest, skipping empty sums', () => {
    const folded = foldRollupSums([row(3, 2, 7, 40, 2), empty, row(5, 5, 4, 30, 1)]);
    expect(folded.total).toBe(8);
    expect(folded.succeeded).toBe(7);
    expect(folded.min_ms).toBe(4);
    expect(folded.max_ms).toBe(40);
    expect(folded[LATENCY_COLUMNS[0]!]).toBe(3);
    expect(folded[LATENCY_COLUMNS[LATENCY_COLUMNS.length - 1]!]).toBe(2);
  });

  it('folds nothing into zero counts and no extremes', () => {
    const folded = foldRollupSums([empty]);
    expect([folded.total, folded.succeeded, folded.min_ms, folded.max_ms]).toEqual([0, 0, null, null]);
    expect(LATENCY_COLUMNS.every((column) => folded[column] === 0)).toBe(true);
  });
});
