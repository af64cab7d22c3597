// Attempt durations kept as counts in fixed latency buckets, so that endpoint stats read a few
// counters per minute instead of every attempt. Percentiles come from the counts: each bucket
// stands for the middle of its range, which keeps a percentile within 14 % of the nearest-rank
// duration (exact below 10 ms, where every millisecond has its own bucket), and never outside
// the durations actually seen (the smallest and largest are kept beside the counts).

/**
 * Upper bounds (exclusive, ms) of the latency buckets; one more bucket holds everything from the
 * last bound up. 1 ms apart below 10 ms, then about ten per decade (×1.25) up to 63 s, past the
 * longest endpoint timeout (60 s).
 */
export const LATENCY_BOUNDS_MS: readonly number[] = [
  1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
  13, 16, 20, 25, 32, 40, 50, 63, 80, 100,
  125, 160, 200, 250, 320, 400, 500, 630, 800, 1000,
  1250, 1600, 2000, 2500, 3200, 4000, 5000, 6300, 8000, 10_000,
  12_500, 16_000, 20_000, 25_000, 32_000, 40_000, 50_000, 63_000,
];

/** How many counters a histogram has: one per bound, and the open-ended last bucket. */
export const LATENCY_BUCKETS = LATENCY_BOUNDS_MS.length + 1;

/** The bucket a duration falls in. */
export function latencyBucketOf(durationMs: number): number {
  const index = LATENCY_BOUNDS_MS.findIndex((bound) => durationMs < bound);
  return index === -1 ? LATENCY_BOUNDS_MS.length : index;
}

/** Durations of some attempts: their count per bucket, and the smallest and largest. */
export interface LatencyHistogram {
  counts: number[];
  minMs: number;
  maxMs: number;
}

/**
 * The nearest-rank percentile (the duration at offset floor(fraction × n) of the sorted
 * durations, as endpoint stats always had it), read from the histogram: the middle of the bucket
 * that holds that offset, kept within the smallest and largest duration seen. Null when empty.
 */
export function histogramPercentile(histogram: LatencyHistogram, fraction: number): number | null {
  const total = histogram.counts.reduce((sum, n) => sum + n, 0);
  if (total === 0) return null;
  const offset = Math.min(total - 1, Math.floor(fraction * total));
  let seen = 0;
  let bucket = 0;
  for (; bucket < histogram.counts.length - 1; bucket++) {
    seen += histogram.counts[bucket]!;
    if (seen > offset) break;
  }
  return Math.min(histogram.maxMs, Math.max(histogram.minMs, middleOf(bucket, histogram.maxMs)));
}

/** The whole milliseconds a bucket holds, by their middle (rounded down); the last one by the largest seen. */
function middleOf(bucket: number, maxMs: number): number {
  if (bucket >= LATENCY_BOUNDS_MS.length) return maxMs;
  const low = bucket === 0 ? 0 : LATENCY_BOUNDS_MS[bucket - 1]!;
  const high = LATENCY_BOUNDS_MS[bucket]! - 1;
  return Math.floor((low + high) / 2);
}
