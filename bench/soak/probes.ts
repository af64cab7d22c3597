import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { HookdProcess } from '../hookd-process.js';
import { processTreeCpuSeconds } from '../proc-stats.js';
import { BENCH_EVENT_TYPE } from '../workload.js';

// What the soak reads beside the load, once a minute: hookd's own /metrics (the process figures
// an operator's Prometheus would see), and the database — its size on disk and, on PostgreSQL,
// its WAL and dead tuples — read directly, as a DBA would.

export interface ProcessFigures {
  rssBytes: number;
  heapUsedBytes: number;
  eventLoopP99Seconds: number;
  attempts: number;
  /** First attempts the worker took so far handed over at ingest, and claimed from the queue (null when hookd does not say). */
  handedOver: number | null;
  claimedFirst: number | null;
}

/** Sums the samples of a metric (every label set) in Prometheus' text format; NaN when absent. */
export function metricValue(exposition: string, name: string): number {
  let total = NaN;
  for (const line of exposition.split('\n')) {
    if (!line.startsWith(name) || (line[name.length] !== ' ' && line[name.length] !== '{')) continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    total = Number.isNaN(total) ? value : total + value;
  }
  return total;
}

/** Scrapes GET /metrics (with the admin key). prom-client resets its event-loop histogram at each scrape. */
export async function scrapeProcess(hookd: HookdProcess): Promise<ProcessFigures> {
  const res = await hookd.pool.request({ method: 'GET', path: '/metrics', headers: { authorization: `Bearer ${hookd.adminKey}` } });
  const text = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`GET /metrics: expected 200, got ${res.statusCode}`);
  const figures = {
    rssBytes: metricValue(text, 'process_resident_memory_bytes'),
    heapUsedBytes: metricValue(text, 'nodejs_heap_size_used_bytes'),
    eventLoopP99Seconds: metricValue(text, 'nodejs_eventloop_lag_p99_seconds'),
    attempts: metricValue(text, 'hookd_attempts_total'),
  };
  // No attempt yet: hookd_attempts_total has no sample.
  if (Number.isNaN(figures.attempts)) figures.attempts = 0;
  for (const [name, value] of Object.entries(figures)) {
    if (Number.isNaN(value)) throw new Error(`GET /metrics: no ${name}`);
  }
  const taken = (via: string): number | null => {
    const value = metricValue(text, `hookd_worker_deliveries_taken_total{via="${via}"}`);
    return Number.isNaN(value) ? null : value;
  };
  return { ...figures, handedOver: taken('hand_off'), claimedFirst: taken('claim') };
}

export interface DatabaseFigures {
  databaseBytes: number;
  wal: { bytes: number; written: boolean } | null;
  deadTuples: number | null;
  /** PostgreSQL: autovacuum runs so far on hookd's tables, partitions included (null for SQLite). */
  autovacuums: number | null;
  /** PostgreSQL: CPU seconds of the whole server so far (every backend, autovacuum, checkpointer…), when it runs on this machine; else null. */
  serverCpuSeconds: number | null;
}

/** hookd's tables (the rest of the schema is the migrations' bookkeeping); partitioned ones are read with their partitions. */
const TABLES = ['events', 'deliveries', 'attempts', 'endpoints'];
const TABLE_STATS = `SELECT sum(s.n_dead_tup) AS dead, sum(s.autovacuum_count) AS vacuums
  FROM unnest($1::text[]) AS t(name) CROSS JOIN LATERAL pg_partition_tree(t.name::regclass) AS p
  JOIN pg_stat_user_tables s ON s.relid = p.relid`;

export interface DatabaseProbe {
  read(): Promise<DatabaseFigures>;
  /** Events of the bench's type stored, and deliveries stored per endpoint id. */
  count(): Promise<{ events: number; deliveriesByEndpoint: Map<string, number> }>;
  close(): Promise<void>;
}

