// The soak's arithmetic on one series of per-minute values: its trend (a least-squares line,
// minute by minute), and whether that trend is flat — too small to tell from the series' own
// scatter, or too small to matter.

export interface Trend {
  /** Change per minute of the least-squares line. */
  slopePerMinute: number;
  /** Standard error of that slope (NaN below three points: a line through two has no scatter). */
  standardError: number;
  mean: number;
  points: number;
}

/** The least-squares line through (0, values[0]), (1, values[1]), …; non-finite values are left out. */
export function trendOf(values: ReadonlyArray<number | null>): Trend {
  const points = values.flatMap((value, minute) => (value === null || !Number.isFinite(value) ? [] : [[minute, value] as const]));
  const n = points.length;
  if (n === 0) return { slopePerMinute: NaN, standardError: NaN, mean: NaN, points: 0 };
  const meanX = points.reduce((sum, [x]) => sum + x, 0) / n;
  const meanY = points.reduce((sum, [, y]) => sum + y, 0) / n;
  const sxx = points.reduce((sum, [x]) => sum + (x - meanX) ** 2, 0);
  if (sxx === 0) return { slopePerMinute: NaN, standardError: NaN, mean: meanY, points: n };
  const slope = points.reduce((sum, [x, y]) => sum + (x - meanX) * (y - meanY), 0) / sxx;
  const residuals = points.reduce((sum, [x, y]) => sum + (y - (meanY + slope * (x - meanX))) ** 2, 0);
  const standardError = n > 2 ? Math.sqrt(residuals / (n - 2) / sxx) : NaN;
  return { slopePerMinute: slope, standardError, mean: meanY, points: n };
}

/**
 * A trend is flat when its slope is within two standard errors of zero (the scatter of the
 * minutes explains it), or when the line moves less than `materialShare` of the mean over the
 * whole span (a real but negligible drift, which a very steady series would otherwise fail on).
 * Null when there are too few points to judge (fewer than three).
 */
export function isFlat(trend: Trend, materialShare = 0.05): boolean | null {
  if (trend.points < 3 || !Number.isFinite(trend.standardError)) return null;
  const withinNoise = Math.abs(trend.slopePerMinute) <= 2 * trend.standardError;
  const drift = Math.abs(trend.slopePerMinute) * (trend.points - 1);
  const negligible = drift <= materialShare * Math.abs(trend.mean);
  return withinNoise || negligible;
}

export interface Spread {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** p50, p90, p99 and max of samples (NaN when there are none). */
export function spreadOf(samples: readonly number[]): Spread {
  if (samples.length === 0) return { count: 0, p50: NaN, p90: NaN, p99: NaN, max: NaN };
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (fraction: number) => sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))]!;
  return { count: sorted.length, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: sorted[sorted.length - 1]! };
}
