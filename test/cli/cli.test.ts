import { execFile } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/paths.js';
import { startCli } from '../support/cli-process.js';
import { freePort, startServerProcess, tempDir } from '../support/server.js';
import { waitFor } from '../support/wait-for.js';

const run = promisify(execFile);
const cli = join(packageRoot, 'dist/src/main.js');

describe('hookd CLI', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('migrates, creates keys that the server accepts, and explains bad configuration', async () => {
    const databaseUrl = `sqlite:${join(dir, 'cli.db')}`;
    const env = { PATH: process.env.PATH ?? '', HOOKD_DATABASE_URL: databaseUrl };
    const migrated = await run(process.execPath, [cli, 'migrate'], { env });
    expect(migrated.stdout).toContain('migrations applied');

    const publisher = await run(process.execPath, [cli, 'keys', 'create', '--kind', 'publisher', '--name', 'ci'], { env });
    const publisherKey = publisher.stdout.trim();
    expect(publisherKey).toMatch(/^hk_publisher_/);
    const account = await run(process.execPath, [cli, 'keys', 'create', '--kind', 'account', '--account', 'acme'], { env });
    const accountKey = account.stdout.trim();
    expect(account.stderr).toContain('for account acme');

    await expect(run(process.execPath, [cli, 'keys', 'create', '--kind', 'account'], { env })).rejects.toMatchObject({ code: 2 });
    await expect(run(process.execPath, [cli, 'serve', '--port', 'eighty'], { env })).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--port must be a whole number'),
    });

    const server = await startServerProcess({ HOOKD_DATABASE_URL: databaseUrl });
    try {
      expect((await server.request('GET', '/v1/event-types', undefined, publisherKey)).status).toBe(200);
      expect((await server.request('GET', '/v1/endpoints', undefined, publisherKey)).status).toBe(403);
      expect((await server.request('GET', '/v1/endpoints', undefined, accountKey)).status).toBe(200);
    } finally {
      await server.stop();
    }
  });

  it('serve takes its settings as flags, and a flag wins over the environment', async () => {
    const [port, otherPort] = [await freePort(), await freePort()];
    const adminKey = 'hk_admin_flags_test_0123456789abcdef';
    const node = startCli(
      ['serve', '--port', String(port), '--host', '127.0.0.1', '--database-url', `sqlite:${join(dir, 'flags.db')}`, '--admin-key', adminKey, '--worker-concurrency', '7'],
      { HOOKD_PORT: String(otherPort), HOOKD_WORKER_CONCURRENCY: '99', HOOKD_DATABASE_URL: `sqlite:${join(dir, 'not-this.db')}` },
    );
    try {
      const url = `http://127.0.0.1:${port}`;
      await waitFor(async () => (await fetch(`${url}/ready`).catch(() => null))?.ok, { timeoutMs: 15_000, what: 'hookd on the flag\'s port' });
      expect(await fetch(`http://127.0.0.1:${otherPort}/ready`).then(() => 'answered', () => 'refused')).toBe('refused');
      const metrics = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${adminKey}` } });
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toMatch(/^hookd_worker_concurrency 7$/m);
    } finally {
      expect(await node.stop('SIGTERM')).toBe(0);
    }
    expect(existsSync(join(dir, 'flags.db'))).toBe(true);
    expect(existsSync(join(dir, 'not-this.db'))).toBe(false);
  });
});
