// The steps of `npm test` (run by scripts/test.mjs), as stages of lanes: the lanes of a stage run at
// the same time (each lane's steps in order), and a stage starts when every lane of the one before
// has passed. Without PostgreSQL only its own pass is left out: the steps after it still run. The
// bench's quick run is a test of the SQLite pass (test/bench/smoke.test.ts), where it overlaps the
// others.
//
// The type-check reads the SDK's built types (packages/sdk/dist), so it follows the build in its
// lane; the lint reads sources only (no type-aware rules) and runs beside them. The tests need the
// build (the CLI tests run dist/src/main.js, the browser tests the built dashboard).
export function testStages({ withPostgres }) {
  return [
    [
      [
        ['build (when the sources changed)', 'node', ['scripts/build-if-stale.mjs']],
        ['type-check', 'npm', ['run', 'typecheck', '--silent']],
      ],
      [['lint', 'npm', ['run', 'lint', '--silent']]],
    ],
    [[['tests (integration on SQLite)', 'npx', ['--no-install', 'vitest', 'run']]]],
    ...(withPostgres ? [[[['tests on PostgreSQL', 'npm', ['run', 'test:postgres', '--silent']]]]] : []),
  ];
}

/** Every step, in the order the stages and their lanes list them. */
export function testSteps(options) {
  return testStages(options).flat(2);
}
