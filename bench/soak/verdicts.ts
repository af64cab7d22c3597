import type { Minute } from './minutes.js';
import { isFlat, spreadOf, trendOf, type Trend } from './series.js';

// The soak's end: the trend of each per-minute series, and the verdicts against issue 19's
// targets. A missed target is reported, not failed (like the rest of the bench); only a lost
// delivery means the run is broken.

/**
 * The series whose trend is computed. `worse` says which way a judged series degrades: only a
 * slope that way must be flat. A series settling after the warm-up (the heap after its first full
 * collections, bytes per delivery as the schema's fixed pages are shared by more rows) is not a
 * finding; one that climbs (or a rate that sinks) is.
 */
export const SERIES: ReadonlyArray<{ key: keyof Minute; worse?: 'up' | 'down' }> = [
  { key: 'rssMB', worse: 'up' },
  { key: 'heapUsedMB', worse: 'up' },
  { key: 'eventLoopP99Ms', worse: 'up' },
  // The database grows with what it stores, by design: its size per delivery is what must not.
  { key: 'databaseMB' },
  { key: 'walMB' },
  { key: 'bytesPerDelivery', worse: 'up' },
  { key: 'eventsPerSecond', worse: 'down' },
  { key: 'deliveriesPerSecond', worse: 'down' },
  // Attempts include retries to the failing endpoints, which come in waves of their schedule.
  { key: 'attemptsPerSecond' },
  { key: 'firstAttemptP50Ms', worse: 'up' },
  { key: 'firstAttemptP90Ms', worse: 'up' },
  { key: 'firstAttemptP99Ms', worse: 'up' },
  { key: 'apiReadP50Ms', worse: 'up' },
  { key: 'apiReadP99Ms', worse: 'up' },
  { key: 'postgresCpuMicrosPerAttempt', worse: 'up' },
  { key: 'deadTuples', worse: 'up' },
  // Not hookd's to judge: the machine's share in hookd's latency (its event loop waiting for a core).
  { key: 'hookdWaitPercent' },
  // Nor the host's: CPU it gave other guests (steal), which stalls hookd unseen by the line above.
  { key: 'stealPercent' },
  // How new deliveries reach the worker: shown with its slope, for reading the latency's.
  { key: 'handOffPercent' },
  // Not hookd's either: the bench's own event loop, which stamps and posts the load.
  { key: 'benchLoopP99Ms' },
];

export interface JudgedTrend extends Trend {
  /** Whether the series does not worsen: flat within noise, or moving the good way. Null when not judged, or too few minutes to judge. */
  steady: boolean | null;
}

export interface SeriesTrend extends JudgedTrend {
  series: keyof Minute;
  /**
   * The same over the later half of the judged minutes, for the reader only (the verdict stays on
   * the whole run): a series that rose while the backlog and the breakers settled and then stayed
   * level is worsening over the run and steady here; one that keeps climbing is worsening in both.
   */
  laterHalf: JudgedTrend;
}

/** Steady: flat, or any slope the good way; null when there are too few minutes to tell. */
export function isSteady(trend: Trend, worse: 'up' | 'down'): boolean | null {
  const flat = isFlat(trend);
  if (flat === null) return null;
  return flat || (worse === 'up' ? trend.slopePerMinute < 0 : trend.slopePerMinute > 0);
}

/** The first minute starts from a cold process (heap, caches, connection pools): trends start at the second, when there is one. */
export function trendsOf(minutes: readonly Minute[]): SeriesTrend[] {
  const judged = minutes.length > 1 ? minutes.slice(1) : minutes;
  const laterHalf = judged.slice(Math.floor(judged.length / 2));
  const judge = (values: ReadonlyArray<number | null>, worse: 'up' | 'down' | undefined): JudgedTrend => {
    const trend = trendOf(values);
    return { ...trend, steady: worse === undefined ? null : isSteady(trend, worse) };
  };
  return SERIES.flatMap(({ key, worse }) => {
    const values = judged.map((minute) => minute[key]);
    if (values.every((value) => value === null)) return [];
    return [{ series: key, ...judge(values, worse), laterHalf: judge(laterHalf.map((minute) => minute[key]), worse) }];
  });
}

