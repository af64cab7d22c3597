import { parseArgs } from 'node:util';
import pg from 'pg';
import { Progress } from '../src/cli/progress.js';
import { measureDelivery, warmUp, type BenchContext, type DeliveryMeasurement } from './context.js';
import { freshDatabase, POSTGRES_ADMIN_URL } from './database.js';
import { HookdProcess } from './hookd-process.js';
import { postPaced } from './load.js';
import { ReceiverProcess } from './receiver-client.js';
import { QUICK } from './sizes.js';
import { setUpEndpoints } from './workload.js';

// `node dist/bench/pg-profile.js [--events 3000] [--endpoints 1] [--paced 500] [--keep]`, with
// HOOKD_BENCH_POSTGRES_URL naming a PostgreSQL of its own that preloads pg_stat_statements (and
// has the extension created in the database of that URL). docs/performance.md shows how.
//
// What PostgreSQL does per delivery, in counts rather than times (counts do not depend on how
// busy the machine is): statements and rows (pg_stat_statements), WAL bytes, buffers, which
// updates were HOT, how much each index grew and was read, and NOTIFYs heard. Delivers `events`
// events posted in batches of 100 to `endpoints` endpoints, after a warm-up, like the bench's
// throughput run; or, with --paced <rate>, single-event posts at that rate for 5 s to one endpoint,
// like the latency run. The figures cover the measured part only.

