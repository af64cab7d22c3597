import { spreadOf } from './series.js';

// The soak's per-minute figures, from two readings of the run's cumulative counters (at the start
// and at the end of the minute) and the samples taken during it.

/** What is read at each minute's end; counters are totals since the run started. */
export interface Reading {
  /** benchNow() of the reading. */
  at: number;
  /** From hookd's /metrics: process_resident_memory_bytes, nodejs_heap_size_used_bytes. */
  rssBytes: number;
  heapUsedBytes: number;
  /** nodejs_eventloop_lag_p99_seconds: prom-client resets its histogram at each scrape, so this is the minute's. */
  eventLoopP99Seconds: number;
  /**
   * The bench's own event loop's p99 delay over the minute: it stamps and posts the load, so its
   * waits are part of the first attempts' latency (null when not measured).
   */
  benchEventLoopP99Seconds: number | null;
  /** hookd_attempts_total, every result. */
  attempts: number;
  /** hookd_worker_deliveries_taken_total: first attempts handed over at ingest, and claimed (null when hookd does not say). */
  handedOver: number | null;
  claimedFirst: number | null;
  /** Events accepted (202) so far. */
  eventsAccepted: number;
  /** Distinct events received so far, summed over the healthy endpoints: deliveries that arrived. */
  healthyArrivals: number;
  /** The database on disk: SQLite's file (+ its WAL), PostgreSQL's pg_database_size. */
  databaseBytes: number;
  /**
   * SQLite: the WAL file's size now (`written: false`). PostgreSQL: WAL bytes written so far by the
   * whole server (pg_stat_wal, `written: true`); null where pg_stat_wal is missing (before 14).
   */
  wal: { bytes: number; written: boolean } | null;
  /** CPU seconds of PostgreSQL's backends for this database so far (null for SQLite). */
  databaseCpuSeconds: number | null;
  /** PostgreSQL: n_dead_tup summed over hookd's tables (null for SQLite). */
  deadTuples: number | null;
  /** PostgreSQL: autovacuum runs on hookd's tables so far (null for SQLite). */
  autovacuums: number | null;
  /** CPU seconds so far: hookd's process, the PostgreSQL server's processes (null for SQLite or a server elsewhere), the whole machine busy. */
  hookdCpuSeconds: number | null;
  serverCpuSeconds: number | null;
  machineBusySeconds: number | null;
  /** Of those, seconds the hypervisor took for other guests (steal). */
  machineStealSeconds: number | null;
  /** Seconds so far hookd's event loop was ready to run but waited for a core (Linux schedstat; null elsewhere). */
  hookdRunQueueWaitSeconds: number | null;
}

export interface Minute {
  /** 1, 2, …: the minute of the run this row covers. */
  minute: number;
  /** Its length (the last one may be shorter). */
  seconds: number;
  rssMB: number;
  heapUsedMB: number;
  eventLoopP99Ms: number;
  databaseMB: number;
  /** SQLite: the WAL file's size (MB) at the minute's end; PostgreSQL: WAL written during the minute (MB, whole server). */
  walMB: number | null;
  /** Database bytes ÷ deliveries stored so far (each accepted event is one delivery per endpoint). */
  bytesPerDelivery: number;
  eventsPerSecond: number;
  /** Healthy endpoints' first arrivals per second. */
  deliveriesPerSecond: number;
  attemptsPerSecond: number;
  /** From the bench sending the event's POST to a healthy receiver getting it, for deliveries that arrived this minute. */
  firstAttemptP50Ms: number;
  /** Issue 19 saw SQLite's first attempts bimodal: p50 2–3 ms, p90 24–62 ms. */
  firstAttemptP90Ms: number;
  firstAttemptP99Ms: number;
  firstAttempts: number;
  /** Dashboard reads made this minute. */
  apiReadP50Ms: number;
  apiReadP99Ms: number;
  apiReads: number;
  /** PostgreSQL backends' CPU per attempt made this minute (null for SQLite). */
  postgresCpuMicrosPerAttempt: number | null;
  deadTuples: number | null;
  /** Autovacuum runs that ended this minute on hookd's tables (PostgreSQL). */
  autovacuums: number | null;
  /**
   * Where the machine's CPU went this minute, in % of one core: hookd, the PostgreSQL server (all of
   * it: backends, autovacuum, checkpointer…), and the whole machine (the bench's load and receiver
   * are most of the rest). The machine's cores bound the sum.
   */
  hookdCpuPercent: number | null;
  serverCpuPercent: number | null;
  machineCpuPercent: number | null;
  /**
   * CPU the hypervisor took for other guests this minute (steal, % of one core): a minute whose
   * latency jumps beside it is the host's, not hookd's.
   */
  stealPercent: number | null;
  /**
   * How much of the minute hookd's event loop was ready to run but waited for a core (%): what the
   * rest of the machine takes from it. A rise here beside a flat hookd CPU puts a rise of its
   * event-loop delay on the machine, not on hookd's own work.
   */
  hookdWaitPercent: number | null;
  /**
   * Of the first attempts the worker took this minute, the share handed over at ingest (%); the
   * rest waited in the queue for a claim.
   */
  handOffPercent: number | null;
  /** The bench's event loop's p99 delay (ms): how much of a first attempt's latency may be the sender's own wait. */
  benchLoopP99Ms: number | null;
}

