import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/paths.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { apiClient, freePort, tempDir, type ApiClient } from '../support/server.js';
import { waitFor } from '../support/wait-for.js';

// The package as an operator gets it: `npm pack` (which builds when the build is stale), then
// `npm install -g` of the tarball into a prefix of its own, then that prefix's `hookd serve` from an
// unrelated folder, nothing of the clone on its path. It must serve the API, the dashboard, and
// deliver a signed webhook; its CLI must reach it through the SDK bundled in the tarball.
// Containers cannot run on the machines this is tested on (docs/decisions.md), so the server is
// started as the Dockerfile's image starts it — its CMD with its ENV, in a folder standing for the
// /data volume — and its HEALTHCHECK command is run against it; the build stage runs these same
// npm pack and npm install -g.
//
// Dependencies come from the npm cache or registry like any install. One exception: better-sqlite3
// would compile its native addon (prebuild-install's download of a prebuilt binary reaches no host
// here, so node-gyp builds it: ~2–4 minutes of CPU). Its install script still runs, but finds the
// binary this clone already built, of the same version and Node ABI, as a "local prebuild" —
// exactly what its download would have brought.

const run = promisify(execFile);

/** What the Dockerfile's final stage runs: its ENV, CMD and HEALTHCHECK command. */
function imageOf(dockerfile: string) {
  const lines = dockerfile.replace(/\\\n\s*/g, ' ').split('\n');
  const final = lines.slice(lines.findLastIndex((line) => line.startsWith('FROM ')));
  const env: Record<string, string> = {};
  for (const line of final.filter((l) => l.startsWith('ENV '))) {
    for (const [, name, value] of line.slice(4).matchAll(/(\w+)=(\S+)/g)) env[name!] = value!;
  }
  const json = (prefix: RegExp) => JSON.parse(final.find((line) => prefix.test(line))!.replace(prefix, '')) as string[];
  return { env, cmd: json(/^CMD /), healthcheck: json(/^HEALTHCHECK .*?CMD /) };
}
const image = imageOf(readFileSync(join(packageRoot, 'Dockerfile'), 'utf8'));
// npm keeps the whole environment: it may carry what reaching the registry needs (a CA file, a proxy).
const npmEnv = { ...process.env, npm_config_update_notifier: 'false' };

