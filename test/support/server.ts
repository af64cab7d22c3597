import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type Config } from '../../src/config.js';
import type { Logger } from 'pino';
import type { Clock } from '../../src/domain/clock.js';
import { packageRoot } from '../../src/paths.js';
import { startHookd, type RunningHookd, type StartOptions } from '../../src/server.js';
import { createTestSchema } from './postgres.js';
import { waitFor } from './wait-for.js';

// Starting the real hookd for a test: in this process (fast, for most tests) or as its own OS
// process running the built CLI (for restarts and kill -9). Always on loopback, on a free port,
// with its own SQLite file.

/**
 * A JSON answer as a test reads it: the expect() calls on it are the check, so reads are not cast
 * one by one. The one place test code leaves a type open.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above: tests navigate JSON answers they then assert on
export type Json = any;

export interface ApiResponse<T = Json> {
  status: number;
  headers: Headers;
  body: T;
}

export interface ApiClient {
  url: string;
  adminKey: string;
  request<T = Json>(method: string, path: string, body?: unknown, key?: string | null): Promise<ApiResponse<T>>;
}

export interface TestServer extends ApiClient {
  hookd: RunningHookd;
  dbPath: string;
  close(): Promise<void>;
}

/**
 * PostgreSQL refuses to start without an encryption key: the tests' nodes share this one (all the
 * nodes of one database must), unless a test gives its own or asks for plaintext.
 */
export const TEST_ENCRYPTION_KEY = Buffer.alloc(32, 7).toString('base64');

function withTestEncryptionKey(env: Partial<Record<string, string>>): Partial<Record<string, string>> {
  const postgres = /^postgres(ql)?:/.test(env.HOOKD_DATABASE_URL ?? '');
  if (!postgres || env.HOOKD_ENCRYPTION_KEY !== undefined || env.HOOKD_INSECURE_PLAINTEXT_SECRETS !== undefined) return env;
  return { ...env, HOOKD_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY };
}

export function tempDir(prefix = 'hookd-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function apiClient(url: string, adminKey: string): ApiClient {
  return {
    url,
    adminKey,
    async request(method, path, body, key = adminKey) {
      const headers: Record<string, string> = {};
      if (key !== null) headers.authorization = `Bearer ${key}`;
      if (body !== undefined) headers['content-type'] = 'application/json';
      const response = await fetch(url + path, {
        method,
        headers,
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = text === '' ? null : JSON.parse(text);
      } catch {
        // Not JSON: the raw text is the body.
      }
      return { status: response.status, headers: response.headers, body: parsed as Json };
    },
  };
}

/**
 * The backend the integration tests run on: `HOOKD_TEST_BACKEND=postgres` runs them against a fresh
 * PostgreSQL schema each, SQLite otherwise (`npm test` runs both).
 */
export const TEST_BACKEND = process.env.HOOKD_TEST_BACKEND === 'postgres' ? 'postgres' : 'sqlite';

export async function startServer(
  overrides: Partial<Record<string, string>> = {},
  dbPath?: string,
  clock?: Clock,
  /** A logger of the test's own, to read what the server logs (HOOKD_LOG_LEVEL is then ignored). */
  log?: Logger,
  /** Options of startHookd itself: the worker's idle poll, the DNS the URL guard checks. */
  start: Pick<StartOptions, 'idlePollMs' | 'resolve'> = {},
): Promise<TestServer> {
  const dir = dbPath === undefined ? tempDir() : null;
  const path = dbPath ?? join(dir!, 'hookd.db');
  const schema = TEST_BACKEND === 'postgres' && dbPath === undefined ? await createTestSchema() : null;
  const adminKey = overrides.HOOKD_ADMIN_KEY ?? `hk_admin_test_${randomBytes(16).toString('hex')}`;
  const config: Config = loadConfig(
    withTestEncryptionKey({
      HOOKD_PORT: '0',
      HOOKD_HOST: '127.0.0.1',
      HOOKD_DATABASE_URL: schema?.url ?? `sqlite:${path}`,
      HOOKD_ALLOW_PRIVATE_URLS: 'true',
      HOOKD_LOG_LEVEL: 'silent',
      ...overrides,
      HOOKD_ADMIN_KEY: adminKey,
    }),
  );
  const hookd = await startHookd(config, { ...start, print: () => undefined, clock, log });
  const client = apiClient(hookd.url, adminKey);
  return {
    ...client,
    hookd,
    dbPath: path,
    async close() {
      await hookd.close();
      await schema?.drop();
      if (dir !== null) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface ServerProcess extends ApiClient {
  child: ChildProcess;
  output(): string;
  /** SIGTERM and wait for exit. */
  stop(): Promise<number | null>;
  /** SIGKILL: no chance to clean up. */
  kill(): Promise<void>;
}

/** Runs `node dist/src/main.js serve` (built by `npm test` before the tests). */
export async function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  const port = env.HOOKD_PORT ?? String(await freePort());
  const adminKey = env.HOOKD_ADMIN_KEY ?? `hk_admin_test_${randomBytes(16).toString('hex')}`;
  const child = spawn(process.execPath, [join(packageRoot, 'dist/src/main.js'), 'serve'], {
    env: {
      PATH: process.env.PATH ?? '',
      HOOKD_HOST: '127.0.0.1',
      HOOKD_ALLOW_PRIVATE_URLS: 'true',
      HOOKD_LOG_LEVEL: 'warn',
      ...withTestEncryptionKey(env),
      HOOKD_PORT: port,
      HOOKD_ADMIN_KEY: adminKey,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  // One that does not get ready in time is killed: left running after the test, orphaned, it would
  // load a busy machine further and make the next process starts slower still.
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`hookd exited: ${output}`);
      return (await fetch(url + '/ready').catch(() => null))?.ok;
    },
    { timeoutMs: 15_000, what: 'hookd process to be ready' },
  ).catch((error: unknown) => {
    // A node that never became ready must not outlive the test, holding its port and a core.
    child.kill('SIGKILL');
    throw error;
  });
  return {
    ...apiClient(url, adminKey),
    child,
    output: () => output,
    async stop() {
      child.kill('SIGTERM');
      return exited;
    },
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
