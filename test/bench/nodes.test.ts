import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Figure } from '../../bench/report.js';
import type { NodesFigures } from '../../bench/scenarios/nodes.js';
import { runBench } from '../support/bench-run.js';

// The bench's nodes scenario (`npm run bench -- --quick --only nodes --backend postgres`) run end
// to end: an API node and worker nodes on one PostgreSQL database, the real receiver. The figures
// are the machine's and are not judged here; what must hold is that the run completes with every
// delivery received and reports each figure.

interface BenchJson {
  backend: string;
  figures: Figure[];
  runs: { nodes: NodesFigures };
}

describe('the bench nodes scenario', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hookd-nodes-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reports 1- and 2-node throughput, their ratio and a joining node\'s time to its first attempt', { timeout: 240_000 }, async () => {
    const jsonPath = join(dir, 'nodes.json');
    const run = await runBench(['--quick', '--only', 'nodes', '--backend', 'postgres', '--json', jsonPath]);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(readFileSync(jsonPath, 'utf8')) as BenchJson;
    expect(report.backend).toBe('postgres');
    const byId = new Map(report.figures.map((figure) => [figure.id, figure]));
    for (const id of ['nodes1', 'nodes2', 'nodesRatio', 'nodesJoin']) {
      const figure = byId.get(id);
      expect(figure, id).toBeDefined();
      expect(Number.isFinite(figure!.value), `${id} = ${figure!.value}`).toBe(true);
      expect(figure!.value, id).toBeGreaterThanOrEqual(0);
    }
    expect(byId.get('nodesRatio')!.target).toEqual({ kind: 'min', limit: 1 });
    expect(byId.get('nodesJoin')!.target).toEqual({ kind: 'max', limit: 1000 });

    const { oneNode, twoNodes, join: joined } = report.runs.nodes;
    expect(oneNode.deliveries).toBe(oneNode.events);
    expect(twoNodes.deliveries).toBe(twoNodes.events);
    expect(joined.readyToFirstAttemptMs).not.toBeNull();
    expect(joined.thirdNodeAttempts).toBeGreaterThan(0);
    expect(run.stdout).toContain('nodes: 2 worker nodes ÷ 1');
  });
});
