import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SoakFigures } from '../../bench/scenarios/soak.js';
import type { Minute } from '../../bench/soak/minutes.js';
import { packageRoot } from '../../src/paths.js';
import { POSTGRES_ADMIN_URL } from '../support/postgres.js';
import { TEST_BACKEND } from '../support/server.js';

// The soak (`npm run bench -- --soak <minutes>`) run end to end, very short and slow: a real hookd,
// the real receivers (healthy, 500, 429, hanging), the dashboard reads and the minute's readings.
// The figures are the machine's; what must hold is that the report has every one of them and that
// no delivery was lost.

/** Every figure of a minute; PostgreSQL's own are null on SQLite. */
const MINUTE_FIELDS: Array<keyof Minute> = [
  'minute', 'seconds', 'rssMB', 'heapUsedMB', 'eventLoopP99Ms', 'databaseMB', 'walMB', 'bytesPerDelivery', 'eventsPerSecond',
  'deliveriesPerSecond', 'attemptsPerSecond', 'firstAttemptP50Ms', 'firstAttemptP90Ms', 'firstAttemptP99Ms', 'firstAttempts', 'apiReadP50Ms',
  'apiReadP99Ms', 'apiReads', 'postgresCpuMicrosPerAttempt', 'deadTuples', 'autovacuums', 'hookdCpuPercent', 'serverCpuPercent',
  'machineCpuPercent', 'stealPercent', 'hookdWaitPercent', 'handOffPercent', 'benchLoopP99Ms',
];
const POSTGRES_ONLY: Array<keyof Minute> = ['postgresCpuMicrosPerAttempt', 'deadTuples', 'autovacuums', 'serverCpuPercent'];

interface SoakJson {
  backend: string;
  scenario: string;
  soak: SoakFigures;
}

function runSoak(jsonPath: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  // The bench passes its HOOKD_* variables to hookd as settings: the tests' own stay out.
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('HOOKD_')));
  return new Promise((resolve) => {
    execFile(
      'npm',
      ['run', 'bench', '--silent', '--', '--soak', '0.2', '--soak-rate', '20', '--backend', TEST_BACKEND, '--json', jsonPath],
      { cwd: packageRoot, env: { ...env, HOOKD_BENCH_POSTGRES_URL: POSTGRES_ADMIN_URL }, timeout: 170_000 },
      (error, stdout, stderr) => resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout, stderr }),
    );
  });
}

describe(`a short soak on ${TEST_BACKEND}`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'hookd-soak-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reports every per-minute figure and loses no delivery', { timeout: 180_000 }, async () => {
    const jsonPath = join(dir, 'soak.json');
    const run = await runSoak(jsonPath);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(readFileSync(jsonPath, 'utf8')) as SoakJson;
    expect(report.scenario).toBe('soak');
    const { soak } = report;

    // 12 s: one (short) minute, with every figure.
    expect(soak.series).toHaveLength(1);
    const minute = soak.series[0]!;
    expect(Object.keys(minute).sort()).toEqual([...MINUTE_FIELDS].sort());
    for (const field of MINUTE_FIELDS) {
      if (POSTGRES_ONLY.includes(field) && TEST_BACKEND === 'sqlite') expect(minute[field], field).toBeNull();
      else expect(Number.isFinite(minute[field]), `${field} = ${minute[field]}`).toBe(true);
    }
    expect(minute.firstAttempts).toBeGreaterThan(0);
    expect(minute.apiReads).toBeGreaterThan(0);
    // The dashboard's reads, made from a process of their own: every kind, the latest event's too.
    expect(Object.keys(soak.apiReadMsByKind).sort()).toEqual(['delivery list', 'endpoint list', 'endpoint stats', 'event']);
    for (const spread of Object.values(soak.apiReadMsByKind)) expect(spread.count).toBeGreaterThan(0);
    // By kind counts every read; the minutes' samples leave out any made after the last minute was taken.
    expect(Object.values(soak.apiReadMsByKind).reduce((sum, spread) => sum + spread.count, 0)).toBeGreaterThanOrEqual(soak.apiReadMs.count);
    expect(minute.rssMB).toBeGreaterThan(0);

    // Nothing lost: every accepted event stored, at every healthy endpoint, recorded for every failing one.
    const { accounting } = soak;
    expect(accounting.eventsAccepted).toBeGreaterThan(0);
    expect(accounting.eventsStored).toBe(accounting.eventsAccepted);
    // Each event went to two healthy endpoints and one unhealthy one, and every one of them got it.
    expect(accounting.healthy).toHaveLength(16);
    expect(accounting.unhealthy).toHaveLength(4);
    expect(accounting.healthy.reduce((sum, endpoint) => sum + endpoint.owed, 0)).toBe(2 * accounting.eventsAccepted);
    expect(accounting.unhealthy.reduce((sum, endpoint) => sum + endpoint.owed, 0)).toBe(accounting.eventsAccepted);
    for (const endpoint of accounting.healthy) expect(endpoint.received).toBe(endpoint.owed);
    for (const endpoint of accounting.unhealthy) expect(endpoint.stored).toBe(endpoint.owed);
    expect(soak.verdicts.find((verdict) => verdict.target === 'nothing lost')?.met).toBe(true);
    expect(soak.verdicts.map((verdict) => verdict.target)).toHaveLength(5);

    // The table on stdout names the verdicts.
    expect(run.stdout).toContain('nothing lost');
    expect(run.stdout).toContain('hookd RSS < 200 MB throughout');
  });
});
