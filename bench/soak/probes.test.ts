import { describe, expect, it } from 'vitest';
import { metricValue } from './probes.js';

const EXPOSITION = [
  '# HELP hookd_attempts_total HTTP attempts made by this node, by result.',
  '# TYPE hookd_attempts_total counter',
  'hookd_attempts_total{result="2xx"} 1200',
  'hookd_attempts_total{result="5xx"} 30',
  'hookd_attempts_total_extra 999',
  'process_resident_memory_bytes 157286400',
  'nodejs_eventloop_lag_p99_seconds 0.021',
  'hookd_worker_deliveries_taken_total{via="hand_off"} 70',
  'hookd_worker_deliveries_taken_total{via="claim"} 30',
].join('\n');

describe('metricValue', () => {
  it('sums every label set of a metric', () => {
    expect(metricValue(EXPOSITION, 'hookd_attempts_total')).toBe(1230);
  });

  it('reads an unlabelled sample, and not a metric whose name merely starts the same', () => {
    expect(metricValue(EXPOSITION, 'process_resident_memory_bytes')).toBe(157286400);
    expect(metricValue(EXPOSITION, 'nodejs_eventloop_lag_p99_seconds')).toBe(0.021);
  });

  it('reads one label set when asked for it', () => {
    expect(metricValue(EXPOSITION, 'hookd_worker_deliveries_taken_total{via="claim"}')).toBe(30);
    expect(metricValue(EXPOSITION, 'hookd_worker_deliveries_taken_total')).toBe(100);
  });

  it('is NaN for a metric with no sample', () => {
    expect(metricValue(EXPOSITION, 'nodejs_heap_size_used_bytes')).toBeNaN();
  });
});
