import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Figure } from '../../bench/report.js';
import type { NoisyTenantFigures } from '../../bench/scenarios/noisy-tenant.js';
import { runBench } from '../support/bench-run.js';
import { TEST_BACKEND } from '../support/server.js';

// The bench's noisy-tenant scenario (`npm run bench -- --quick --only tenants`) run end to end: a
// healthy account's steady load alone, then in the same hookd process beside an account whose 20
// endpoints hang. The figures are the machine's and are not judged here; what must hold is that
// every healthy event of both halves was received, the noisy account's attempts hung meanwhile,
// and the three figures exist.

interface BenchJson {
  backend: string;
  figures: Figure[];
  runs: { tenantHealthy: NoisyTenantFigures };
}

describe('the bench noisy-tenant scenario', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hookd-tenants-bench-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reports the healthy account's p99 alone and beside the noisy one, from every event of both halves", { timeout: 240_000 }, async () => {
    const jsonPath = join(dir, 'tenants.json');
    const run = await runBench(['--quick', '--only', 'tenants', '--backend', TEST_BACKEND, '--json', jsonPath]);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(readFileSync(jsonPath, 'utf8')) as BenchJson;
    expect(report.backend).toBe(TEST_BACKEND);
    const byId = new Map(report.figures.map((figure) => [figure.id, figure]));
    for (const id of ['tenantAloneP99', 'tenantBesideP99', 'tenantRatio']) {
      const figure = byId.get(id);
      expect(figure, id).toBeDefined();
      expect(Number.isFinite(figure!.value), `${id} = ${figure!.value}`).toBe(true);
    }
    expect(byId.get('tenantRatio')!.target).toEqual({ kind: 'max', limit: 2 });

    const { alone, beside, noisyRequests } = report.runs.tenantHealthy;
    for (const half of [alone, beside]) {
      // Every event posted in the half was received (the scenario throws otherwise), none skipped.
      expect(half.latency.events).toBeGreaterThan(0);
      expect(half.latency.skipped).toBe(0);
      expect(half.loadAverage).toBeGreaterThanOrEqual(0);
    }
    expect(noisyRequests).toBeGreaterThan(0);
    expect(run.stdout).toContain('noisy tenant: healthy p99 beside ÷ alone');
  });
});