const { values: args } = parseArgs({
  options: {
    events: { type: 'string', default: '3000' },
    endpoints: { type: 'string', default: '1' },
    paced: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});
const events = Number(args.events);
const pacedRate = args.paced === undefined ? null : Number(args.paced);
const endpointCount = pacedRate === null ? Number(args.endpoints) : 1;
const PACED_MS = 5000;

interface Snapshot {
  walBytes: number;
  /** pg_stat_wal: WAL records, and full-page images among them (each page's first change after a checkpoint). */
  walRecords: number;
  walFullPages: number;
  tables: Map<string, { ins: number; upd: number; hot: number; del: number; heapHit: number; heapRead: number; bytes: number }>;
  indexes: Map<string, { table: string; scans: number; hit: number; read: number; bytes: number }>;
}

async function snapshot(client: pg.Client): Promise<Snapshot> {
  // The stats collector's shared memory is read at once; a moment lets exiting backends finish.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  await client.query('SELECT pg_stat_clear_snapshot()');
  const wal = await client.query<{ bytes: string; records: string; fpi: string }>(
    "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::text AS bytes, wal_records::text AS records, wal_fpi::text AS fpi FROM pg_stat_wal",
  );
  const tables = await client.query<{ relname: string; ins: number; upd: number; hot: number; del: number; hit: number; read: number; bytes: number }>(
    `SELECT t.relname, t.n_tup_ins AS ins, t.n_tup_upd AS upd, t.n_tup_hot_upd AS hot, t.n_tup_del AS del,
       coalesce(io.heap_blks_hit, 0) AS hit, coalesce(io.heap_blks_read, 0) AS read, pg_relation_size(t.relid) AS bytes
     FROM pg_stat_user_tables t JOIN pg_statio_user_tables io USING (relid)`,
  );
  const indexes = await client.query<{ relname: string; indexrelname: string; scans: number; hit: number; read: number; bytes: number }>(
    `SELECT s.relname, s.indexrelname, s.idx_scan AS scans, io.idx_blks_hit AS hit, io.idx_blks_read AS read,
       pg_relation_size(s.indexrelid) AS bytes
     FROM pg_stat_user_indexes s JOIN pg_statio_user_indexes io USING (indexrelid)`,
  );
  return {
    walBytes: Number(wal.rows[0]!.bytes),
    walRecords: Number(wal.rows[0]!.records),
    walFullPages: Number(wal.rows[0]!.fpi),
    tables: new Map(tables.rows.map((row) => [row.relname, { ins: row.ins, upd: row.upd, hot: row.hot, del: row.del, heapHit: row.hit, heapRead: row.read, bytes: row.bytes }])),
    indexes: new Map(indexes.rows.map((row) => [row.indexrelname, { table: row.relname, scans: row.scans, hit: row.hit, read: row.read, bytes: row.bytes }])),
  };
}

const per = (value: number, deliveries: number): string => (value / deliveries).toFixed(2);

/** Single-event posts at `rate` for PACED_MS, until every one has arrived. */
async function measurePaced(hookd: HookdProcess, receiver: ReceiverProcess, group: string, rate: number): Promise<Pick<DeliveryMeasurement, 'events' | 'deliveries' | 'deliveriesPerSecond' | 'databaseCpuMicrosPerDelivery'>> {
  const cpuBefore = await hookd.databaseCpuSeconds();
  const run = await postPaced(hookd, 1_000_000, rate, PACED_MS);
  await receiver.waitForArrivals(group, [...run.returnedAt.keys()]);
  const cpuAfter = await hookd.databaseCpuSeconds();
  const events = run.returnedAt.size;
  return {
    events,
    deliveries: events,
    deliveriesPerSecond: events / (PACED_MS / 1000),
    databaseCpuMicrosPerDelivery: cpuBefore === null || cpuAfter === null ? null : ((cpuAfter - cpuBefore) * 1e6) / events,
  };
}

async function main(): Promise<void> {
  const receiver = await ReceiverProcess.start();
  const database = await freshDatabase('postgres');
  const ctx: BenchContext = {
    backend: 'postgres',
    sizes: QUICK,
    receiver,
    cpuProfileDir: null,
    progress: (line) => process.stderr.write(`pg-profile: ${line}\n`),
    bar: (label, total) => new Progress({ label: `pg-profile: ${label}`, total }),
  };
  const start = () => HookdProcess.start({ databaseUrl: database.url, databaseCpuSeconds: () => database.serverCpuSeconds() });
  let hookd = await start();
  const stats = new pg.Client({ connectionString: database.url });
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await stats.connect();
  await admin.connect();
  let notifications = 0;
  stats.on('notification', () => notifications++);
  try {
    const groups = Array.from({ length: endpointCount }, (_, i) => `prof-${i}`);
    const mode = pacedRate === null ? 'count' : 'lat';
    await setUpEndpoints(hookd, groups.map((group) => ({ url: receiver.url(mode, group) })));
    if (pacedRate === null) {
      await warmUp(ctx, hookd, groups);
    } else {
      const warm = await postPaced(hookd, 0, pacedRate, 1000);
      await receiver.waitForArrivals(groups[0]!, [...warm.returnedAt.keys()]);
      await receiver.reset();
    }
    // A backend publishes its table counters when idle or when it exits: each phase ends with
    // hookd stopped, so that the snapshots hold everything it did.
    await hookd.stop();
    const oid = (await stats.query<{ oid: number }>('SELECT oid FROM pg_database WHERE datname = current_database()')).rows[0]!.oid;
    const before = await snapshot(stats);
    await admin.query('SELECT pg_stat_statements_reset(0, $1, 0)', [oid]);
    await stats.query('LISTEN hookd_work');
    hookd = await start();
    const measured = pacedRate === null ? await measureDelivery(ctx, hookd, groups, events) : await measurePaced(hookd, receiver, groups[0]!, pacedRate);
    await hookd.stop();
    const after = await snapshot(stats);
    const deliveries = measured.deliveries;
    const eventCount = measured.events;
    const statements = await admin.query<{ query: string; calls: number; rows: number; hit: number; read: number; dirtied: number; wal: number }>(
      `SELECT regexp_replace(query, '\\s+', ' ', 'g') AS query, calls, rows, shared_blks_hit AS hit, shared_blks_read AS read,
         shared_blks_dirtied AS dirtied, wal_bytes::bigint AS wal
       FROM pg_stat_statements WHERE dbid = $1 ORDER BY calls DESC`,
      [oid],
    );
    const out = (line: string) => process.stdout.write(`${line}\n`);
    out(`${deliveries} deliveries (${eventCount} events × ${endpointCount} endpoints, ${pacedRate === null ? 'batches of 100' : `single posts at ${pacedRate}/s`}), ${measured.deliveriesPerSecond.toFixed(0)}/s, PostgreSQL CPU ${measured.databaseCpuMicrosPerDelivery?.toFixed(0) ?? '?'} µs per delivery`);
    out('');
    out('statements per delivery (calls, rows, buffers hit+read, dirtied, WAL bytes):');
    let calls = 0;
    for (const row of statements.rows) {
      calls += row.calls;
      out(`  ${per(row.calls, deliveries).padStart(6)} calls  ${per(row.rows, deliveries).padStart(6)} rows  ${per(row.hit + row.read, deliveries).padStart(7)} buf  ${per(row.dirtied, deliveries).padStart(5)} dirt  ${per(row.wal, deliveries).padStart(7)} wal  ${row.query.slice(0, 110)}`);
    }
    out(`  total ${per(calls, deliveries)} statements (round trips) per delivery`);
    out('');
    out(`WAL per delivery (whole cluster): ${per(after.walBytes - before.walBytes, deliveries)} bytes, ${per(after.walRecords - before.walRecords, deliveries)} records, ${per(after.walFullPages - before.walFullPages, deliveries)} full-page images`);
    out(`NOTIFYs heard per event: ${per(notifications, eventCount)}`);
    out('');
    out('tables per delivery (inserted, updated, of which HOT, deleted, heap buffers, bytes grown):');
    for (const [name, a] of after.tables) {
      const b = before.tables.get(name) ?? { ins: 0, upd: 0, hot: 0, del: 0, heapHit: 0, heapRead: 0, bytes: 0 };
      const upd = a.upd - b.upd;
      if (a.ins - b.ins + upd + a.del - b.del === 0) continue;
      const hotShare = upd === 0 ? '-' : `${(((a.hot - b.hot) / upd) * 100).toFixed(0)}% HOT`;
      out(`  ${name.padEnd(12)} ins ${per(a.ins - b.ins, deliveries)}  upd ${per(upd, deliveries)} (${hotShare})  del ${per(a.del - b.del, deliveries)}  buf ${per(a.heapHit - b.heapHit + a.heapRead - b.heapRead, deliveries)}  +${per(a.bytes - b.bytes, deliveries)} B`);
    }
    out('');
    out('indexes per delivery (scans, buffers hit+read, bytes grown):');
    let touched = 0;
    for (const [name, a] of after.indexes) {
      const b = before.indexes.get(name) ?? { table: a.table, scans: 0, hit: 0, read: 0, bytes: 0 };
      const buffers = a.hit - b.hit + a.read - b.read;
      if (buffers === 0 && a.bytes === b.bytes) continue;
      touched++;
      out(`  ${`${a.table}.${name}`.padEnd(40)} scans ${per(a.scans - b.scans, deliveries)}  buf ${per(buffers, deliveries)}  +${per(a.bytes - b.bytes, deliveries)} B`);
    }
    out(`  ${touched} indexes touched`);
    if (args.keep) out(`\nkept: ${database.url}`);
  } finally {
    await stats.end();
    await admin.end();
    await hookd.stop();
    await receiver.close();
    if (!args.keep) await database.drop();
  }
}

await main();
