import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Figure } from '../../bench/report.js';
import type { DeliveryMeasurement } from '../../bench/context.js';
import { runBench } from '../support/bench-run.js';
import { TEST_BACKEND } from '../support/server.js';

// The bench's fifo scenario (`npm run bench -- --quick --only fifo`) run end to end: one endpoint
// unordered, then one `fifo` endpoint over 100 ordering keys. The figures are the machine's and
// are not judged here; what must hold is that both runs deliver every event and the figures exist.

interface BenchJson {
  backend: string;
  figures: Figure[];
  runs: { fifoUnordered: DeliveryMeasurement; fifoOrdered: DeliveryMeasurement };
}

describe('the bench fifo scenario', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hookd-fifo-bench-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reports unordered and fifo delivery to one endpoint and their ratio, every event delivered', { timeout: 240_000 }, async () => {
    const jsonPath = join(dir, 'fifo.json');
    const run = await runBench(['--quick', '--only', 'fifo', '--backend', TEST_BACKEND, '--json', jsonPath]);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(readFileSync(jsonPath, 'utf8')) as BenchJson;
    expect(report.backend).toBe(TEST_BACKEND);
    const byId = new Map(report.figures.map((figure) => [figure.id, figure]));
    for (const id of ['fifoNone', 'fifo', 'fifoRatio']) {
      const figure = byId.get(id);
      expect(figure, id).toBeDefined();
      expect(Number.isFinite(figure!.value) && figure!.value > 0, `${id} = ${figure!.value}`).toBe(true);
    }
    for (const measured of [report.runs.fifoUnordered, report.runs.fifoOrdered]) {
      expect(measured.deliveries).toBe(measured.events);
      expect(measured.duplicates).toBe(0);
    }
    expect(run.stdout).toContain('ordering: fifo ÷ unordered');
  });
});
