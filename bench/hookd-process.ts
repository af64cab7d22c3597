import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { cpuSeconds, peakRssBytes, runQueueWaitSeconds } from './proc-stats.js';

// hookd as a user runs it: `node dist/src/main.js serve`, its own OS process, on loopback, with
// the SSRF guard off (the receiver is on 127.0.0.1). The bench talks to it over HTTP only.

const MAIN = fileURLToPath(new URL('../src/main.js', import.meta.url));
/** The key every hookd of a bench run seals its secrets with (all the nodes of one database must share it). */
const BENCH_ENCRYPTION_KEY = Buffer.alloc(32, 11).toString('base64');

export interface HookdOptions {
  databaseUrl: string;
  /** Extra HOOKD_* settings (HOOKD_ROLE=api for the ingest runs). */
  env?: Record<string, string>;
  /** Write a V8 CPU profile of the run into this directory (node --cpu-prof). */
  cpuProfileDir?: string | null;
  /** CPU the database server has used for it so far (PostgreSQL), for per-delivery costs. */
  databaseCpuSeconds?: () => Promise<number | null>;
}

export interface ApiAnswer {
  status: number;
  body: unknown;
}

export class HookdProcess {
  /** Keep-alive connections to hookd, shared by the setup calls and the load generators. */
  readonly pool: Pool;
  private output = '';
  private readonly exited: Promise<number | null>;

  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
    readonly adminKey: string,
    /** HOOKD_DATABASE_URL it runs on (the soak reads the database's size beside it). */
    readonly databaseUrl: string,
    /** CPU seconds the database server has spent for this hookd (null for SQLite, which is inside it). */
    readonly databaseCpuSeconds: () => Promise<number | null>,
  ) {
    this.pool = new Pool(url, { connections: 128, keepAliveTimeout: 30_000 });
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-20_000);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  static async start(options: HookdOptions): Promise<HookdProcess> {
    const port = await freePort();
    const adminKey = `hk_admin_bench_${randomBytes(16).toString('hex')}`;
    const nodeFlags = options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : [];
    const child = spawn(process.execPath, [...nodeFlags, MAIN, 'serve'], {
      env: {
        PATH: process.env.PATH ?? '',
        // PostgreSQL refuses to start without a key, and sealed secrets are what a real install
        // runs with on either database: one fixed key for every node of a run (HOOKD_ENCRYPTION_KEY of the bench's own wins).
        HOOKD_ENCRYPTION_KEY: BENCH_ENCRYPTION_KEY,
        // Settings to measure (HOOKD_ENDPOINT_CONCURRENCY=32 npm run bench): the bench's own HOOKD_*
        // variables reach every hookd it starts; those below, which the bench needs, win.
        ...tuningFromEnvironment(),
        HOOKD_HOST: '127.0.0.1',
        HOOKD_PORT: String(port),
        HOOKD_DATABASE_URL: options.databaseUrl,
        HOOKD_ADMIN_KEY: adminKey,
        HOOKD_ALLOW_PRIVATE_URLS: 'true',
        HOOKD_LOG_LEVEL: 'warn',
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const hookd = new HookdProcess(child, `http://127.0.0.1:${port}`, adminKey, options.databaseUrl, options.databaseCpuSeconds ?? (async () => null));
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`hookd exited at start:\n${hookd.output}`);
      const ready = await hookd.pool.request({ method: 'GET', path: '/ready' }).then(
        async (res) => (await res.body.text(), res.statusCode === 200),
        () => false,
      );
      if (ready) return hookd;
      if (Date.now() > deadline) {
        await hookd.stop();
        throw new Error(`hookd not ready after 30 s:\n${hookd.output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** The last lines hookd wrote (warnings and errors), for failure reports. */
  get recentOutput(): string {
    return this.output;
  }

  async api(method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<ApiAnswer> {
    const res = await this.pool.request({
      method,
      path,
      headers: { authorization: `Bearer ${this.adminKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.body.text();
    return { status: res.statusCode, body: text === '' ? null : JSON.parse(text) };
  }

  /** Like api(), but anything other than the expected status stops the bench. */
  async expect<T = unknown>(status: number, method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
    const answer = await this.api(method, path, body);
    if (answer.status !== status) {
      throw new Error(`${method} ${path}: expected ${status}, got ${answer.status} ${JSON.stringify(answer.body)}`);
    }
    return answer.body as T;
  }

  peakRssBytes(): number | null {
    return peakRssBytes(this.pid);
  }

  cpuSeconds(): number | null {
    return cpuSeconds(this.pid);
  }

  /** Seconds hookd's event loop has waited for a core so far (Linux). */
  runQueueWaitSeconds(): number | null {
    return runQueueWaitSeconds(this.pid);
  }

  /** SIGTERM (hookd finishes what is in flight and writes its CPU profile), SIGKILL after 20 s. */
  async stop(): Promise<void> {
    await this.pool.close().catch(() => undefined);
    if (this.child.exitCode !== null) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 20_000);
    await this.exited;
    clearTimeout(timer);
  }
}

/** A port free on 127.0.0.1 at the moment of asking. */
export async function freePort(): Promise<number> {
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

/** HOOKD_* variables of the bench's own environment. */
export function tuningFromEnvironment(): Record<string, string> {
  return Object.fromEntries(Object.entries(process.env).filter((entry): entry is [string, string] => entry[0].startsWith('HOOKD_') && entry[1] !== undefined));
}
