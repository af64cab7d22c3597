// The steps of `npm test`, in order (run by scripts/test.mjs). Without PostgreSQL only its own pass
// is left out: the steps after it still run. The bench's quick run is a test of the SQLite pass
// (test/bench/smoke.test.ts), where it overlaps the others.
export function testSteps({ withPostgres }) {
  return [
    ['build (when the sources changed)', 'node', ['scripts/build-if-stale.mjs']],
    ['type-check', 'npm', ['run', 'typecheck', '--silent']],
    ['lint', 'npm', ['run', 'lint', '--silent']],
    ['tests (integration on SQLite)', 'npx', ['--no-install', 'vitest', 'run']],
    ...(withPostgres ? [['tests on PostgreSQL', 'npm', ['run', 'test:postgres', '--silent']]] : []),
  ];
}
