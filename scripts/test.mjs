// `npm test`: set up what the tests need (scripts/test-prerequisites.mjs), then run the steps stage
// by stage (scripts/test-steps.mjs: the lanes of a stage run at the same time) and stop after the
// first stage where a step fails. A step that cannot run here (the PostgreSQL pass, when no
// PostgreSQL can be had) is skipped on its own and said loudly at the start and at the end — never
// silently taking the steps after it along, as a shell `&&` chain would.
// Under CI (CI=true) a missing PostgreSQL fails the run instead: CI must run every pass.
// `node scripts/test.mjs --plan` sets up, prints the steps it would run and stops (for its own test).
import { spawn } from 'node:child_process';
import { ensureNats, ensurePostgres, ensureRabbitmq, ensureRedis, locateChromium, MissingPrerequisite } from './test-prerequisites.mjs';
import { testStages, testSteps } from './test-steps.mjs';

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
/**
 * A service some tests need (Redis, RabbitMQ, NATS): when it cannot be had, those tests are left out
 * (`withoutFlag` tells vitest.config.ts) and said loudly at the start and at the end; under CI the
 * run fails instead.
 */
function serviceSkip(name, found, tests, howTo, withoutFlag) {
  if (!found.absent) return null;
  if (process.env.CI === 'true') {
    process.stderr.write(`npm test: ${name} is not available at ${found.url} (${found.absent}); CI runs every test.\n`);
    process.exit(1);
  }
  const lines = [`${name} is not available at ${found.url} (${found.absent}).`, `SKIPPING ${tests}. Everything else runs.`, `To run them: ${howTo}`];
  banner(lines);
  return { lines, tests, withoutFlag };
}
const redis = await ensureRedis();
const rabbitmq = await ensureRabbitmq();
const nats = await ensureNats();
const skipped = [
  serviceSkip('Redis', redis, "the bench peers' test (test/bench/peers.test.ts, BullMQ), the Redis destinations' test, the destinations' browser test and bench test (test/ui/destinations.test.ts, test/bench/destinations.test.ts), the connection-loss and pooled connections' tests (test/delivery/destinations/connection-loss.test.ts, broker-connections.test.ts)", 'install redis-server, or start Redis on 127.0.0.1:6379.', 'HOOKD_TEST_WITHOUT_REDIS'),
  serviceSkip('RabbitMQ', rabbitmq, "the RabbitMQ destinations' test (test/delivery/destinations/rabbitmq.test.ts), the destinations' browser test and bench test, the connection-loss test", 'install rabbitmq-server, or start RabbitMQ on 127.0.0.1:5672 (guest/guest).', 'HOOKD_TEST_WITHOUT_RABBITMQ'),
  serviceSkip('NATS', nats, "the NATS destinations' test (test/delivery/destinations/nats.test.ts), the destinations' bench test (test/bench/destinations.test.ts) and the connection-loss test", 'install nats-server, or start `nats-server -js -a 127.0.0.1 -p 4222`.', 'HOOKD_TEST_WITHOUT_NATS'),
].filter((skip) => skip !== null);

const env = {
  ...process.env,
  HOOKD_TEST_CHROMIUM: chromium,
  HOOKD_TEST_POSTGRES_URL: postgres.url,
  ...(skipPostgres ? { HOOKD_TEST_WITHOUT_POSTGRES: 'true' } : {}),
  ...Object.fromEntries(skipped.map(({ withoutFlag }) => [withoutFlag, 'true'])),
};
const stages = testStages({ withPostgres: !skipPostgres });
const steps = testSteps({ withPostgres: !skipPostgres });

if (process.argv.includes('--plan')) {
  process.stdout.write(JSON.stringify({ chromium, postgres, redis, rabbitmq, nats, steps: steps.map(([name]) => name) }) + '\n');
  process.exit(0);
}

const took = [];
/**
 * Runs one step. The first lane of a stage prints as it goes; the others' output is held and
 * printed whole when each step ends, so that two steps' lines never interleave.
 */
function runStep([name, command, args], live) {
  return new Promise((resolve) => {
    const since = Date.now();
    process.stderr.write(`\n== npm test: ${name}${live ? '' : ' (beside the above: its output when it ends)'}\n`);
    const child = spawn(command, args, { stdio: live ? 'inherit' : ['ignore', 'pipe', 'pipe'], env });
    const held = [];
    child.stdout?.on('data', (chunk) => held.push(chunk));
    child.stderr?.on('data', (chunk) => held.push(chunk));
    let done = false;
    const ended = (status) => {
      if (done) return;
      done = true;
      took.push(`${name} ${seconds(since)}`);
      if (!live) process.stderr.write(`\n== npm test: ${name} (output)\n${Buffer.concat(held).toString()}\n== npm test: ${name} ended after ${seconds(since)}\n`);
      resolve({ name, status });
    };
    child.on('error', (error) => {
      held.push(Buffer.from(`${error.message}\n`));
      ended(error.message);
    });
    // 'close', not 'exit': the held output is complete only once the child's pipes have closed.
    child.on('close', (code, signal) => ended(code ?? signal));
  });
}
async function runLane(lane, live) {
  for (const step of lane) {
    const result = await runStep(step, live);
    if (result.status !== 0) return result;
  }
  return { status: 0 };
}
for (const stage of stages) {
  const results = await Promise.all(stage.map((lane, index) => runLane(lane, index === 0)));
  const failed = results.filter(({ status }) => status !== 0);
  if (failed.length > 0) {
    for (const { name, status } of failed) process.stderr.write(`\nnpm test: FAILED at "${name}" (exit ${status}) after ${seconds(started)}\n`);
    if (skipPostgres) banner(['(and the PostgreSQL pass was skipped: see above)']);
    for (const { tests } of skipped) banner([`(and ${tests} skipped: see above)`]);
    process.exit(typeof failed[0].status === 'number' ? failed[0].status : 1);
  }
}
process.stderr.write(`\nnpm test: all steps passed in ${seconds(started)} (${took.join(', ')})\n`);
if (skipPostgres) banner(skipPostgres);
for (const { lines } of skipped) banner(lines);