// The bench's events (the soak's types are `bench.event.<n>`), not hookd's operational ones.
const COUNT_EVENTS = `SELECT count(*) AS n FROM events WHERE type = '${BENCH_EVENT_TYPE}' OR type LIKE '${BENCH_EVENT_TYPE}.%'`;
const COUNT_DELIVERIES = 'SELECT endpoint_id, count(*) AS n FROM deliveries WHERE endpoint_id IS NOT NULL GROUP BY endpoint_id';

export function databaseProbe(databaseUrl: string): DatabaseProbe {
  return databaseUrl.startsWith('sqlite:') ? sqliteProbe(databaseUrl.slice('sqlite:'.length)) : postgresProbe(databaseUrl);
}

function sqliteProbe(path: string): DatabaseProbe {
  const size = (file: string) => {
    try {
      return statSync(file).size;
    } catch {
      return 0;
    }
  };
  return {
    async read() {
      const wal = size(`${path}-wal`);
      return { databaseBytes: size(path) + wal, wal: { bytes: wal, written: false }, deadTuples: null, autovacuums: null, serverCpuSeconds: null };
    },
    async count() {
      // A reader beside hookd's writer: WAL mode lets it see the last commit without blocking.
      const db = new Database(path, { readonly: true, fileMustExist: true });
      try {
        const events = (db.prepare(COUNT_EVENTS).get() as { n: number }).n;
        const rows = db.prepare(COUNT_DELIVERIES).all() as Array<{ endpoint_id: string; n: number }>;
        return { events, deliveriesByEndpoint: new Map(rows.map((row) => [row.endpoint_id, row.n])) };
      } finally {
        db.close();
      }
    },
    close: async () => undefined,
  };
}

function postgresProbe(url: string): DatabaseProbe {
  // One connection of the bench's own for the whole run. Its backend is counted in the database's
  // CPU with hookd's, but it works a few milliseconds a minute.
  const client = new pg.Client({ connectionString: url });
  const connected = client.connect();
  // The server's process, when it runs here (the bench's own server, or the machine's): its data
  // directory's postmaster.pid names it. Readable by the user the server runs as, or root.
  const serverPid = connected.then(async () => {
    const dir = await client.query<{ dir: string }>("SELECT current_setting('data_directory') AS dir").catch(() => null);
    try {
      return dir === null ? null : Number(readFileSync(join(dir.rows[0]!.dir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    } catch {
      return null;
    }
  });
  return {
    async read() {
      await connected;
      const size = await client.query<{ bytes: string }>('SELECT pg_database_size(current_database()) AS bytes');
      const tables = await client.query<{ dead: string | null; vacuums: string | null }>(TABLE_STATS, [TABLES]);
      const pid = await serverPid;
      // pg_stat_wal is PostgreSQL 14+; before that there is no WAL figure.
      const wal = await client.query<{ bytes: string }>('SELECT wal_bytes AS bytes FROM pg_stat_wal').catch(() => null);
      return {
        databaseBytes: Number(size.rows[0]!.bytes),
        wal: wal === null || wal.rows[0] === undefined ? null : { bytes: Number(wal.rows[0].bytes), written: true },
        deadTuples: Number(tables.rows[0]?.dead ?? 0),
        autovacuums: Number(tables.rows[0]?.vacuums ?? 0),
        serverCpuSeconds: pid === null ? null : processTreeCpuSeconds(pid),
      };
    },
    async count() {
      await connected;
      const events = await client.query<{ n: string }>(COUNT_EVENTS);
      const rows = await client.query<{ endpoint_id: string; n: string }>(COUNT_DELIVERIES);
      return { events: Number(events.rows[0]!.n), deliveriesByEndpoint: new Map(rows.rows.map((row) => [row.endpoint_id, Number(row.n)])) };
    },
    async close() {
      await connected.catch(() => undefined);
      await client.end().catch(() => undefined);
    },
  };
}
