import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretBox } from '../../src/domain/secret-box.js';
import { minuteOf } from '../../src/store/attempt-rollups.js';
import type { SqlDb } from '../../src/store/dialect.js';
import { sharedEndpoints } from '../../src/store/shared/endpoints.js';
import { recording, type TableRead } from './plan-reads.js';

// Endpoint stats cost the same after a month as after a minute (issue 19): with a month of
// attempts stored (200,000 rows, inserted straight through SQL, then rolled up by migration 0010's
// backfill as on an upgraded install), every statement the stats read runs is planned by the
// database itself to read only the rollup table, and only the endpoint's minutes of the window —
// never the attempts. Each dialect's test file runs this with a small harness.

export interface HistoryHarness {
  /** A fresh, migrated database. */
  open(): Promise<HistoryDb>;
}

export interface HistoryDb {
  db: SqlDb;
  migrate(): Promise<void>;
  /** One INSERT … SELECT making `count` attempt rows from the integer `i` (0 ≤ i < count): see ATTEMPT_COLUMNS. */
  insertAttempts(count: number, now: number): Promise<void>;
  /** The tables a statement's plan reads, each with how (and, where the database counts it, how many rows). */
  tablesRead(sql: string, params: unknown[]): Promise<TableRead[]>;
  close(): Promise<void>;
}

/** The generated history: attempt i is to endpoint ep_(i % 4), 13 s before attempt i − 1, 10 % failures. */
export const ATTEMPTS = 200_000;
const SPACING_MS = 13_000;
const ENDPOINTS = 4;
const attemptOf = (i: number, now: number) => ({
  endpointId: `ep_${i % ENDPOINTS}`,
  startedAt: now - i * SPACING_MS,
  durationMs: (i * 37) % 2000,
  statusCode: i % 10 === 0 ? 500 : 200,
});
/**
 * The same, as SQL expressions of `i` for the harnesses' INSERT … SELECT (in the attempts' column
 * order: id, delivery_id, endpoint_id, started_at, duration_ms, status_code, request_headers, response_headers).
 */
export function attemptExpressions(now: number): string {
  return `'att_' || i, 'dlv_' || i, 'ep_' || (i % ${ENDPOINTS}), ${now} - i * ${SPACING_MS}, (i * 37) % 2000,
    CASE WHEN i % 10 = 0 THEN 500 ELSE 200 END, '{}', '{}'`;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** The nearest-rank percentile of raw durations: what the stats reported before rollups. */
function exactPercentile(durations: number[], fraction: number): number | null {
  if (durations.length === 0) return null;
  const sorted = [...durations].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))]!;
}

export function statsHistorySuite(name: string, harness: HistoryHarness): void {
  describe(`endpoint stats over a month of history: ${name}`, () => {
    // Mid-minute and mid-hour, so that the windows start inside a minute.
    const now = 1_800_000_000_000 + 30 * 60_000 + 17_000;
    let history: HistoryDb;
    beforeAll(async () => {
      history = await harness.open();
      // As an install from before 0010: no rollups yet, a month of attempts stored.
      await history.db.run('DROP TABLE endpoint_attempt_rollups');
      await history.db.run('DELETE FROM schema_migrations WHERE version = 10');
      await history.insertAttempts(ATTEMPTS, now);
      await history.migrate();
    }, 300_000);
    afterAll(async () => history?.close());

    it('reports from the backfilled rollups what the attempts say: counts equal, percentiles within 14 %', async () => {
      const { db } = recording(history.db);
      const endpoints = sharedEndpoints(db, new SecretBox({ current: null, old: [] }));
      const attempts = Array.from({ length: ATTEMPTS }, (_, i) => attemptOf(i, now)).filter((a) => a.endpointId === 'ep_1');
      for (const windowMs of [HOUR_MS, DAY_MS]) {
        const inWindow = attempts.filter((a) => a.startedAt >= minuteOf(now - windowMs));
        const succeeded = inWindow.filter((a) => a.statusCode === 200).length;
        const stats = (await endpoints.endpointStats('ep_1', { windows: [now - windowMs], series: null })).windows[0]!;
        expect(stats.attempts).toEqual({ total: inWindow.length, succeeded, failed: inWindow.length - succeeded });
        for (const [fraction, got] of [[0.5, stats.latencyMs.p50], [0.9, stats.latencyMs.p90], [0.99, stats.latencyMs.p99]] as const) {
          const exact = exactPercentile(inWindow.map((a) => a.durationMs), fraction)!;
          expect(Math.abs(got! - exact)).toBeLessThanOrEqual(Math.max(1, 0.14 * exact));
        }
      }
      const since = Math.floor(now / HOUR_MS) * HOUR_MS - 23 * HOUR_MS;
      const { series } = await endpoints.endpointStats('ep_1', { windows: [], series: { since, until: now + 1, bucketMs: HOUR_MS } });
      expect(series).toHaveLength(24);
      series.forEach((bucket, hour) => {
        const inHour = attempts.filter((a) => a.startedAt >= since + hour * HOUR_MS && a.startedAt < since + (hour + 1) * HOUR_MS);
        expect(bucket).toMatchObject({ start: since + hour * HOUR_MS, total: inHour.length, succeeded: inHour.filter((a) => a.statusCode === 200).length });
      });
    });

    it('reads only the endpoint\'s rollup rows of the window: no statement touches the attempts', async () => {
      const { db, statements } = recording(history.db);
      const endpoints = sharedEndpoints(db, new SecretBox({ current: null, old: [] }));
      // What the stats route asks: the last hour, the last day and the day's hourly series, in one statement.
      const since = Math.floor(now / HOUR_MS) * HOUR_MS - 23 * HOUR_MS;
      await endpoints.endpointStats('ep_2', { windows: [now - HOUR_MS, now - DAY_MS], series: { since, until: now + 1, bucketMs: HOUR_MS } });
      expect(statements).toHaveLength(1);

      // The rollup table itself holds the month: reading all of it would be history-sized work.
      const stored = (await history.db.one<{ n: number }>('SELECT count(*) AS n FROM endpoint_attempt_rollups'))!.n;
      expect(stored).toBeGreaterThan(100_000);
      for (const { sql, params } of statements) {
        const reads = await history.tablesRead(sql, params);
        expect(reads.length).toBeGreaterThan(0);
        for (const read of reads) {
          expect(read.table).toBe('endpoint_attempt_rollups');
          // Never a scan of the table; SQLite says it searches by endpoint and minute (the primary
          // key), PostgreSQL counts the rows it looked at: at most a day of one endpoint's minutes
          // (here one row a minute: one writer).
          expect(read.how).not.toMatch(/^SCAN|Seq Scan/);
          if (read.rowsRead === null) expect(read.how).toMatch(/\(endpoint_id=\? AND minute_start>\?/);
          else expect(read.rowsRead).toBeLessThanOrEqual(24 * 60 + 1);
        }
      }
    });
  });
}
