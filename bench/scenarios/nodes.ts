import { benchNow } from '../clock.js';
import {
  measureSubjectDelivery,
  startHookd,
  stopHookd,
  warmUpSubject,
  type BenchContext,
  type DeliveryMeasurement,
  type DeliverySubject,
} from '../context.js';
import { freshDatabase, type FreshDatabase } from '../database.js';
import type { HookdProcess } from '../hookd-process.js';
import { batchBodies, postBatches } from '../load.js';
import { BATCH_POSTERS, BATCH_SIZE } from '../sizes.js';
import { setUpEndpoints } from '../workload.js';

// 8. Nodes (PostgreSQL only): several hookd worker nodes on one database. Events are posted to an
// API node of their own (HOOKD_ROLE=api), so that the worker nodes only deliver and every delivery
// reaches them through the shared queue (NOTIFY and claims), where nodes contend. Two figures:
//
// - one-endpoint delivery with 1 worker node, then, a second one started, with 2 (the same
//   database, events and receiver, each run after a warm-up): 2 nodes ÷ 1 node. It measures that a second node adds no lock-contention
//   collapse; on a 2-core machine the nodes, the API node and PostgreSQL share the cores, so ≥ 1.0
//   is the target, not 2.0;
// - then a third worker node started while the 2 deliver a stream of events: from its /ready to its first
//   attempt, read from its own hookd_attempts_total (incremented once the attempt's result is
//   committed, so the figure includes that write).

const WORKER = { HOOKD_ROLE: 'worker', HOOKD_METRICS_PUBLIC: 'true' };
const GROUP = 'nodes';
/** How long the third node may take to make its first attempt before the run gives up on it. */
const JOIN_LIMIT_MS = 30_000;
/** How often the third node's /metrics is read while waiting for that attempt. */
const JOIN_POLL_MS = 10;
/** Events posted but not yet received past which the join run's stream waits. */
const JOIN_OUTSTANDING = BATCH_SIZE * BATCH_POSTERS * 5;
/** Sequence numbers of the join run's events (the warm-up's start at 0, measured runs' at 1,000,000). */
const JOIN_FIRST_SEQ = 2_000_000;

export interface NodesFigures {
  oneNode: DeliveryMeasurement;
  twoNodes: DeliveryMeasurement;
  join: JoinFigures;
}

export interface JoinFigures {
  /** From spawning the third node to its /ready answering 200. */
  startMs: number;
  /** From its /ready to its first attempt counted in its /metrics; null when none came within JOIN_LIMIT_MS. */
  readyToFirstAttemptMs: number | null;
  /** Events posted during the join run (each one delivery), and how many attempts the third node made. */
  events: number;
  thirdNodeAttempts: number;
}

interface Cluster {
  database: FreshDatabase;
  api: HookdProcess;
  workers: HookdProcess[];
  /** Events posted to the API node; CPU of the API and worker nodes, and of the database's backends. */
  subject: DeliverySubject;
  /** Starts one more worker node on the database. */
  addWorker(): Promise<HookdProcess>;
}

