// What `npm test` needs besides node_modules, found or set up before any test runs, so that
// `npm ci && npm test` works on a fresh Debian machine with Node 20 and nothing else:
// - Chromium for the browser tests (test/ui): found, or installed from Debian when we are root
//   with apt-get, or a clear failure saying what to install;
// - PostgreSQL for the PostgreSQL pass: found, or the machine's cluster started, or reported
//   absent (the caller then skips that pass, loudly);
// - Redis for the bench peers' test (BullMQ) and the Redis destinations' test: found, or started
//   (installed from Debian first when we are root with apt-get), or reported absent (those tests are
//   skipped, loudly);
// - RabbitMQ and NATS with JetStream for the broker destinations' tests: found, or started
//   (installed from Debian first when we are root with apt-get), or reported absent (likewise).
// Run alone (`node scripts/test-prerequisites.mjs`) it prints what it found, as JSON.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
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

/**
 * Null when the server at host:port answers as `answers` expects (after `hello`, if any, is
 * written), else why not. Protocol greetings only: no client library needed before npm ci.
 */
function serverAnswers({ host, port }, hello, answers) {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (problem) => {
      socket.destroy();
      resolve(problem);
    };
    socket.setTimeout(3_000, () => done('no answer within 3 s'));
    socket.once('error', (error) => done(error.code ?? error.message));
    socket.once('connect', () => hello && socket.write(hello));
    socket.once('data', (data) => done(answers(data) ? null : `unexpected answer ${JSON.stringify(data.toString('latin1').trim().slice(0, 80))}`));
  });
}

/** Null when Redis answers PING at host:port, else why not. */
const redisAnswers = (address) => serverAnswers(address, 'PING\r\n', (data) => data.toString().startsWith('+PONG'));

/** Installs a Debian package when we may (root with apt-get); returns whether it is installed now. */
function aptInstall(pkg, why, env) {
  const apt = onPath('apt-get', env.PATH);
  if (!apt || process.getuid?.() !== 0) return false;
  say(`installing Debian ${pkg} for ${why} (apt-get install ${pkg})`);
  const aptEnv = { ...env, DEBIAN_FRONTEND: 'noninteractive' };
  const get = (args) => spawnSync(apt, args, { env: aptEnv, stdio: ['ignore', 'ignore', 'inherit'] }).status === 0;
  // A fresh machine may have no package lists yet: update once, only when the install needs it.
  return get(['install', '-y', '-q', pkg]) || (get(['update', '-q']) && get(['install', '-y', '-q', pkg]));
}

