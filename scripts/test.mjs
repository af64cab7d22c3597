// `npm test`: set up what the tests need (scripts/test-prerequisites.mjs), then run each step in
// order and stop at the first that fails. A step that cannot run here (the PostgreSQL pass, when no
// PostgreSQL can be had) is skipped on its own and said loudly at the start and at the end — never
// silently taking the steps after it along, as a shell `&&` chain would.
// Under CI (CI=true) a missing PostgreSQL fails the run instead: CI must run every pass.
// `node scripts/test.mjs --plan` sets up, prints the steps it would run and stops (for its own test).
import { spawnSync } from 'node:child_process';
import { ensurePostgres, ensureRedis, locateChromium, MissingPrerequisite } from './test-prerequisites.mjs';
import { testSteps } from './test-steps.mjs';

const started = Date.now();
const seconds = (since) => `${Math.round((Date.now() - since) / 1000)} s`;
const banner = (lines) => process.stderr.write(`\n${'!'.repeat(78)}\n${lines.map((l) => `!! ${l}`).join('\n')}\n${'!'.repeat(78)}\n\n`);

let chromium;
try {
  chromium = locateChromium();
} catch (error) {
  if (!(error instanceof MissingPrerequisite)) throw error;
  process.stderr.write(`npm test: ${error.message}\n`);
  process.exit(1);
}
const postgres = await ensurePostgres();
const skipPostgres = postgres.absent
  ? [
      `PostgreSQL is not available at ${postgres.url} (${postgres.absent}).`,
      'SKIPPING the PostgreSQL pass (npm run test:postgres) and the tests that need PostgreSQL',
      '(test/store/postgres*.test.ts, test/store/stats-history-postgres.test.ts, test/cluster). Everything else runs. To run them: start PostgreSQL',
      'on 127.0.0.1:5432 with trust authentication, or set HOOKD_TEST_POSTGRES_URL.',
    ]
  : null;
if (skipPostgres && process.env.CI === 'true') {
  process.stderr.write(`npm test: PostgreSQL is not available at ${postgres.url} (${postgres.absent}); CI runs every pass.\n`);
  process.exit(1);
}
if (skipPostgres) banner(skipPostgres);
const redis = await ensureRedis();
const skipRedis = redis.absent
  ? [
      `Redis is not available at ${redis.url} (${redis.absent}).`,
      "SKIPPING the bench peers' test (test/bench/peers.test.ts, BullMQ). Everything else runs.",
      'To run it: install redis-server, or start Redis on 127.0.0.1:6379.',
    ]
  : null;
if (skipRedis && process.env.CI === 'true') {
  process.stderr.write(`npm test: Redis is not available at ${redis.url} (${redis.absent}); CI runs every test.\n`);
  process.exit(1);
}
if (skipRedis) banner(skipRedis);

const env = {
  ...process.env,
  HOOKD_TEST_CHROMIUM: chromium,
  HOOKD_TEST_POSTGRES_URL: postgres.url,
  ...(skipPostgres ? { HOOKD_TEST_WITHOUT_POSTGRES: 'true' } : {}),
  ...(skipRedis ? { HOOKD_TEST_WITHOUT_REDIS: 'true' } : {}),
};
const steps = testSteps({ withPostgres: !skipPostgres });

if (process.argv.includes('--plan')) {
  process.stdout.write(JSON.stringify({ chromium, postgres, redis, steps: steps.map(([name]) => name) }) + '\n');
  process.exit(0);
}

const took = [];
for (const [name, command, args] of steps) {
  const since = Date.now();
  process.stderr.write(`\n== npm test: ${name}\n`);
  const result = spawnSync(command, args, { stdio: 'inherit', env });
  took.push(`${name} ${seconds(since)}`);
  if (result.status !== 0) {
    process.stderr.write(`\nnpm test: FAILED at "${name}" (exit ${result.status ?? result.signal}) after ${seconds(started)}\n`);
    if (skipPostgres) banner(['(and the PostgreSQL pass was skipped: see above)']);
    if (skipRedis) banner(["(and the bench peers' test was skipped: see above)"]);
    process.exit(result.status || 1);
  }
}
process.stderr.write(`\nnpm test: all steps passed in ${seconds(started)} (${took.join(', ')})\n`);
if (skipPostgres) banner(skipPostgres);
if (skipRedis) banner(skipRedis);
