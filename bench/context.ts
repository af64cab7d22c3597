import type { Progress } from '../src/cli/progress.js';
import { benchNow } from './clock.js';
import { freshDatabase, seedFutureBacklog, type Backend, type FreshDatabase } from './database.js';
import { HookdProcess } from './hookd-process.js';
import { batchBodies, postBatches } from './load.js';
import type { ReceiverProcess } from './receiver-client.js';
import { BATCH_POSTERS, BATCH_SIZE, type Sizes } from './sizes.js';

// What every measurement shares: the receiver, a fresh hookd per run, and the delivery
// measurement itself (post events in batches, time from the first post to the last receipt).

export interface BenchContext {
  backend: Backend;
  sizes: Sizes;
  receiver: ReceiverProcess;
  /** node --cpu-prof output of every hookd started, when profiling. */
  cpuProfileDir: string | null;
  progress(line: string): void;
  /** A progress bar on stderr for one long wait. */
  bar(label: string, total: number): Progress;
}

export interface HookdRun<T> {
  result: T;
  /** Peak RSS of the hookd process over the whole run (set-up and warm-up included). */
  peakRssBytes: number | null;
}

/** hookd processes still running, killed if the bench itself exits early. */
const running = new Set<HookdProcess>();
process.on('exit', () => {
  for (const hookd of running) process.kill(hookd.pid, 'SIGKILL');
});

/** Runs `body` against a new hookd on a new database (with a future backlog seeded first, if asked). */
export async function withHookd<T>(
  ctx: BenchContext,
  options: { env?: Record<string, string>; backlog?: number },
  body: (hookd: HookdProcess) => Promise<T>,
): Promise<HookdRun<T>> {
  const database = await freshDatabase(ctx.backend);
  try {
    if (options.backlog !== undefined && options.backlog > 0) await seedFutureBacklog(database.url, options.backlog);
    const hookd = await startHookd(ctx, database, options.env);
    try {
      await ctx.receiver.reset();
      const result = await body(hookd).catch((error: unknown) => {
        throw new Error(`${String(error)}\n--- hookd output ---\n${hookd.recentOutput}`);
      });
      return { result, peakRssBytes: hookd.peakRssBytes() };
    } finally {
      await ctx.receiver.releaseHanging();
      await stopHookd(hookd);
    }
  } finally {
    await database.drop();
  }
}

/** A hookd on `database`, killed if the bench exits early; stop it with stopHookd. Several may share a database (the nodes scenario). */
export async function startHookd(ctx: BenchContext, database: FreshDatabase, env?: Record<string, string>): Promise<HookdProcess> {
  const hookd = await HookdProcess.start({
    databaseUrl: database.url,
    env,
    cpuProfileDir: ctx.cpuProfileDir,
    databaseCpuSeconds: () => database.serverCpuSeconds(),
  });
  running.add(hookd);
  return hookd;
}

export async function stopHookd(hookd: HookdProcess): Promise<void> {
  await hookd.stop();
  running.delete(hookd);
}

export interface DeliveryMeasurement {
  events: number;
  deliveries: number;
  /** From the first post to the last receipt. */
  seconds: number;
  /** From the first post to the last 202: how long ingest took while delivery went on. */
  postingSeconds: number;
  deliveriesPerSecond: number;
  /** CPU time hookd used meanwhile, per delivery. */
  hookdCpuMicrosPerDelivery: number | null;
  /** CPU time the PostgreSQL server used meanwhile for this database, per delivery (null for SQLite). */
  databaseCpuMicrosPerDelivery: number | null;
  /** Requests received more than once (at least once delivery; expected 0 in a healthy run). */
  duplicates: number;
}

/**
 * What takes the bench's events and delivers them: hookd, or a peer built on a job queue. Both
 * are measured the same way, from the first event handed over to the last request received.
 */
export interface DeliverySubject {
  /** The work of handing events `firstSeq…` over in batches; what it sends is built before it returns. */
  batches(firstSeq: number, count: number): () => Promise<void>;
  /** CPU seconds the subject's process has used so far. */
  cpuSeconds(): number | null;
  /** CPU seconds its database server has used for it so far (null when there is none to measure). */
  databaseCpuSeconds(): Promise<number | null>;
}

/** hookd as the subject; with `orderingKeys`, the events are spread over that many ordering keys. */
function hookdSubject(hookd: HookdProcess, orderingKeys?: number): DeliverySubject {
  return {
    batches(firstSeq, count) {
      const bodies = batchBodies(firstSeq, count, BATCH_SIZE, orderingKeys);
      return () => postBatches(hookd, bodies, BATCH_POSTERS);
    },
    cpuSeconds: () => hookd.cpuSeconds(),
    databaseCpuSeconds: () => hookd.databaseCpuSeconds(),
  };
}

/** Delivers warm-up events to the groups and forgets them: measurements start from a warm process. */
export async function warmUp(ctx: BenchContext, hookd: HookdProcess, groups: string[], orderingKeys?: number): Promise<void> {
  await warmUpSubject(ctx, hookdSubject(hookd, orderingKeys), groups);
}

export async function warmUpSubject(ctx: BenchContext, subject: DeliverySubject, groups: string[]): Promise<void> {
  const events = ctx.sizes.warmupEvents;
  await subject.batches(0, events)();
  await ctx.receiver.waitFor(groups, events);
  await ctx.receiver.reset();
}

/**
 * Posts `events` events in batches while hookd delivers them, and waits until each group
 * (endpoint) has received every one. Throughput counts from the first post to the last receipt.
 */
export async function measureDelivery(
  ctx: BenchContext,
  hookd: HookdProcess,
  groups: string[],
  events: number,
  orderingKeys?: number,
): Promise<DeliveryMeasurement> {
  return measureSubjectDelivery(ctx, hookdSubject(hookd, orderingKeys), groups, events);
}

export async function measureSubjectDelivery(
  ctx: BenchContext,
  subject: DeliverySubject,
  groups: string[],
  events: number,
): Promise<DeliveryMeasurement> {
  const handOver = subject.batches(1_000_000, events);
  const cpuBefore = subject.cpuSeconds();
  const databaseCpuBefore = await subject.databaseCpuSeconds();
  const start = benchNow();
  await handOver();
  const posted = benchNow();
  const deliveries = events * groups.length;
  const bar = ctx.bar('deliveries received', deliveries);
  const received = await ctx.receiver.waitFor(groups, events, { onReceived: (total) => bar.update(total) });
  bar.finish();
  const cpuAfter = subject.cpuSeconds();
  const databaseCpuAfter = await subject.databaseCpuSeconds();
  const last = Math.max(...received.map((group) => group.last ?? start));
  const unsigned = received.reduce((sum, group) => sum + group.unsigned, 0);
  if (unsigned > 0) throw new Error(`${unsigned} requests arrived without a webhook-signature`);
  const seconds = (last - start) / 1000;
  return {
    events,
    deliveries,
    seconds,
    postingSeconds: (posted - start) / 1000,
    deliveriesPerSecond: deliveries / seconds,
    hookdCpuMicrosPerDelivery: perDelivery(cpuBefore, cpuAfter, deliveries),
    databaseCpuMicrosPerDelivery: perDelivery(databaseCpuBefore, databaseCpuAfter, deliveries),
    duplicates: received.reduce((sum, group) => sum + group.count - group.unique, 0),
  };
}

function perDelivery(before: number | null, after: number | null, deliveries: number): number | null {
  return before === null || after === null ? null : ((after - before) * 1e6) / deliveries;
}