/** An API node on a new PostgreSQL database with one endpoint, and no worker node yet; every node is stopped afterwards. */
async function withCluster<T>(ctx: BenchContext, body: (cluster: Cluster) => Promise<T>): Promise<T> {
  const database = await freshDatabase('postgres');
  const started: HookdProcess[] = [];
  try {
    const api = await startHookd(ctx, database, { HOOKD_ROLE: 'api' });
    started.push(api);
    await setUpEndpoints(api, [{ url: ctx.receiver.url('count', GROUP) }]);
    const workers: HookdProcess[] = [];
    const cluster: Cluster = {
      database,
      api,
      workers,
      subject: {
        batches(firstSeq, count) {
          const bodies = batchBodies(firstSeq, count, BATCH_SIZE);
          return () => postBatches(api, bodies, BATCH_POSTERS);
        },
        cpuSeconds() {
          let total = 0;
          for (const hookd of [api, ...workers]) {
            const used = hookd.cpuSeconds();
            if (used === null) return null;
            total += used;
          }
          return total;
        },
        databaseCpuSeconds: () => database.serverCpuSeconds(),
      },
      async addWorker() {
        const worker = await startHookd(ctx, database, WORKER);
        started.push(worker);
        workers.push(worker);
        return worker;
      },
    };
    return await body(cluster).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${started.map((hookd, i) => `--- hookd ${i === 0 ? 'api' : `worker ${i}`} output ---\n${hookd.recentOutput}`).join('\n')}`);
    });
  } finally {
    for (const hookd of started) await stopHookd(hookd);
    await database.drop();
  }
}

/** Warms the workers up (a new one is cold), then times the delivery of nodesEvents events. */
async function measureWorkers(ctx: BenchContext, cluster: Cluster): Promise<DeliveryMeasurement> {
  await ctx.receiver.reset();
  await warmUpSubject(ctx, cluster.subject, [GROUP]);
  return measureSubjectDelivery(ctx, cluster.subject, [GROUP], ctx.sizes.nodesEvents);
}

/** Attempts this node has made so far: the sum of its hookd_attempts_total series. */
async function attemptsMade(hookd: HookdProcess): Promise<number> {
  const res = await hookd.pool.request({ method: 'GET', path: '/metrics' });
  const text = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`GET /metrics: expected 200, got ${res.statusCode} ${text.slice(0, 300)}`);
  let total = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('hookd_attempts_total{') || line.startsWith('hookd_attempts_total ')) total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

/**
 * The cluster's worker nodes deliver a stream of events (posted batch after batch, at most
 * JOIN_OUTSTANDING ahead of the receiver, so that work is always queued) while another starts; the
 * stream stops once the new node has made an attempt, or after nodesJoinMaxEvents events, and the
 * run waits until every event posted has been received.
 */
async function measureJoin(ctx: BenchContext, cluster: Cluster): Promise<JoinFigures> {
  await ctx.receiver.reset();
  let posted = 0;
  let joined = false;
  const stream = (async () => {
    while (!joined && posted < ctx.sizes.nodesJoinMaxEvents) {
      // Queued, not piled up: what is left to deliver once the new node has joined stays small.
      if (posted - (await ctx.receiver.group(GROUP)).count > JOIN_OUTSTANDING) {
        await sleep(JOIN_POLL_MS);
        continue;
      }
      const count = Math.min(BATCH_SIZE * BATCH_POSTERS, ctx.sizes.nodesJoinMaxEvents - posted);
      const bodies = batchBodies(JOIN_FIRST_SEQ + posted, count, BATCH_SIZE);
      posted += count;
      await postBatches(cluster.api, bodies, BATCH_POSTERS);
    }
  })();
  stream.catch(() => undefined); // Awaited below; this only keeps an early failure from counting as unhandled.
  try {
    // Work queued before the new node starts: a few batches in.
    while (posted < BATCH_SIZE * BATCH_POSTERS * 2 && posted < ctx.sizes.nodesJoinMaxEvents) await sleep(JOIN_POLL_MS);
    const spawned = benchNow();
    const joining = await cluster.addWorker();
    const ready = benchNow();
    let firstAttempt: number | null = null;
    while (firstAttempt === null && benchNow() - ready < JOIN_LIMIT_MS) {
      if ((await attemptsMade(joining)) > 0) firstAttempt = benchNow();
      else await sleep(JOIN_POLL_MS);
    }
    joined = true;
    await stream;
    await ctx.receiver.waitFor([GROUP], posted);
    return {
      startMs: ready - spawned,
      readyToFirstAttemptMs: firstAttempt === null ? null : firstAttempt - ready,
      events: posted,
      thirdNodeAttempts: await attemptsMade(joining),
    };
  } finally {
    joined = true;
    await stream.catch(() => undefined);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function measureNodes(ctx: BenchContext): Promise<NodesFigures> {
  return withCluster(ctx, async (cluster) => {
    ctx.progress(`nodes: ${ctx.sizes.nodesEvents} events to 1 endpoint, 1 worker node`);
    await cluster.addWorker();
    const oneNode = await measureWorkers(ctx, cluster);
    ctx.progress(`nodes: ${ctx.sizes.nodesEvents} events to 1 endpoint, 2 worker nodes`);
    await cluster.addWorker();
    const twoNodes = await measureWorkers(ctx, cluster);
    ctx.progress('nodes: a third worker node joining the 2 while they deliver a stream of events');
    const join = await measureJoin(ctx, cluster);
    return { oneNode, twoNodes, join };
  });
}