/** Waits up to `seconds` for `probe` to answer null; returns its last answer. */
async function waitForAnswer(probe, seconds) {
  let problem = await probe();
  for (let waited = 0; problem && waited < seconds; waited++) {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    problem = await probe();
  }
  return problem;
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
  if (!server && aptInstall('redis-server', "the bench peers' test", env)) {
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

export const DEFAULT_RABBITMQ = { host: '127.0.0.1', port: 5672 };

/** Null when an AMQP 0-9-1 broker greets at host:port (connection.start after the protocol header), else why not. */
const rabbitmqAnswers = (address) =>
  serverAnswers(address, Buffer.from('AMQP\x00\x00\x09\x01', 'latin1'), (data) => data[0] === 1 && data.readUInt16BE(7) === 10 && data.readUInt16BE(9) === 10);

/**
 * Whether the RabbitMQ destinations' test can run: `{ url }` when RabbitMQ answers on
 * 127.0.0.1:5672 (the machine's service started here if it was installed but down, installed from
 * Debian first when missing and we are root), or `{ url, absent: reason }`. The tests log in as
 * guest/guest, which RabbitMQ allows from loopback only, as it is here.
 */
export async function ensureRabbitmq({ env = process.env } = {}) {
  const url = `amqp://guest:guest@${DEFAULT_RABBITMQ.host}:${DEFAULT_RABBITMQ.port}`;
  const problem = await rabbitmqAnswers(DEFAULT_RABBITMQ);
  if (!problem) return { url };
  // Something else holds the port: starting RabbitMQ would not help.
  if (!/^(ECONNREFUSED|no answer)/.test(problem)) return { url, absent: problem };
  const initScript = '/etc/init.d/rabbitmq-server';
  const find = () => (isExecutable(initScript) ? [initScript, 'start'] : null) ?? (onPath('rabbitmq-server', env.PATH) ? [onPath('rabbitmq-server', env.PATH), '-detached'] : null);
  let start = find();
  if (!start && aptInstall('rabbitmq-server', "the RabbitMQ destinations' test", env)) start = find();
  if (!start) return { url, absent: problem };
  say(`RabbitMQ does not answer at ${DEFAULT_RABBITMQ.host}:${DEFAULT_RABBITMQ.port} (${problem}): starting it (${start.join(' ')})`);
  // The Debian service's init script (this machine boots without systemd), else the server detached.
  spawnSync(start[0], start.slice(1), { stdio: 'inherit' });
  // An Erlang node takes a while to boot.
  const absent = await waitForAnswer(() => rabbitmqAnswers(DEFAULT_RABBITMQ), 90);
  return absent ? { url, absent } : { url };
}

export const DEFAULT_NATS = { host: '127.0.0.1', port: 4222 };

/** Null when a NATS server with JetStream greets at host:port (its INFO line says jetstream), else why not. */
const natsAnswers = async (address) => {
  let info = '';
  const problem = await serverAnswers(address, null, (data) => {
    info = data.toString();
    return info.startsWith('INFO ');
  });
  if (problem) return problem;
  return /"jetstream":\s*true/.test(info) ? null : 'the NATS server there runs without JetStream (start it with -js)';
};

/**
 * Whether the NATS destinations' test can run: `{ url }` when NATS with JetStream answers on
 * 127.0.0.1:4222 (nats-server started here with JetStream, storing in a temporary directory, when
 * it was not running; installed from Debian first when missing and we are root), or `{ url, absent }`.
 */
export async function ensureNats({ env = process.env } = {}) {
  const url = `nats://${DEFAULT_NATS.host}:${DEFAULT_NATS.port}`;
  const problem = await natsAnswers(DEFAULT_NATS);
  // A server without JetStream holds the port: starting another would not help.
  if (!problem || !/^(ECONNREFUSED|no answer)/.test(problem)) return problem ? { url, absent: problem } : { url };
  const find = () => onPath('nats-server', env.PATH) ?? (isExecutable('/usr/sbin/nats-server') ? '/usr/sbin/nats-server' : null);
  let server = find();
  if (!server && aptInstall('nats-server', "the NATS destinations' test", env)) server = find();
  if (!server) return { url, absent: problem };
  const dir = join(process.env.TMPDIR ?? '/tmp', 'hookd-test-nats');
  mkdirSync(dir, { recursive: true });
  say(`NATS does not answer at ${url} (${problem}): starting ${server} with JetStream`);
  spawn(server, ['-js', '-a', DEFAULT_NATS.host, '-p', String(DEFAULT_NATS.port), '-sd', dir, '-l', join(dir, 'nats.log')], { stdio: 'ignore', detached: true }).unref();
  const absent = await waitForAnswer(() => natsAnswers(DEFAULT_NATS), 30);
  return absent ? { url, absent } : { url };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    const chromium = locateChromium({ install: !process.argv.includes('--no-install') });
    const postgres = await ensurePostgres();
    const redis = await ensureRedis();
    const rabbitmq = await ensureRabbitmq();
    const nats = await ensureNats();
    process.stdout.write(JSON.stringify({ chromium, postgres, redis, rabbitmq, nats }) + '\n');
  } catch (error) {
    if (!(error instanceof MissingPrerequisite)) throw error;
    process.stderr.write(`npm test: ${error.message}\n`);
    process.exit(1);
  }
}
