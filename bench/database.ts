import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { loadConfig } from '../src/config.js';
import { newId } from '../src/domain/ids.js';
import type { Delivery } from '../src/domain/types.js';
import { prepareStore } from '../src/server.js';
import { cpuSeconds } from './proc-stats.js';
import { BENCH_EVENT_TYPE, payloadOf } from './workload.js';

// A fresh database for every hookd the bench starts: a new SQLite file in a temp directory, or a
// new PostgreSQL database on 127.0.0.1:5432 (trust auth, like the tests; or on the bench's own
// server, bench-postgres.ts), dropped afterwards.

export type Backend = 'sqlite' | 'postgres';

/** The server the bench's databases are made on: a live binding, moved once by usePostgresServer before any is made. */
export let POSTGRES_ADMIN_URL = process.env.HOOKD_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Every database from now on is made on the server at `url` (the bench's own PostgreSQL). */
export function usePostgresServer(url: string): void {
  POSTGRES_ADMIN_URL = url;
}

export interface FreshDatabase {
  url: string;
  /**
   * CPU seconds the database server has spent on this database so far (PostgreSQL: its backend
   * processes, which share the machine with hookd); null for SQLite, which runs inside hookd.
   */
  serverCpuSeconds(): Promise<number | null>;
  drop(): Promise<void>;
}

export async function freshDatabase(backend: Backend): Promise<FreshDatabase> {
  if (backend === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'hookd-bench-'));
    return {
      url: `sqlite:${join(dir, 'hookd.db')}`,
      serverCpuSeconds: async () => null,
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const name = `hookd_bench_${randomBytes(6).toString('hex')}`;
  await postgresAdmin((client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async serverCpuSeconds() {
      const backends = await postgresAdmin((client) => client.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [name]));
      let total = 0;
      for (const { pid } of backends.rows) {
        const used = cpuSeconds(pid);
        if (used === null) return null;
        total += used;
      }
      return total;
    },
    drop: () => postgresAdmin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

async function postgresAdmin<T>(body: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    return await body(client);
  } finally {
    await client.end();
  }
}

/**
 * Fills a fresh database with `count` pending deliveries due a week from now, before hookd starts:
 * the backlog that must not slow down the deliveries that are due. Written through hookd's own
 * store (it creates the schema), 100 deliveries per event, 10,000 per transaction.
 */
export async function seedFutureBacklog(databaseUrl: string, count: number): Promise<void> {
  const store = await prepareStore(loadConfig({ HOOKD_DATABASE_URL: databaseUrl }));
  try {
    const now = Date.now();
    const dueAt = now + 7 * 24 * 3600 * 1000;
    const payload = JSON.stringify(payloadOf(0));
    let left = count;
    while (left > 0) {
      const batch = [];
      for (let events = 0; events < 100 && left > 0; events++) {
        const event = {
          id: newId('evt', now),
          type: BENCH_EVENT_TYPE,
          accountId: null,
          payload,
          correlationId: null,
          callbackUrl: null,
          occurredAt: now,
          createdAt: now,
        };
        const deliveries: Delivery[] = [];
        for (let i = 0; i < 100 && left > 0; i++, left--) {
          deliveries.push({
            id: newId('dlv', now),
            eventId: event.id,
            endpointId: 'ep_bench_backlog',
            accountId: null,
            eventType: event.type,
            url: 'http://127.0.0.1:9/backlog',
            status: 'pending',
            attempts: 0,
            nextAttemptAt: dueAt,
            lastStatusCode: null,
            lastError: null,
            correlationId: null,
            createdAt: now,
            completedAt: null,
          });
        }
        batch.push({ event, deliveries, clientId: false });
      }
      await store.ingestEvents(batch, now, now);
    }
  } finally {
    await store.close();
  }
}
