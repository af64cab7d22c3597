// The steps of `npm test`, in order (run by scripts/test.mjs). Without PostgreSQL only its own pass
// is left out: the steps after it still run.
/** The bench's default SQLite scenarios but tenants and fifo (test/bench/tenants.test.ts, fifo.test.ts). */
const SMOKE_SCENARIOS = ['baseline', 'throughput', 'ingest', 'latency', 'noisy', 'backlog'];

export function testSteps({ withPostgres }) {
  return [
    ['build (when the sources changed)', 'node', ['scripts/build-if-stale.mjs']],
    ['type-check', 'npm', ['run', 'typecheck', '--silent']],
    ['lint', 'npm', ['run', 'lint', '--silent']],
    ['tests (integration on SQLite)', 'npx', ['--no-install', 'vitest', 'run']],
    ...(withPostgres ? [['tests on PostgreSQL', 'npm', ['run', 'test:postgres', '--silent']]] : []),
    // The quick bench, less the scenarios whose own test (test/bench/<name>.test.ts, in the SQLite
    // pass above) already runs them quick and checks their figures: each costs half a minute.
    ['benchmark smoke test', 'npm', ['run', 'bench', '--silent', '--', '--quick', '--only', SMOKE_SCENARIOS.join(',')]],
  ];
}
