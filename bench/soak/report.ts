import type { SoakFigures } from '../scenarios/soak.js';
import type { Minute } from './minutes.js';

// The soak's table on stdout: one row per minute, then each series' trend, then the verdicts.

const COLUMNS: ReadonlyArray<{ key: keyof Minute; header: string; digits: number }> = [
  { key: 'minute', header: 'min', digits: 0 },
  { key: 'rssMB', header: 'RSS MB', digits: 0 },
  { key: 'heapUsedMB', header: 'heap MB', digits: 0 },
  { key: 'eventLoopP99Ms', header: 'loop p99 ms', digits: 1 },
  { key: 'databaseMB', header: 'db MB', digits: 1 },
  { key: 'walMB', header: 'WAL MB', digits: 1 },
  { key: 'bytesPerDelivery', header: 'B/delivery', digits: 0 },
  { key: 'eventsPerSecond', header: 'events/s', digits: 0 },
  { key: 'deliveriesPerSecond', header: 'deliv/s', digits: 0 },
  { key: 'attemptsPerSecond', header: 'attempts/s', digits: 0 },
  { key: 'firstAttemptP50Ms', header: '1st p50 ms', digits: 1 },
  { key: 'firstAttemptP90Ms', header: '1st p90 ms', digits: 1 },
  { key: 'firstAttemptP99Ms', header: '1st p99 ms', digits: 1 },
  { key: 'apiReadP50Ms', header: 'read p50 ms', digits: 1 },
  { key: 'apiReadP99Ms', header: 'read p99 ms', digits: 1 },
  { key: 'postgresCpuMicrosPerAttempt', header: 'PG µs/attempt', digits: 0 },
  { key: 'deadTuples', header: 'dead tuples', digits: 0 },
  { key: 'autovacuums', header: 'vacuums', digits: 0 },
  { key: 'hookdCpuPercent', header: 'hookd CPU %', digits: 0 },
  { key: 'serverCpuPercent', header: 'PG CPU %', digits: 0 },
  { key: 'machineCpuPercent', header: 'machine CPU %', digits: 0 },
  { key: 'stealPercent', header: 'steal %', digits: 1 },
  { key: 'hookdWaitPercent', header: 'hookd waits %', digits: 1 },
  { key: 'handOffPercent', header: 'handed over %', digits: 1 },
  { key: 'benchLoopP99Ms', header: 'bench loop p99 ms', digits: 1 },
];

function cell(value: number | null, digits: number): string {
  return value === null || !Number.isFinite(value) ? 'n/a' : value.toFixed(digits);
}

function precise(value: number, digits: number): string {
  return Number.isFinite(value) ? value.toPrecision(digits) : 'n/a';
}

/** Columns of equal width: the first (a name) left-aligned, the others (numbers) right-aligned unless `left`. */
function aligned(rows: string[][], left = false): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  return rows.map((row) => row.map((text, i) => (i === 0 || left ? text.padEnd(widths[i]!) : text.padStart(widths[i]!))).join('  ').trimEnd());
}

export function soakTable(title: string, figures: SoakFigures): string {
  // PostgreSQL's columns are left out on SQLite, where every minute has none.
  const columns = COLUMNS.filter((column) => figures.series.some((minute) => minute[column.key] !== null));
  const perMinute = aligned([columns.map((column) => column.header), ...figures.series.map((minute) => columns.map((column) => cell(minute[column.key], column.digits)))]);
  const steadiness = (steady: boolean | null) => (steady === null ? '' : steady ? 'yes' : 'NO');
  const trends = aligned([
    ['series', 'slope/min', '± SE', 'mean', 'steady', 'later half: slope/min', '± SE', 'steady'],
    ...figures.trends.map((trend) => [
      trend.series,
      precise(trend.slopePerMinute, 3),
      precise(trend.standardError, 2),
      precise(trend.mean, 4),
      steadiness(trend.steady),
      precise(trend.laterHalf.slopePerMinute, 3),
      precise(trend.laterHalf.standardError, 2),
      steadiness(trend.laterHalf.steady),
    ]),
  ]);
  const verdicts = aligned([
    ['target', 'result', ''],
    ...figures.verdicts.map((verdict) => [verdict.target, verdict.met === null ? 'not judged' : verdict.met ? 'met' : 'MISSED', verdict.detail]),
  ], true);
  const reads = Object.entries(figures.apiReadMsByKind).map(([kind, spread]) => `${kind} ${cell(spread.p50, 1)} / ${cell(spread.p99, 1)} ms`);
  const { accounting } = figures;
  const totals =
    `${accounting.eventsAccepted.toLocaleString('en-US')} events accepted at ${figures.ratePerSecond}/s` +
    `${figures.skipped > 0 ? `, ${figures.skipped} not sent (hookd behind)` : ''}${figures.refused > 0 ? `, ${figures.refused} refused` : ''}` +
    `; ${accounting.duplicates} duplicate deliveries; ${figures.apiReadMs.count} dashboard reads`;
  return [title, '', ...perMinute, '', 'Trends (from the second minute on; the later half, for the reader, from its middle on):', ...trends, '', totals, `Dashboard reads p50 / p99: ${reads.join(', ')}`, '', ...verdicts].join('\n');
}
