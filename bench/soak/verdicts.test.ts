import { describe, expect, it } from 'vitest';
import type { Minute } from './minutes.js';
import { trendOf } from './series.js';
import { isSteady, lostDeliveries, trendsOf, verdictsOf, type Accounting } from './verdicts.js';

function minute(n: number, overrides: Partial<Minute> = {}): Minute {
  return {
    minute: n,
    seconds: 60,
    rssMB: 150,
    heapUsedMB: 40,
    eventLoopP99Ms: 20,
    databaseMB: 10 * n,
    walMB: 4,
    bytesPerDelivery: 1500,
    eventsPerSecond: 300,
    deliveriesPerSecond: 4800,
    attemptsPerSecond: 4850,
    firstAttemptP50Ms: 5,
    firstAttemptP90Ms: 12,
    firstAttemptP99Ms: 30,
    firstAttempts: 288_000,
    apiReadP50Ms: 4,
    apiReadP99Ms: 12,
    apiReads: 48,
    postgresCpuMicrosPerAttempt: null,
    deadTuples: null,
    autovacuums: null,
    hookdCpuPercent: 60,
    serverCpuPercent: null,
    machineCpuPercent: 120,
    stealPercent: 2,
    hookdWaitPercent: 8,
    handOffPercent: 90,
    benchLoopP99Ms: 12,
    ...overrides,
  };
}

const steady = (count: number, overrides: (n: number) => Partial<Minute> = () => ({})) => Array.from({ length: count }, (_, i) => minute(i + 1, overrides(i + 1)));

const intact: Accounting = { eventsAccepted: 1000, eventsStored: 1000, healthy: [{ received: 500, owed: 500 }, { received: 250, owed: 250 }], unhealthy: [{ stored: 250, owed: 250 }], duplicates: 0 };

describe('trendsOf', () => {
  it('leaves the first (cold) minute out of every trend', () => {
    // A cold first minute far below the rest, then flat.
    const minutes = steady(5, (n) => ({ rssMB: n === 1 ? 60 : 150 }));
    const rss = trendsOf(minutes).find((trend) => trend.series === 'rssMB')!;
    expect(rss.points).toBe(4);
    expect(rss.slopePerMinute).toBe(0);
    expect(rss.steady).toBe(true);
  });

  it('computes but does not judge the database size, which grows with what is stored', () => {
    const size = trendsOf(steady(5)).find((trend) => trend.series === 'databaseMB')!;
    expect(size.slopePerMinute).toBeCloseTo(10, 10);
    expect(size.steady).toBeNull();
  });

  it('also fits the later half, where a rise that levelled off is flat; the verdict keeps the whole run', () => {
    // First attempts' p99 rises for the first half of the run, then stays level (what 30-minute soaks showed).
    const minutes = steady(13, (n) => ({ firstAttemptP99Ms: Math.min(10 + 3 * n, 30) }));
    const p99 = trendsOf(minutes).find((trend) => trend.series === 'firstAttemptP99Ms')!;
    expect(p99.steady).toBe(false);
    expect(p99.laterHalf).toMatchObject({ points: 6, slopePerMinute: 0, steady: true });
    expect(verdictsOf(minutes, trendsOf(minutes), 160, [5], intact)[0]!.met).toBe(false);
    // One that keeps climbing worsens in both.
    const climbing = trendsOf(steady(13, (n) => ({ firstAttemptP99Ms: 10 + 3 * n }))).find((trend) => trend.series === 'firstAttemptP99Ms')!;
    expect([climbing.steady, climbing.laterHalf.steady]).toEqual([false, false]);
  });

  it('has no trend for a series no minute has (PostgreSQL figures on SQLite)', () => {
    expect(trendsOf(steady(5)).map((trend) => trend.series)).not.toContain('deadTuples');
  });
});

describe('isSteady', () => {
  it('passes a flat series and one moving the good way, fails one moving the bad way', () => {
    expect(isSteady(trendOf([100, 100, 100, 100]), 'up')).toBe(true);
    expect(isSteady(trendOf([100, 80, 60, 40]), 'up')).toBe(true);
    expect(isSteady(trendOf([100, 80, 60, 40]), 'down')).toBe(false);
    expect(isSteady(trendOf([40, 60, 80, 100]), 'up')).toBe(false);
    expect(isSteady(trendOf([40, 60]), 'up')).toBeNull();
  });
});

describe('verdictsOf', () => {
  const verdict = (minutes: Minute[], target: string, peakRssMB: number | null = null, reads = [5, 10], accounting = intact) =>
    verdictsOf(minutes, trendsOf(minutes), peakRssMB, reads, accounting).find((v) => v.target.startsWith(target))!;

  it('meets every target in a steady run', () => {
    const minutes = steady(6);
    expect(verdictsOf(minutes, trendsOf(minutes), 160, [5, 10, 12], intact).map((v) => v.met)).toEqual([true, true, true, true, true]);
  });

  it('names the series that climbs', () => {
    const leaking = verdict(steady(6, (n) => ({ heapUsedMB: 40 + 10 * n })), 'no series worsening');
    expect(leaking.met).toBe(false);
    expect(leaking.detail).toBe('worsening: heapUsedMB');
  });

  it('names a rate that sinks, and lets one that settles lower (memory, bytes per delivery) pass', () => {
    const sinking = verdict(steady(6, (n) => ({ deliveriesPerSecond: 5000 - 300 * n })), 'no series worsening');
    expect(sinking.detail).toBe('worsening: deliveriesPerSecond');
    const settling = verdict(steady(6, (n) => ({ heapUsedMB: 60 - 3 * n, bytesPerDelivery: 3000 - 100 * n })), 'no series worsening');
    expect(settling.met).toBe(true);
  });

  it('does not judge the trends on too few minutes', () => {
    expect(verdict(steady(3), 'no series worsening').met).toBeNull();
  });

  it('misses RSS on the process peak even when every minute’s reading was under the limit', () => {
    expect(verdict(steady(4), 'hookd RSS', 230).met).toBe(false);
    expect(verdict(steady(4, (n) => ({ rssMB: n === 3 ? 210 : 150 })), 'hookd RSS').met).toBe(false);
  });

  it('misses the event loop when a single minute is over', () => {
    expect(verdict(steady(4, (n) => ({ eventLoopP99Ms: n === 2 ? 80 : 10 })), 'event-loop').met).toBe(false);
  });

  it('takes the API p99 over every read of the run', () => {
    const reads = [...Array.from({ length: 98 }, () => 5), 60, 70];
    expect(verdict(steady(4), 'API reads', null, reads).met).toBe(false);
  });

  it('misses "nothing lost" when a delivery is missing', () => {
    const lost = verdict(steady(4), 'nothing lost', null, [5], { ...intact, healthy: [{ received: 500, owed: 500 }, { received: 247, owed: 250 }] });
    expect(lost.met).toBe(false);
    expect(lost.detail).toBe('3 deliveries had not reached 1 healthy endpoints by the end of the drain');
  });
});

describe('lostDeliveries', () => {
  it('finds nothing lost when every delivery is accounted for, duplicates included', () => {
    expect(lostDeliveries({ ...intact, duplicates: 3 })).toEqual([]);
  });

  it('counts events not stored and deliveries to failing endpoints not recorded', () => {
    expect(lostDeliveries({ ...intact, eventsStored: 990, unhealthy: [{ stored: 240, owed: 250 }, { stored: 250, owed: 250 }, { stored: 245, owed: 250 }] })).toEqual([
      '10 accepted events not stored',
      '15 deliveries to failing endpoints not recorded',
    ]);
  });
});