/** What became of the accepted events' deliveries, counted at the end. */
export interface Accounting {
  eventsAccepted: number;
  /** Events stored, as hookd's database counts them. */
  eventsStored: number;
  /** Per healthy endpoint: distinct events it received, and how many it was owed (the accepted events of its types). */
  healthy: Array<{ received: number; owed: number }>;
  /** Per unhealthy endpoint (500, 429, hanging): deliveries stored for it, and how many it was owed. */
  unhealthy: Array<{ stored: number; owed: number }>;
  /** Requests received more than once by the healthy endpoints. */
  duplicates: number;
}

export interface Verdict {
  target: string;
  /** Null: not enough minutes to judge. */
  met: boolean | null;
  detail: string;
}

export const RSS_LIMIT_MB = 200;
export const EVENT_LOOP_LIMIT_MS = 50;
export const API_READ_LIMIT_MS = 50;

export function verdictsOf(minutes: readonly Minute[], trends: readonly SeriesTrend[], peakRssMB: number | null, apiReadsMs: readonly number[], accounting: Accounting): Verdict[] {
  const judged = trends.filter((trend) => SERIES.find((series) => series.key === trend.series)?.worse !== undefined);
  const worsening = judged.filter((trend) => trend.steady === false);
  const unjudged = judged.some((trend) => trend.steady === null);
  const worstRss = Math.max(peakRssMB ?? 0, ...minutes.map((minute) => minute.rssMB));
  const worstLoop = Math.max(...minutes.map((minute) => minute.eventLoopP99Ms));
  const api = spreadOf(apiReadsMs);
  const lost = lostDeliveries(accounting);
  return [
    {
      target: 'no series worsening (slope flat within noise)',
      met: worsening.length > 0 ? false : unjudged ? null : true,
      detail:
        worsening.length > 0 ? `worsening: ${worsening.map((trend) => trend.series).join(', ')}` : unjudged ? 'too few minutes to judge (needs 4)' : `${judged.length} series steady`,
    },
    { target: `hookd RSS < ${RSS_LIMIT_MB} MB throughout`, met: worstRss < RSS_LIMIT_MB, detail: `peak ${worstRss.toFixed(0)} MB` },
    {
      target: `event-loop delay p99 < ${EVENT_LOOP_LIMIT_MS} ms every minute`,
      met: worstLoop < EVENT_LOOP_LIMIT_MS,
      detail: `worst minute ${worstLoop.toFixed(1)} ms`,
    },
    { target: `API reads p99 < ${API_READ_LIMIT_MS} ms`, met: api.p99 < API_READ_LIMIT_MS, detail: `p99 ${api.p99.toFixed(1)} ms over ${api.count} reads` },
    { target: 'nothing lost', met: lost.length === 0, detail: lost.length === 0 ? `${accounting.eventsAccepted} events, every delivery accounted for` : lost.join('; ') },
  ];
}

/** Why deliveries are missing, one line per kind of loss; empty when nothing was lost. */
export function lostDeliveries(accounting: Accounting): string[] {
  const lost: string[] = [];
  const { eventsAccepted: accepted } = accounting;
  if (accounting.eventsStored < accepted) lost.push(`${accepted - accounting.eventsStored} accepted events not stored`);
  const shortHealthy = accounting.healthy.filter((endpoint) => endpoint.received < endpoint.owed);
  if (shortHealthy.length > 0) {
    const missing = shortHealthy.reduce((sum, endpoint) => sum + endpoint.owed - endpoint.received, 0);
    lost.push(`${missing} deliveries had not reached ${shortHealthy.length} healthy endpoints by the end of the drain`);
  }
  const shortUnhealthy = accounting.unhealthy.filter((endpoint) => endpoint.stored < endpoint.owed);
  if (shortUnhealthy.length > 0) {
    const missing = shortUnhealthy.reduce((sum, endpoint) => sum + endpoint.owed - endpoint.stored, 0);
    lost.push(`${missing} deliveries to failing endpoints not recorded`);
  }
  return lost;
}