const MB = 1024 * 1024;

function percentOfCore(before: number | null, after: number | null, seconds: number): number | null {
  return before === null || after === null || seconds <= 0 ? null : ((after - before) / seconds) * 100;
}

function shareOf(before: Reading, after: Reading): number | null {
  if (before.handedOver === null || after.handedOver === null || before.claimedFirst === null || after.claimedFirst === null) return null;
  const handed = after.handedOver - before.handedOver;
  const taken = handed + after.claimedFirst - before.claimedFirst;
  return taken > 0 ? (handed / taken) * 100 : null;
}

export function minuteOf(
  minute: number,
  before: Reading,
  after: Reading,
  samples: { firstAttemptMs: readonly number[]; apiReadMs: readonly number[] },
  /** Deliveries each accepted event makes (the endpoints subscribed to each of its types). */
  deliveriesPerEvent: number,
): Minute {
  const seconds = (after.at - before.at) / 1000;
  const perSecond = (a: number, b: number) => (seconds > 0 ? (b - a) / seconds : NaN);
  const attempts = after.attempts - before.attempts;
  const deliveriesStored = after.eventsAccepted * deliveriesPerEvent;
  const firstAttempt = spreadOf(samples.firstAttemptMs);
  const apiRead = spreadOf(samples.apiReadMs);
  let walMB: number | null = null;
  if (after.wal !== null) walMB = (after.wal.written ? after.wal.bytes - (before.wal?.bytes ?? after.wal.bytes) : after.wal.bytes) / MB;
  return {
    minute,
    seconds,
    rssMB: after.rssBytes / MB,
    heapUsedMB: after.heapUsedBytes / MB,
    eventLoopP99Ms: after.eventLoopP99Seconds * 1000,
    databaseMB: after.databaseBytes / MB,
    walMB,
    bytesPerDelivery: deliveriesStored > 0 ? after.databaseBytes / deliveriesStored : NaN,
    eventsPerSecond: perSecond(before.eventsAccepted, after.eventsAccepted),
    deliveriesPerSecond: perSecond(before.healthyArrivals, after.healthyArrivals),
    attemptsPerSecond: perSecond(before.attempts, after.attempts),
    firstAttemptP50Ms: firstAttempt.p50,
    firstAttemptP90Ms: firstAttempt.p90,
    firstAttemptP99Ms: firstAttempt.p99,
    firstAttempts: firstAttempt.count,
    apiReadP50Ms: apiRead.p50,
    apiReadP99Ms: apiRead.p99,
    apiReads: apiRead.count,
    postgresCpuMicrosPerAttempt:
      before.databaseCpuSeconds === null || after.databaseCpuSeconds === null || attempts <= 0
        ? null
        : ((after.databaseCpuSeconds - before.databaseCpuSeconds) * 1e6) / attempts,
    deadTuples: after.deadTuples,
    autovacuums: after.autovacuums === null || before.autovacuums === null ? null : after.autovacuums - before.autovacuums,
    hookdCpuPercent: percentOfCore(before.hookdCpuSeconds, after.hookdCpuSeconds, seconds),
    serverCpuPercent: percentOfCore(before.serverCpuSeconds, after.serverCpuSeconds, seconds),
    machineCpuPercent: percentOfCore(before.machineBusySeconds, after.machineBusySeconds, seconds),
    stealPercent: percentOfCore(before.machineStealSeconds, after.machineStealSeconds, seconds),
    hookdWaitPercent: percentOfCore(before.hookdRunQueueWaitSeconds, after.hookdRunQueueWaitSeconds, seconds),
    handOffPercent: shareOf(before, after),
    benchLoopP99Ms: after.benchEventLoopP99Seconds === null ? null : after.benchEventLoopP99Seconds * 1000,
  };
}
