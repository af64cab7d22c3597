import { describe, expect, it } from 'vitest';
import { LATENCY_BUCKETS, latencyBucketOf } from '../domain/latency-histogram.js';
import { attemptRollups, foldRollupSums, LATENCY_COLUMNS, rollupUpdates, statsGrouping, statsOfGroups, type RollupSumRow, type StatsGroup } from './attempt-rollups.js';
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

describe('how the stats read groups the rows', () => {
  const HOUR = 3_600_000;
  const MINUTE = 60_000;
  const series = { since: 10 * HOUR, until: 34 * HOUR + 5 * MINUTE, bucketMs: HOUR };

  it('keeps apart the minutes of each bucket a window starts inside, from the minute holding its start', () => {
    // A day ago, before the series: those minutes are apart anyway. An hour ago, inside the bucket of 33 h.
    const grouping = statsGrouping([34 * HOUR + 5 * MINUTE + 30_000 - HOUR, 10 * HOUR - 55 * MINUTE], series);
    expect(grouping).toEqual({ from: 10 * HOUR - 55 * MINUTE, since: 10 * HOUR, until: series.until, bucketMs: HOUR, splitBuckets: [[33 * HOUR, 34 * HOUR], [0, 0]] });
    // On a bucket's start, or from the series' end on: nothing to split.
    expect(statsGrouping([20 * HOUR, series.until], series).splitBuckets).toEqual([[0, 0], [0, 0]]);
    // Inside the last, partial bucket: that bucket.
    expect(statsGrouping([34 * HOUR + MINUTE], series).splitBuckets).toEqual([[34 * HOUR, 35 * HOUR]]);
  });

  it('answers every window from whole groups and every bucket from its groups, the same as from the minutes', () => {
    // Rows of one attempt each at minutes across the day, some in the bucket a window splits.
    const minutes = [10 * HOUR - 50 * MINUTE, 10 * HOUR + MINUTE, 20 * HOUR + 7 * MINUTE, 33 * HOUR + 2 * MINUTE, 33 * HOUR + 40 * MINUTE, 34 * HOUR + 3 * MINUTE];
    const row = (start: number, byMinute: number, count: number): StatsGroup => {
      const sums: StatsGroup = { start, by_minute: byMinute, total: count, succeeded: count, min_ms: 5, max_ms: 5 };
      LATENCY_COLUMNS.forEach((column) => (sums[column] = column === 'lt_6' ? count : 0));
      return sums;
    };
    const hourAgo = 33 * HOUR + 30 * MINUTE + 10_000;
    const grouping = statsGrouping([hourAgo, 10 * HOUR - 55 * MINUTE], series);
    // What the statement returns: apart where the grouping says, else summed by bucket.
    const apart = (m: number) => m < grouping.since || m >= grouping.until || grouping.splitBuckets.some(([a, b]) => m >= a && m < b);
    const groups = new Map<string, StatsGroup>();
    for (const m of minutes) {
      const start = apart(m) ? m : series.since + Math.floor((m - series.since) / HOUR) * HOUR;
      const key = `${start}/${apart(m) ? 1 : 0}`;
      const group = groups.get(key);
      groups.set(key, group === undefined ? row(start, apart(m) ? 1 : 0, 1) : row(start, group.by_minute, Number(group.total) + 1));
    }
    const stats = statsOfGroups([...groups.values()], [hourAgo, 10 * HOUR - 55 * MINUTE], series);
    // The hour: 33:40 and 34:03 (33:02 is before its first minute, 33:30).
    expect(stats.windows[0]!.attempts).toEqual({ total: 2, succeeded: 2, failed: 0 });
    expect(stats.windows[1]!.attempts.total).toBe(6);
    expect(stats.windows[1]!.latencyMs.p50).toBe(5);
    // Buckets with attempts: 10 h, 20 h, 33 h (two minutes, summed), 34 h.
    expect(stats.series.map((bucket) => [bucket.start, bucket.total])).toEqual([
      [10 * HOUR, 1],
      [20 * HOUR, 1],
      [33 * HOUR, 2],
      [34 * HOUR, 1],
    ]);
    // Without a series, every window from the minutes, and no buckets.
    expect(statsOfGroups(minutes.map((m) => row(m, 1, 1)), [hourAgo], null)).toMatchObject({ windows: [{ attempts: { total: 2 } }], series: [] });
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
