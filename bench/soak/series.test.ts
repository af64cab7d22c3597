import { describe, expect, it } from 'vitest';
import { isFlat, spreadOf, trendOf } from './series.js';

describe('trendOf', () => {
  it('finds the slope of a straight line exactly, with no scatter', () => {
    const trend = trendOf([10, 12, 14, 16]);
    expect(trend.slopePerMinute).toBeCloseTo(2, 10);
    expect(trend.standardError).toBeCloseTo(0, 10);
    expect(trend.mean).toBe(13);
    expect(trend.points).toBe(4);
  });

  it('fits the least-squares line through scattered points', () => {
    // y = 1 + x with residuals +1, -1, -1, +1: slope 1, intercept 1.
    const trend = trendOf([2, 1, 2, 5]);
    expect(trend.slopePerMinute).toBeCloseTo(1, 10);
    // residual sum of squares 4, n − 2 = 2, Sxx = 5: SE = sqrt(4 / 2 / 5).
    expect(trend.standardError).toBeCloseTo(Math.sqrt(0.4), 10);
  });

  it('leaves out minutes without a value, keeping the others at their minute', () => {
    const trend = trendOf([0, null, 2, NaN, 4]);
    expect(trend.slopePerMinute).toBeCloseTo(1, 10);
    expect(trend.points).toBe(3);
  });

  it('has no slope for fewer than two points', () => {
    expect(trendOf([]).points).toBe(0);
    expect(trendOf([5]).slopePerMinute).toBeNaN();
    expect(trendOf([5]).mean).toBe(5);
  });
});

describe('isFlat', () => {
  it('calls a slope within the scatter flat', () => {
    expect(isFlat(trendOf([100, 130, 90, 120, 95, 125]))).toBe(true);
  });

  it('calls a steady climb not flat', () => {
    expect(isFlat(trendOf([100, 120, 141, 160, 181, 200]))).toBe(false);
  });

  it('calls a real but negligible drift flat', () => {
    // 0.1 a minute on 1000 with no scatter: 0.05 % over the run.
    expect(isFlat(trendOf([1000, 1000.1, 1000.2, 1000.3]))).toBe(true);
  });

  it('does not judge fewer than three points', () => {
    expect(isFlat(trendOf([1, 50]))).toBeNull();
  });
});

describe('spreadOf', () => {
  it('gives the median, the 99th percentile and the maximum', () => {
    const samples = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(spreadOf(samples)).toEqual({ count: 100, p50: 51, p90: 91, p99: 100, max: 100 });
  });

  it('is NaN without samples', () => {
    expect(spreadOf([]).p99).toBeNaN();
  });
});
