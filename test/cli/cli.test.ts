import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/paths.js';
import { startServerProcess, tempDir } from '../support/server.js';

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
});
