import { histogramPercentile, LATENCY_BOUNDS_MS, LATENCY_BUCKETS, latencyBucketOf } from '../domain/latency-histogram.js';
import type { AttemptBucket, AttemptRecord, EndpointStats, EndpointStatsQuery } from './store.js';

// Endpoint stats come from rollups: per endpoint and minute, the attempts' counts and a latency
// histogram (table endpoint_attempt_rollups, migration 0010). A batch of attempt results is folded
// here in memory first, so recording it writes each (endpoint, minute) once, in the same
// transaction as the attempts; reading stats then sums at most a day of minutes, however long the
// history kept.

export const ROLLUP_MINUTE_MS = 60_000;

/** The histogram's columns, in bucket order: `lt_<bound>` for each bound, `ge_<last bound>` for the rest. */
export const LATENCY_COLUMNS: readonly string[] = [
  ...LATENCY_BOUNDS_MS.map((bound) => `lt_${bound}`),
  `ge_${LATENCY_BOUNDS_MS[LATENCY_BOUNDS_MS.length - 1]!}`,
];

/** One endpoint's attempts of one minute in one batch: what is added to its rollup row. */
export interface AttemptRollup {
  endpointId: string;
  minuteStart: number;
  total: number;
  succeeded: number;
  minMs: number;
  maxMs: number;
  /** Attempts per latency bucket (LATENCY_COLUMNS order). */
  latency: number[];
}

export function minuteOf(at: number): number {
  return Math.floor(at / ROLLUP_MINUTE_MS) * ROLLUP_MINUTE_MS;
}

/**
 * The batch's attempts summed per (endpoint, minute of start), ordered by endpoint then minute
 * (batches written side by side then lock rollup rows in one order). Attempts without an endpoint
 * (callback URLs) have no stats.
 */
export function attemptRollups(records: readonly AttemptRecord[]): AttemptRollup[] {
  const rollups = new Map<string, AttemptRollup>();
  for (const { attempt, endpointId } of records) {
    if (attempt === null || endpointId === null) continue;
    const minuteStart = minuteOf(attempt.startedAt);
    const key = `${endpointId}\u0000${minuteStart}`;
    let rollup = rollups.get(key);
    if (rollup === undefined) {
      rollup = { endpointId, minuteStart, total: 0, succeeded: 0, minMs: attempt.durationMs, maxMs: attempt.durationMs, latency: new Array<number>(LATENCY_BUCKETS).fill(0) };
      rollups.set(key, rollup);
    }
    rollup.total += 1;
    if (isSuccess(attempt.statusCode)) rollup.succeeded += 1;
    rollup.minMs = Math.min(rollup.minMs, attempt.durationMs);
    rollup.maxMs = Math.max(rollup.maxMs, attempt.durationMs);
    rollup.latency[latencyBucketOf(attempt.durationMs)]! += 1;
  }
  return [...rollups.values()].sort((a, b) =>
    a.endpointId < b.endpointId ? -1 : a.endpointId > b.endpointId ? 1 : a.minuteStart - b.minuteStart,
  );
}

/** Success as the stats count it: a 2xx answer. */
function isSuccess(statusCode: number | null): boolean {
  return statusCode !== null && statusCode >= 200 && statusCode < 300;
}

/** Rollup rows summed over some minutes, as the read statements return them (null when no row matched). */
export interface RollupSumRow {
  total: number | null;
  succeeded: number | null;
  min_ms: number | null;
  max_ms: number | null;
  [latencyColumn: string]: number | null;
}

/** `sum(lt_1) AS lt_1, …`: the histogram columns summed, for the read statements. */
export const SUMMED_LATENCY = LATENCY_COLUMNS.map((column) => `sum(${column}) AS ${column}`).join(', ');

function histogramOf(row: RollupSumRow): { counts: number[]; minMs: number; maxMs: number } {
  return {
    counts: LATENCY_COLUMNS.map((column) => Number(row[column] ?? 0)),
    minMs: Number(row.min_ms ?? 0),
    maxMs: Number(row.max_ms ?? 0),
  };
}

/** Rows of sums added up: counters summed, the smallest and largest kept (a row of nulls, an empty sum, adds nothing). */
export function foldRollupSums(sums: readonly RollupSumRow[]): RollupSumRow {
  const folded: RollupSumRow = { total: 0, succeeded: 0, min_ms: null, max_ms: null };
  for (const column of ADDED_COLUMNS) folded[column] = 0;
  for (const row of sums) {
    for (const column of ADDED_COLUMNS) folded[column] = folded[column]! + Number(row[column] ?? 0);
    if (row.min_ms !== null) folded.min_ms = folded.min_ms === null ? Number(row.min_ms) : Math.min(folded.min_ms, Number(row.min_ms));
    if (row.max_ms !== null) folded.max_ms = folded.max_ms === null ? Number(row.max_ms) : Math.max(folded.max_ms, Number(row.max_ms));
  }
  return folded;
}

