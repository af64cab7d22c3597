// What `npm test` needs besides node_modules, found or set up before any test runs, so that
// `npm ci && npm test` works on a fresh Debian machine with Node 20 and nothing else:
// - Chromium for the browser tests (test/ui): found, or installed from Debian when we are root
//   with apt-get, or a clear failure saying what to install;
// - PostgreSQL for the PostgreSQL pass: found, or the machine's cluster started, or reported
//   absent (the caller then skips that pass, loudly);
// - Redis for the bench peers' test (BullMQ): found, or started (installed from Debian first when we
//   are root with apt-get), or reported absent (that test is skipped, loudly).
// Run alone (`node scripts/test-prerequisites.mjs`) it prints what it found, as JSON.
import { execFileSync, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { connect } from 'node:net';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';

export const DEFAULT_CHROMIUM = '/usr/bin/chromium';
export const DEFAULT_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

const say = (line) => process.stderr.write(`== ${line}\n`);

function isExecutable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name, path = process.env.PATH ?? '') {
  for (const dir of path.split(delimiter)) {
    if (dir && isExecutable(join(dir, name))) return join(dir, name);
  }
  return null;
}

export class MissingPrerequisite extends Error {}

/**
 * The Chromium binary the browser tests drive: HOOKD_TEST_CHROMIUM, /usr/bin/chromium, a chromium
 * on PATH, or Debian's package installed now when we may (root with apt-get). Never a browser
 * download of Playwright's own: this machine reaches no host but the package registries.
 */
export function locateChromium({ env = process.env, install = true } = {}) {
  if (env.HOOKD_TEST_CHROMIUM) {
    if (isExecutable(env.HOOKD_TEST_CHROMIUM)) return env.HOOKD_TEST_CHROMIUM;
    throw new MissingPrerequisite(`HOOKD_TEST_CHROMIUM=${env.HOOKD_TEST_CHROMIUM} is not an executable file.`);
  }
  const found = [DEFAULT_CHROMIUM].find(isExecutable) ?? onPath('chromium', env.PATH) ?? onPath('chromium-browser', env.PATH);
  if (found) return found;
  const apt = onPath('apt-get', env.PATH);
  if (install && apt && process.getuid?.() === 0) {
    say('installing Debian chromium for the browser tests (apt-get install chromium)');
    const aptEnv = { ...env, DEBIAN_FRONTEND: 'noninteractive' };
    const get = (args) => spawnSync(apt, args, { env: aptEnv, stdio: ['ignore', 'ignore', 'inherit'] }).status === 0;
    // A fresh machine may have no package lists yet: update once, only when the install needs it.
    if (!get(['install', '-y', '-q', 'chromium']) && get(['update', '-q'])) get(['install', '-y', '-q', 'chromium']);
    if (isExecutable(DEFAULT_CHROMIUM)) return DEFAULT_CHROMIUM;
  }
  throw new MissingPrerequisite(
    'The browser tests (test/ui) need Chromium and none was found. Install it — on Debian or Ubuntu: ' +
      '`sudo apt-get install chromium` (npm test does this itself when run as root) — or set ' +
      'HOOKD_TEST_CHROMIUM=/path/to/chromium.',
  );
}

async function postgresAnswers(url) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (error) {
    return error instanceof Error ? error.message || String(error.code) : String(error);
  } finally {
    await client.end().catch(() => {});
  }
}

/** The Debian clusters' versions on this machine (/etc/postgresql/<version>/main), newest first. */
function debianClusters() {
  if (!existsSync('/etc/postgresql') || !onPath('pg_ctlcluster')) return [];
  return readdirSync('/etc/postgresql')
    .filter((version) => existsSync(join('/etc/postgresql', version, 'main')))
    .sort((a, b) => Number(b) - Number(a));
}

/**
 * Whether the PostgreSQL pass can run: `{ url }` when the test database answers (starting the
 * machine's cluster if it was down), or `{ url, absent: reason }` when none can be had.
 */
export async function ensurePostgres({ env = process.env } = {}) {
  const url = env.HOOKD_TEST_POSTGRES_URL ?? DEFAULT_POSTGRES_URL;
  let problem = await postgresAnswers(url);
  if (!problem) return { url };
  const versions = env.HOOKD_TEST_POSTGRES_URL ? [] : debianClusters();
  for (const version of versions) {
    say(`PostgreSQL does not answer at ${url} (${problem}): starting the machine's cluster ${version}/main`);
    try {
      execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start'], { stdio: 'inherit' });
    } catch {
      // Already running on another port, or broken: the probe below tells.
    }
    for (let waited = 0; waited < 30; waited++) {
      problem = await postgresAnswers(url);
      if (!problem) return { url };
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  }
  return { url, absent: problem };
}

export const DEFAULT_REDIS = { host: '127.0.0.1', port: 6379 };

/** Null when Redis answers PING at host:port, else why not. */
function redisAnswers({ host, port }) {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (problem) => {
      socket.destroy();
      resolve(problem);
    };
    socket.setTimeout(3_000, () => done('no answer within 3 s'));
    socket.once('error', (error) => done(error.code ?? error.message));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG') ? null : `unexpected answer ${JSON.stringify(data.toString().trim())}`));
  });
}

/**
 * Whether the peers' test can run: `{ url }` when Redis answers on 127.0.0.1:6379 (started here if
 * it was not running, with nothing kept on disk), or `{ url, absent: reason }`.
 */
export async function ensureRedis({ env = process.env } = {}) {
  const url = `redis://${DEFAULT_REDIS.host}:${DEFAULT_REDIS.port}`;
  let problem = await redisAnswers(DEFAULT_REDIS);
  if (!problem) return { url };
  let server = onPath('redis-server', env.PATH);
  const apt = onPath('apt-get', env.PATH);
  if (!server && apt && process.getuid?.() === 0) {
    say('installing Debian redis-server for the bench peers\' test (apt-get install redis-server)');
    const aptEnv = { ...env, DEBIAN_FRONTEND: 'noninteractive' };
    const get = (args) => spawnSync(apt, args, { env: aptEnv, stdio: ['ignore', 'ignore', 'inherit'] }).status === 0;
    if (!get(['install', '-y', '-q', 'redis-server']) && get(['update', '-q'])) get(['install', '-y', '-q', 'redis-server']);
    server = onPath('redis-server', env.PATH) ?? (isExecutable('/usr/bin/redis-server') ? '/usr/bin/redis-server' : null);
  }
  if (!server) return { url, absent: problem };
  say(`Redis does not answer at ${url} (${problem}): starting ${server}`);
  const dir = join(process.env.TMPDIR ?? '/tmp', 'hookd-test-redis');
  mkdirSync(dir, { recursive: true });
  spawnSync(server, ['--daemonize', 'yes', '--bind', '127.0.0.1', '--port', String(DEFAULT_REDIS.port), '--save', '', '--appendonly', 'no', '--dir', dir, '--logfile', join(dir, 'redis.log')], { stdio: 'inherit' });
  for (let waited = 0; waited < 30; waited++) {
    problem = await redisAnswers(DEFAULT_REDIS);
    if (!problem) return { url };
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
  return { url, absent: problem };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    const chromium = locateChromium({ install: !process.argv.includes('--no-install') });
    const postgres = await ensurePostgres();
    const redis = await ensureRedis();
    process.stdout.write(JSON.stringify({ chromium, postgres, redis }) + '\n');
  } catch (error) {
    if (!(error instanceof MissingPrerequisite)) throw error;
    process.stderr.write(`npm test: ${error.message}\n`);
    process.exit(1);
  }
}
