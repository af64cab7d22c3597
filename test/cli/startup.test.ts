import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli, type CliResult } from '../support/cli-process.js';
import { createEndpoint, createEventTypes, postEvent } from '../support/fixtures.js';
import { freePort, startServerProcess, tempDir, TEST_ENCRYPTION_KEY } from '../support/server.js';
import { startReceiver } from '../support/receiver.js';
import { waitFor } from '../support/wait-for.js';
import { packageRoot } from '../../src/paths.js';

// How `hookd serve` starts and how it refuses to: nothing is delivered before the port is bound,
// and every failure is one line on stderr naming the setting to fix, with a non-zero exit.

/** One line, naming the setting, with no stack trace or path into our code or node_modules. */
function expectOneClearLine(result: CliResult, setting: RegExp): void {
  expect(result.code).not.toBe(0);
  expect(result.code).not.toBeNull();
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^hookd: /);
  expect(lines[0]).toMatch(setting);
  expect(result.stderr).not.toMatch(/\n\s+at |node_modules|dist\/src/);
}

describe('hookd serve start-up', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a second hookd on a port in use exits with one line and delivers nothing', async () => {
    const databaseUrl = `sqlite:${join(dir, 'shared.db')}`;
    const receiver = await startReceiver();
    // The first node serves the API only: what is due stays due, and only the second could take it.
    const port = String(await freePort());
    const first = await startServerProcess({ HOOKD_DATABASE_URL: databaseUrl, HOOKD_ROLE: 'api', HOOKD_PORT: port });
    try {
      await createEventTypes(first, 'order.paid');
      await createEndpoint(first, { url: `${receiver.url}/hooks`, eventTypes: ['order.paid'] });
      const { id } = await postEvent(first, { type: 'order.paid', payload: { order: 1 } });

      const second = await runCli(['serve'], {
        HOOKD_PORT: port,
        HOOKD_HOST: '127.0.0.1',
        HOOKD_DATABASE_URL: databaseUrl,
        HOOKD_ALLOW_PRIVATE_URLS: 'true',
        HOOKD_ADMIN_KEY: first.adminKey,
      });
      expectOneClearLine(second, /port \d+ is already in use .*HOOKD_PORT \(--port\)/);
      expect(second.code).toBe(1);

      // The second node has exited: whatever it did is done. It neither sent nor leased anything.
      expect(receiver.requests).toHaveLength(0);
      const [delivery] = (await first.request('GET', `/v1/deliveries?eventId=${id}`)).body.data;
      expect(delivery).toMatchObject({ status: 'pending', attempts: 0 });
    } finally {
      await first.stop();
      await receiver.close();
    }
  }, 120_000);

  it('explains a PostgreSQL that is down, a missing database and a missing role in one line each', async () => {
    const closedPort = await freePort();
    const role = `nobody_${randomBytes(4).toString('hex')}`;
    const database = `missing_${randomBytes(4).toString('hex')}`;
    const cases: Array<[string, RegExp]> = [
      [`postgres://postgres@127.0.0.1:${closedPort}/hookd`, new RegExp(`cannot reach PostgreSQL at 127\\.0\\.0\\.1:${closedPort} \\(ECONNREFUSED\\).*HOOKD_DATABASE_URL`)],
      [`postgres://postgres@127.0.0.1:5432/${database}`, new RegExp(`no database "${database}": create it .*HOOKD_DATABASE_URL`)],
      [`postgres://${role}:pw-not-shown@127.0.0.1:5432/postgres`, new RegExp(`refused the role "${role}".*HOOKD_DATABASE_URL`)],
    ];
    const results = await Promise.all(cases.map(([url]) => runCli(['serve', '--port', '0'], { HOOKD_DATABASE_URL: url, HOOKD_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY })));
    results.forEach((result, index) => {
      expectOneClearLine(result, cases[index]![1]);
      expect(result.stderr).not.toContain('pw-not-shown');
      expect(result.stdout).toBe('');
    });
    // The same for the commands that open the database directly.
    expectOneClearLine(await runCli(['migrate', '--database-url', cases[0]![0]]), /cannot reach PostgreSQL/);
  }, 120_000);

  it('explains an SQLite path it cannot write and a bad setting in one line each', async () => {
    const notADirectory = join(dir, 'a-file');
    writeFileSync(notADirectory, 'not a directory');
    const sqlite = await runCli(['serve', '--port', '0', '--database-url', `sqlite:${notADirectory}/hookd.db`]);
    expectOneClearLine(sqlite, /cannot open the SQLite database .*a-file\/hookd\.db.*HOOKD_DATABASE_URL \(--database-url\)/);

    const badValue = await runCli(['serve'], { HOOKD_WORKER_CONCURRENCY: 'lots' });
    expectOneClearLine(badValue, /HOOKD_WORKER_CONCURRENCY must be a whole number/);
    expect(badValue.code).toBe(2);
    const badFormat = await runCli(['serve', '--log-format', 'xml']);
    expectOneClearLine(badFormat, /--log-format must be one of auto, json, pretty/);
  });

  it('refuses, in one line, a database that a newer hookd has migrated, and leaves it as it was', async () => {
    const path = join(dir, 'from-the-future.db');
    const migrated = await runCli(['migrate', '--database-url', `sqlite:${path}`]);
    expect(migrated.code, migrated.stderr).toBe(0);
    const db = new Database(path);
    db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, ?, ?)').run('from_a_newer_hookd', Date.now());
    db.close();
    const refused = await runCli(['serve', '--port', '0', '--database-url', `sqlite:${path}`]);
    expectOneClearLine(refused, /migrated by a newer hookd \(schema version 9999; this hookd knows up to \d+\)/);
    const after = new Database(path, { readonly: true });
    expect(after.prepare('SELECT max(version) AS v FROM schema_migrations').get()).toEqual({ v: 9999 });
    after.close();
  });

  it('writes the first admin key to a 0600 file, logs its path and never the key, and warns that the URL guard is off', async () => {
    const port = await freePort();
    const node = startCli(['serve', '--port', String(port), '--database-url', `sqlite:${join(dir, 'first.db')}`, '--allow-private-urls'], {});
    try {
      await node.waitForOutput(/"msg":"hookd listening"/);
      const keyFile = join(dir, 'hookd-admin-key');
      const key = readFileSync(keyFile, 'utf8').trim();
      expect(key).toMatch(/^hk_admin_/);
      expect(statSync(keyFile).mode & 0o777).toBe(0o600);

      const entries = node
        .stdout()
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(entries).toContainEqual(expect.objectContaining({ level: 40, path: keyFile, msg: expect.stringContaining('first admin key') }));
      expect(entries).toContainEqual(expect.objectContaining({ level: 40, msg: expect.stringContaining('URL guard is off (HOOKD_ALLOW_PRIVATE_URLS)') }));
      expect(node.stdout() + node.stderr()).not.toContain(key);

      // The key works.
      const answer = await fetch(`http://127.0.0.1:${port}/v1/endpoints`, { headers: { authorization: `Bearer ${key}` } });
      expect(answer.status).toBe(200);
    } finally {
      expect(await node.stop('SIGTERM')).toBe(0);
    }
  });

  it('on a terminal, shows the first admin key there, writes no file, and logs in the pretty format', async () => {
    const port = await freePort();
    const data = join(dir, 'terminal');
    // `script` gives hookd a terminal as a person at a shell would (util-linux, in every Debian).
    const command = [process.execPath, join(packageRoot, 'dist/src/main.js'), 'serve', '--port', String(port), '--database-url', `sqlite:${data}/hookd.db`].join(' ');
    const terminal = spawn('script', ['-qfec', command, '/dev/null'], { env: { PATH: process.env.PATH ?? '', TERM: 'dumb' }, stdio: ['pipe', 'pipe', 'pipe'] });
    let seen = '';
    terminal.stdout.on('data', (chunk: Buffer) => (seen += chunk.toString()));
    const exited = new Promise((resolve) => terminal.once('exit', resolve));
    try {
      await waitFor(() => /hookd listening/.test(seen), { timeoutMs: 30_000, what: 'hookd listening on the terminal' });
      const key = /created the first admin key \(shown once, keep it safe\):\s+(hk_admin_[A-Za-z0-9_-]+)/.exec(seen)?.[1];
      expect(key).toBeDefined();
      expect(existsSync(join(data, 'hookd-admin-key'))).toBe(false);
      // Pretty lines, not JSON: `[12:00:00.000] INFO: hookd listening`.
      expect(stripVTControlCharacters(seen)).toMatch(/\[\d\d:\d\d:\d\d\.\d{3}\] INFO: hookd listening/);
      expect(seen).not.toContain('{"level"');
      const answer = await fetch(`http://127.0.0.1:${port}/v1/endpoints`, { headers: { authorization: `Bearer ${key}` } });
      expect(answer.status).toBe(200);
    } finally {
      terminal.kill('SIGTERM');
      await exited;
      // The terminal closing hangs hookd up; make sure it is gone before the next test.
      await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/ready`).then(() => false, () => true)), { what: 'hookd gone' });
    }
  }, 120_000);
});
