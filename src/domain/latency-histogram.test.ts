import { describe, expect, it } from 'vitest';
import { histogramPercentile, LATENCY_BOUNDS_MS, LATENCY_BUCKETS, latencyBucketOf, type LatencyHistogram } from './latency-histogram.js';

/** The histogram of some durations, as the rollups keep it. */
function histogramOf(durations: number[]): LatencyHistogram {
  const counts = new Array<number>(LATENCY_BUCKETS).fill(0);
  for (const d of durations) counts[latencyBucketOf(d)]! += 1;
  return { counts, minMs: Math.min(...durations), maxMs: Math.max(...durations) };
}

/** The nearest-rank percentile of the durations themselves (what the stats reported from raw attempts). */
function exactPercentile(durations: number[], fraction: number): number {
  const sorted = [...durations].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))]!;
}

describe('latency histogram', () => {
  it('puts each duration in the bucket below its upper bound, and everything from the last bound in the last bucket', () => {
    expect(
      [0, 1, 9, 10, 12, 13, 999, 1000, 62_999, 63_000, 600_000].map(latencyBucketOf),
    ).toEqual([0, 1, 9, 10, 10, 11, 29, 30, 47, 48, 48]);
    expect(LATENCY_BUCKETS).toBe(49);
    expect([...LATENCY_BOUNDS_MS].sort((a, b) => a - b)).toEqual(LATENCY_BOUNDS_MS);
  });

  it('has no percentile without durations', () => {
    expect(histogramPercentile({ counts: new Array<number>(LATENCY_BUCKETS).fill(0), minMs: 0, maxMs: 0 }, 0.5)).toBeNull();
  });

  it('is exact below 10 ms and for a single duration', () => {
    const durations = [0, 1, 1, 2, 3, 5, 8, 9, 9, 9];
    for (const fraction of [0.5, 0.9, 0.99]) {
      expect(histogramPercentile(histogramOf(durations), fraction)).toBe(exactPercentile(durations, fraction));
    }
    for (const d of [17, 450, 59_999, 70_000]) expect(histogramPercentile(histogramOf([d]), 0.5)).toBe(d);
  });

  it('stays within 14 % of the nearest-rank duration up to the longest timeout', () => {
    // Every duration from 10 ms to 63 s in a histogram that also holds a far smaller and a far
    // larger one, so that only the bucket's middle (not the clamp to what was seen) answers.
    let worst = 0;
    for (let d = 10; d < 63_000; d++) {
      const answer = histogramPercentile(histogramOf([0, d, 1_000_000]), 0.5)!;
      worst = Math.max(worst, Math.abs(answer - d) / d);
    }
    expect(worst).toBeLessThanOrEqual(0.14);
    expect(worst).toBeGreaterThan(0.1);
  });

  it('orders p50 ≤ p90 ≤ p99 and stays within the durations seen', () => {
    const durations = Array.from({ length: 500 }, (_, i) => (i * 7919) % 4000);
    const histogram = histogramOf(durations);
    const [p50, p90, p99] = [0.5, 0.9, 0.99].map((f) => histogramPercentile(histogram, f)!);
    expect(p50).toBeLessThanOrEqual(p90!);
    expect(p90).toBeLessThanOrEqual(p99!);
    expect(p99).toBeLessThanOrEqual(Math.max(...durations));
    for (const [fraction, answer] of [[0.5, p50], [0.9, p90], [0.99, p99]] as const) {
      expect(Math.abs(answer! - exactPercentile(durations, fraction)) / exactPercentile(durations, fraction)).toBeLessThanOrEqual(0.14);
    }
  });
});
