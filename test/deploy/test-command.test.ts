import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { testStages, testSteps } from '../../scripts/test-steps.mjs';

// `npm test` sets itself up (scripts/test.mjs, scripts/test-prerequisites.mjs): these run its set-up
// with a browser or a database that cannot be had and check it says so, and what it then runs.

const run = promisify(execFile);
const NO_POSTGRES = 'postgres://postgres@127.0.0.1:1/postgres'; // port 1: nothing listens there

async function plan(env: Record<string, string>) {
  const { stdout, stderr } = await run(process.execPath, ['scripts/test.mjs', '--plan'], { env: { ...process.env, CI: '', ...env } });
  return { plan: JSON.parse(stdout) as { postgres: { absent?: string }; steps: string[] }, stderr };
}

describe('the test command sets itself up', () => {
  it('without PostgreSQL, skips the PostgreSQL pass only, loudly, and still runs the SQLite pass (the bench\'s smoke run among its tests)', async () => {
    const { plan: steps, stderr } = await plan({ HOOKD_TEST_POSTGRES_URL: NO_POSTGRES });
    expect(steps.postgres.absent).toMatch(/ECONNREFUSED/);
    expect(steps.steps).toEqual(['build (when the sources changed)', 'type-check', 'lint', 'tests (integration on SQLite)']);
    expect(stderr).toContain('SKIPPING the PostgreSQL pass');
  });

  it('with PostgreSQL, runs every pass: the build then the type-check beside the lint, then the SQLite pass, the PostgreSQL one last', () => {
    expect(testSteps({ withPostgres: true }).map(([name]) => name)).toEqual([
      'build (when the sources changed)',
      'type-check',
      'lint',
      'tests (integration on SQLite)',
      'tests on PostgreSQL',
    ]);
    // Stages of lanes: each stage after the one before has passed, its lanes at the same time.
    expect(testStages({ withPostgres: true }).map((stage) => stage.map((lane) => lane.map(([name]) => name)))).toEqual([
      [['build (when the sources changed)', 'type-check'], ['lint']],
      [['tests (integration on SQLite)']],
      [['tests on PostgreSQL']],
    ]);
  });

  it('under CI, fails instead of skipping the PostgreSQL pass', async () => {
    const failed = await plan({ HOOKD_TEST_POSTGRES_URL: NO_POSTGRES, CI: 'true' }).catch((error: { code: number; stderr: string }) => error);
    expect(failed).toMatchObject({ code: 1, stderr: expect.stringMatching(/PostgreSQL is not available .* CI runs every pass/) });
  });

  it('without the browser the UI tests need, fails at once saying what to install', async () => {
    const failed = await plan({ HOOKD_TEST_CHROMIUM: '/nonexistent/chromium' }).catch((error: { code: number; stderr: string }) => error);
    expect(failed).toMatchObject({ code: 1, stderr: expect.stringContaining('HOOKD_TEST_CHROMIUM=/nonexistent/chromium is not an executable file') });
  });
});