describe('the packed hookd installed with npm install -g', { timeout: 120_000 }, () => {
  const work = tempDir('hookd-pack-');
  const prefix = join(work, 'prefix');
  const elsewhere = join(work, 'somewhere-else');
  const adminKey = `hk_admin_${randomBytes(16).toString('hex')}`;
  let files: string[];
  let hookd: ChildProcess;
  let output = '';
  let url: string;
  let api: ApiClient;
  let receiver: Receiver;

  beforeAll(async () => {
    const { stdout } = await run('npm', ['pack', '--silent', '--pack-destination', work], { cwd: packageRoot, env: npmEnv, timeout: 180_000 });
    const tarball = join(work, stdout.trim().split('\n').at(-1)!);
    files = (await run('tar', ['-tzf', tarball])).stdout.split('\n').filter(Boolean);

    const sqlite = JSON.parse((await run('npm', ['pkg', 'get', 'version'], { cwd: join(packageRoot, 'node_modules/better-sqlite3') })).stdout) as string;
    const prebuilds = join(work, 'prebuilds');
    mkdirSync(prebuilds);
    const prebuilt = `better-sqlite3-v${sqlite}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
    await run('tar', ['-czf', join(prebuilds, prebuilt), '-C', join(packageRoot, 'node_modules/better-sqlite3'), 'build/Release/better_sqlite3.node']);
    await run('npm', ['install', '--global', '--prefix', prefix, '--no-audit', '--no-fund', '--allow-scripts=better-sqlite3', tarball], {
      cwd: work,
      env: { ...npmEnv, npm_config_better_sqlite3_local_prebuilds: prebuilds },
      timeout: 180_000,
    });

    mkdirSync(elsewhere);
    receiver = await startReceiver();
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    api = apiClient(url, adminKey);
    // The image's environment, but on loopback, on a free port, with `elsewhere` as the /data volume.
    const [command, ...args] = image.cmd;
    hookd = spawn(command!, args, {
      cwd: elsewhere,
      env: {
        ...image.env,
        PATH: `${join(prefix, 'bin')}:${process.env.PATH ?? ''}`,
        HOOKD_HOST: '127.0.0.1',
        HOOKD_PORT: String(port),
        HOOKD_DATABASE_URL: image.env.HOOKD_DATABASE_URL!.replace('/data/', `${elsewhere}/`),
        HOOKD_ADMIN_KEY: adminKey,
        HOOKD_ALLOW_PRIVATE_URLS: 'true',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    hookd.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    hookd.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitFor(
      async () => {
        if (hookd.exitCode !== null) throw new Error(`hookd exited: ${output}`);
        return (await fetch(url + '/ready').catch(() => null))?.ok;
      },
      { timeoutMs: 30_000, what: 'the installed hookd to be ready' },
    );
  }, 400_000);

  afterAll(async () => {
    if (hookd && hookd.exitCode === null) {
      const exited = new Promise((resolve) => hookd.once('exit', resolve));
      hookd.kill('SIGTERM');
      await exited;
    }
    await receiver?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('holds the built server, the migrations, the web app, the SDK and the systemd unit, and no sources or tests', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        'package/dist/src/main.js',
        'package/migrations/sqlite/0001_init.sql',
        'package/migrations/postgres/0001_init.sql',
        'package/packages/web/dist/index.html',
        'package/deploy/hookd.service',
        'package/node_modules/@hookd/sdk/dist/index.js',
        'package/node_modules/@hookd/sdk/package.json',
      ]),
    );
    expect(files.filter((file) => /^package\/(src|test|bench|scripts)\/|^package\/dist\/.*(\.test\.js|\.map|\.tsbuildinfo)$/.test(file))).toEqual([]);
  });

  it('serves from an unrelated folder, with its database file there, the dashboard included', async () => {
    expect(existsSync(join(elsewhere, 'hookd.db'))).toBe(true);
    // The key sealing the database's secrets lives in the same volume, so one backup holds both.
    expect(existsSync(join(elsewhere, 'hookd-encryption-key'))).toBe(true);
    const me = await api.request('GET', '/v1/me');
    expect(me).toMatchObject({ status: 200, body: { kind: 'admin' } });
    const dashboard = await fetch(url + '/');
    expect(dashboard.status).toBe(200);
    expect(await dashboard.text()).toContain('<div id="root">');
    const { stdout } = await run(join(prefix, 'bin', 'hookd'), ['--version'], { cwd: elsewhere });
    expect(stdout.trim()).toBe((await import('../../src/version.js')).VERSION);
  });

  it("answers the image's HEALTHCHECK command while it runs", async () => {
    expect(image.healthcheck[0]).toBe('node');
    const port = new URL(url).port;
    await expect(run(image.healthcheck[0]!, image.healthcheck.slice(1), { env: { PATH: process.env.PATH ?? '', HOOKD_PORT: port } })).resolves.toBeDefined();
    const down = await freePort();
    await expect(run(image.healthcheck[0]!, image.healthcheck.slice(1), { env: { PATH: process.env.PATH ?? '', HOOKD_PORT: String(down) } })).rejects.toMatchObject({ code: 1 });
  });

  it('delivers a signed webhook; its CLI reaches it through the bundled SDK', async () => {
    const cli = await run(join(prefix, 'bin', 'hookd'), ['event-types', 'create', 'invoice.paid', '--url', url, '--key', adminKey], {
      cwd: elsewhere,
      env: { PATH: process.env.PATH ?? '' },
    });
    expect(cli.stdout).toBe('created event type invoice.paid\n');
    const endpoint = await api.request('POST', '/v1/endpoints', { url: `${receiver.url}/hooks`, eventTypes: ['invoice.paid'] });
    expect(endpoint.status).toBe(201);
    const event = await api.request('POST', '/v1/events', { type: 'invoice.paid', payload: { invoiceId: 'inv_1' } });
    expect(event.status).toBe(202);
    const [request] = await waitFor(() => receiver.requestsTo('/hooks').length > 0 && receiver.requestsTo('/hooks'), { timeoutMs: 15_000, what: 'the webhook' });
    const verified = new Webhook(endpoint.body.secret as string).verify(request!.body, request!.headers as Record<string, string>) as { data: unknown };
    expect(verified.data).toEqual({ invoiceId: 'inv_1' });
  });
});
