import { describe, expect, it } from 'vitest';
import { runBench } from '../support/bench-run.js';

// The bench's quick run as a smoke test (`npm run bench -- --quick`), less the scenarios whose own
// test in this folder runs them (tenants, fifo; destinations and nodes run only when named): it
// fails if a delivery goes missing or a scenario breaks, never on a speed. It runs with the other
// integration tests rather than as a step of its own after them, so its minute overlaps theirs.

const SCENARIOS = ['baseline', 'throughput', 'ingest', 'latency', 'noisy', 'backlog'];

describe('the bench, quick', () => {
  it('runs every scenario without its own test to the end, every delivery received', { timeout: 240_000 }, async () => {
    const run = await runBench(['--quick', '--only', SCENARIOS.join(',')]);
    expect(run.code, run.stderr).toBe(0);
    // The report's last figure: each run's peak RSS, one per run of the scenarios above.
    expect(run.stdout).toContain('hookd peak RSS, worst run');
    for (const line of ['delivery, 1 endpoint', 'ingest, batches of 100', 'time to first attempt, p99', 'noisy neighbour', 'backlog: cost per delivery']) {
      expect(run.stdout).toContain(line);
    }
  });
});