/**
 * How the stats read groups an endpoint's rollup rows, so that one statement summing each row once
 * answers every window and the series: rows are summed by series bucket, except the minutes that
 * must stay apart, returned one by one — those before the series and from its end on, and those of
 * each bucket a window starts inside (a window is then a sum of whole groups, and that bucket the
 * sum of its minutes). Without a series every minute stays apart.
 */
export interface StatsGrouping {
  /** The first minute read: the earliest window's, or the series' start when it is earlier. */
  from: number;
  /** Series buckets as [since, until) by bucketMs; without a series, a stand-in under which every minute is apart. */
  since: number;
  until: number;
  bucketMs: number;
  /** One per window: the bucket it starts inside, [start, end), or an empty range. */
  splitBuckets: Array<[number, number]>;
}

export function statsGrouping(windowStarts: readonly number[], series: EndpointStatsQuery['series']): StatsGrouping {
  const froms = windowStarts.map(minuteOf);
  const from = Math.min(...froms, series?.since ?? Number.MAX_SAFE_INTEGER);
  if (series === null) return { from, since: Number.MAX_SAFE_INTEGER, until: Number.MAX_SAFE_INTEGER, bucketMs: ROLLUP_MINUTE_MS, splitBuckets: froms.map(() => [0, 0]) };
  const splitBuckets = froms.map((windowFrom): [number, number] => {
    if (windowFrom <= series.since || windowFrom >= series.until) return [0, 0];
    const start = series.since + Math.floor((windowFrom - series.since) / series.bucketMs) * series.bucketMs;
    return start === windowFrom ? [0, 0] : [start, start + series.bucketMs];
  });
  return { from, since: series.since, until: series.until, bucketMs: series.bucketMs, splitBuckets };
}

/** A group the stats read returns: one minute (`by_minute` 1), or the rest of a series bucket from `start`. */
export type StatsGroup = RollupSumRow & { start: number; by_minute: number };

/** The windows (from the minute holding each start) and the series' buckets with attempts, from the groups. */
export function statsOfGroups(
  groups: readonly StatsGroup[],
  windowStarts: readonly number[],
  series: EndpointStatsQuery['series'],
): { windows: EndpointStats[]; series: AttemptBucket[] } {
  const windows = windowStarts.map((since) => {
    const from = minuteOf(since);
    return toEndpointStats(foldRollupSums(groups.filter((group) => Number(group.start) >= from)));
  });
  if (series === null) return { windows, series: [] };
  const byBucket = new Map<number, StatsGroup[]>();
  for (const group of groups) {
    const start = Number(group.start);
    if (start < series.since || start >= series.until) continue;
    const bucket = Math.floor((start - series.since) / series.bucketMs);
    const inBucket = byBucket.get(bucket);
    if (inBucket === undefined) byBucket.set(bucket, [group]);
    else inBucket.push(group);
  }
  const buckets = [...byBucket].sort((a, b) => a[0] - b[0]);
  return { windows, series: buckets.map(([bucket, inIt]) => toAttemptBucket({ ...foldRollupSums(inIt), bucket }, series.since, series.bucketMs)) };
}

export function toEndpointStats(row: RollupSumRow | undefined): EndpointStats {
  const total = Number(row?.total ?? 0);
  const succeeded = Number(row?.succeeded ?? 0);
  const histogram = row === undefined ? null : histogramOf(row);
  const percentile = (fraction: number): number | null => (histogram === null ? null : histogramPercentile(histogram, fraction));
  return {
    attempts: { total, succeeded, failed: total - succeeded },
    latencyMs: { p50: percentile(0.5), p90: percentile(0.9), p99: percentile(0.99) },
  };
}

export function toAttemptBucket(row: RollupSumRow & { bucket: number }, since: number, bucketMs: number): AttemptBucket {
  const histogram = histogramOf(row);
  return {
    start: since + Number(row.bucket) * bucketMs,
    total: Number(row.total),
    succeeded: Number(row.succeeded),
    // A bucket row exists only with attempts, so its percentiles exist.
    latencyMs: { p50: histogramPercentile(histogram, 0.5)!, p99: histogramPercentile(histogram, 0.99)! },
  };
}

/** The counters a rollup adds to its row, in statement order: total, succeeded, then the histogram. */
export const ADDED_COLUMNS: readonly string[] = ['total', 'succeeded', ...LATENCY_COLUMNS];

/** The upsert's SET list: counters added, smallest and largest kept (`least`/`greatest` being each dialect's words). */
export function rollupUpdates(least: string, greatest: string): string {
  const table = 'endpoint_attempt_rollups';
  return [
    ...ADDED_COLUMNS.map((column) => `${column} = ${table}.${column} + excluded.${column}`),
    `min_ms = ${least}(${table}.min_ms, excluded.min_ms)`,
    `max_ms = ${greatest}(${table}.max_ms, excluded.max_ms)`,
  ].join(', ');
}
