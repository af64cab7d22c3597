import { monitorEventLoopDelay } from 'node:perf_hooks';
import { benchNow } from '../clock.js';
import { withHookd, type BenchContext, type HookdRun } from '../context.js';
import type { HookdProcess } from '../hookd-process.js';
import { sendPaced } from '../pacing.js';
import { machineBusySeconds, machineStealSeconds } from '../proc-stats.js';
import { startDashboardReads, type ReadKind } from '../soak/dashboard.js';
import { minuteOf, type Minute, type Reading } from '../soak/minutes.js';
import { databaseProbe, scrapeProcess, type DatabaseProbe } from '../soak/probes.js';
import { spreadOf, type Spread } from '../soak/series.js';
import { lostDeliveries, trendsOf, verdictsOf, type Accounting, type SeriesTrend, type Verdict } from '../soak/verdicts.js';
import { BENCH_EVENT_TYPE, payloadOf, setUpEndpoints, type EndpointSetup } from '../workload.js';
import { HANGING_TIMEOUT_MS } from './noisy-neighbour.js';

// 8. Soak (issue 19): a mixed workload for many minutes against one hookd — an open-loop stream of
// single events to 20 endpoints (16 healthy, 2 answering 500, 1 answering 429 with Retry-After, 1
// never answering), each event going to three of them (two healthy, one not: see SOAK_TYPES), dashboard reads every few seconds — read once a minute: memory, event-loop
// delay, database size, throughput, latencies. At the end, each series' trend and the verdicts:
// a leak, a slowly growing table scan or a queue that never drains shows as a slope.

export interface SoakOptions {
  minutes: number;
  ratePerSecond: number;
}

export interface SoakFigures {
  minutes: number;
  ratePerSecond: number;
  endpoints: { healthy: number; failing: number; rateLimited: number; hanging: number };
  series: Minute[];
  trends: SeriesTrend[];
  verdicts: Verdict[];
  accounting: Accounting;
  /** Every dashboard read of the run, and by kind of read. */
  apiReadMs: Spread;
  apiReadMsByKind: Record<string, Spread>;
  /** Posts not sent because 512 were outstanding (hookd could not keep up with the rate). */
  skipped: number;
  /** Posts hookd refused with 429 or 503 (ingest back-pressure): not accepted, so not owed. */
  refused: number;
  peakRssMB: number | null;
}

const HEALTHY = Array.from({ length: 16 }, (_, i) => `soak-healthy-${i}`);
const FAILING = ['soak-failing-0', 'soak-failing-1'];
const MINUTE_MS = 60_000;

// Events cycle over eight types. Each healthy endpoint takes one type (two per type) and each of
// the four unhealthy ones two, so every event makes three deliveries — two healthy, one to a
// failing, throttling or hanging endpoint — as a real mix of subscriptions does (an install where
// every endpoint takes every event is the fan-out scenario's job).
const SOAK_TYPES = Array.from({ length: 8 }, (_, i) => `${BENCH_EVENT_TYPE}.${i}`);
const DELIVERIES_PER_EVENT = 3;
const typeOfEvent = (seq: number): number => seq % SOAK_TYPES.length;
const healthyTypes = (index: number): number[] => [index % SOAK_TYPES.length];
const unhealthyTypes = (index: number): number[] => [2 * index, 2 * index + 1];

function endpointsOf(ctx: BenchContext): EndpointSetup[] {
  const unhealthy = [
    ...FAILING.map((group) => ({ url: ctx.receiver.url('fail', group) })),
    { url: ctx.receiver.url('busy', 'soak-busy') },
    { url: ctx.receiver.url('hang', 'soak-hanging'), timeoutMs: HANGING_TIMEOUT_MS },
  ];
  return [
    ...HEALTHY.map((group, i) => ({ url: ctx.receiver.url('time', group), eventTypes: healthyTypes(i).map((t) => SOAK_TYPES[t]!) })),
    ...unhealthy.map((endpoint, i) => ({ ...endpoint, eventTypes: unhealthyTypes(i).map((t) => SOAK_TYPES[t]!) })),
  ];
}

/** One event, its payload carrying when it was sent (the receiver times the first attempt from it). */
function soakEventJson(seq: number): string {
  return JSON.stringify({ type: SOAK_TYPES[typeOfEvent(seq)], payload: { seq, sentAt: benchNow(), pad: payloadOf(seq).pad } });
}

/** Accepted events of the given types. */
const owedOf = (acceptedByType: readonly number[], types: readonly number[]): number => types.reduce((sum, t) => sum + acceptedByType[t]!, 0);

/** Single-event posts: counts what hookd accepted and keeps the latest event's id for the dashboard. */
class EventPoster {
  accepted = 0;
  readonly acceptedByType = SOAK_TYPES.map(() => 0);
  refused = 0;
  latestId: string | null = null;

  constructor(private readonly hookd: HookdProcess) {}

  async post(seq: number): Promise<void> {
    const res = await this.hookd.pool.request({
      method: 'POST',
      path: '/v1/events',
      headers: { authorization: `Bearer ${this.hookd.adminKey}`, 'content-type': 'application/json' },
      body: soakEventJson(seq),
    });
    const text = await res.body.text();
    if (res.statusCode === 202) {
      this.accepted += 1;
      this.acceptedByType[typeOfEvent(seq)]! += 1;
      this.latestId = (JSON.parse(text) as { id: string }).id;
    } else if (res.statusCode === 429 || res.statusCode === 503) {
      this.refused += 1;
    } else {
      throw new Error(`POST /v1/events: expected 202, got ${res.statusCode} ${text.slice(0, 300)}`);
    }
  }
}

export async function measureSoak(ctx: BenchContext, options: SoakOptions): Promise<HookdRun<SoakFigures>> {
  const endpoints = endpointsOf(ctx);
  return withHookd(ctx, {}, async (hookd) => {
    const ids = await setUpEndpoints(hookd, endpoints);
    const probe = databaseProbe(hookd.databaseUrl);
    try {
      return await soak(ctx, hookd, probe, ids, options);
    } finally {
      await probe.close();
    }
  });
}

async function soak(ctx: BenchContext, hookd: HookdProcess, probe: DatabaseProbe, ids: string[], options: SoakOptions): Promise<SoakFigures> {
  const poster = new EventPoster(hookd);
  // The bench's own event loop, on two cores shared with hookd, the receiver and the database: it
  // stamps each event's sentAt and posts it, so its waits are part of the first attempts' latency
  // (the dashboard's reads are timed in a process of their own).
  const benchLoop = monitorEventLoopDelay({ resolution: 10 });
  benchLoop.enable();
  const reading = async (): Promise<Reading> => {
    const [processFigures, database, databaseCpuSeconds, received] = await Promise.all([scrapeProcess(hookd), probe.read(), hookd.databaseCpuSeconds(), ctx.receiver.stats()]);
    const benchEventLoopP99Seconds = benchLoop.count > 0 ? benchLoop.percentile(99) / 1e9 : null;
    benchLoop.reset();
    return {
      at: benchNow(),
      ...processFigures,
      benchEventLoopP99Seconds,
      eventsAccepted: poster.accepted,
      healthyArrivals: HEALTHY.reduce((sum, group) => sum + (received[group]?.unique ?? 0), 0),
      ...database,
      // The server's process tree counts the autovacuum workers that ended; the backends connected
      // to the database (the fallback, when the server's pid cannot be read) lose a worker's CPU
      // when it disconnects, which read as negative minutes while vacuums came and went.
      databaseCpuSeconds: database.serverCpuSeconds ?? databaseCpuSeconds,
      hookdCpuSeconds: hookd.cpuSeconds(),
      hookdRunQueueWaitSeconds: hookd.runQueueWaitSeconds(),
      machineBusySeconds: machineBusySeconds(),
      machineStealSeconds: machineStealSeconds(),
    };
  };

  const durationMs = Math.round(options.minutes * MINUTE_MS);
  const minutes: Minute[] = [];
  const apiReads: number[] = [];
  let before = await reading();
  // The receiver's samples so far (none: no event yet) are dropped with this call.
  await ctx.receiver.firstAttempts();
  const started = benchNow();
  const reads = startDashboardReads(hookd, ids, () => poster.latestId);
  let loadFailure: unknown = null;
  // The per-minute lines are the progress report: no bar.
  const load = sendPaced(0, options.ratePerSecond, durationMs, (seq) => poster.post(seq), { keepTimes: false }).catch((error: unknown) => {
    loadFailure = error;
    return null;
  });
  let skipped: number;
  let readFailure: unknown = null;
  let readsByKind: Map<ReadKind, number[]>;
  try {
    for (let minute = 1; minute <= Math.ceil(durationMs / MINUTE_MS); minute++) {
      const end = started + Math.min(minute * MINUTE_MS, durationMs);
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, end - benchNow())));
      if (loadFailure !== null) break;
      const after = await reading();
      const samples = { firstAttemptMs: await ctx.receiver.firstAttempts(), apiReadMs: await reads.drain() };
      apiReads.push(...samples.apiReadMs);
      const row = minuteOf(minute, before, after, samples, DELIVERIES_PER_EVENT);
      minutes.push(row);
      ctx.progress(
        `soak minute ${minute}: RSS ${row.rssMB.toFixed(0)} MB, loop p99 ${row.eventLoopP99Ms.toFixed(1)} ms, ${Math.round(row.deliveriesPerSecond)} deliveries/s, ` +
          `first attempt p90 ${row.firstAttemptP90Ms.toFixed(1)} / p99 ${row.firstAttemptP99Ms.toFixed(1)} ms, reads p99 ${row.apiReadP99Ms.toFixed(1)} ms` +
          (row.stealPercent === null ? '' : `, steal ${row.stealPercent.toFixed(1)} %`),
      );
      before = after;
    }
  } finally {
    // The load ends by itself at its duration (a failed minute still waits for it: it is bounded).
    skipped = (await load)?.skipped ?? 0;
    benchLoop.disable();
    readsByKind = await reads.stop().catch((error: unknown) => {
      readFailure = error;
      return new Map();
    });
  }
  if (loadFailure !== null) throw loadFailure;
  if (readFailure !== null) throw readFailure;
  ctx.progress(`soak: load done, ${poster.accepted} events accepted${skipped > 0 ? `, ${skipped} skipped` : ''}; waiting for the healthy endpoints to receive theirs`);

  // Drained: every accepted event reached each healthy endpoint — or nothing new came for 30 s, or
  // the drain took as long as the load (at least 2 minutes): a hookd that far behind has lost them
  // as far as its users can tell, and the report says how many.
  const drainMs = Math.max(2 * MINUTE_MS, durationMs);
  const until = Date.now() + drainMs;
  try {
    for (const [t, accepted] of poster.acceptedByType.entries()) {
      await ctx.receiver.waitFor(HEALTHY.filter((_, i) => healthyTypes(i).includes(t)), accepted, { until });
    }
  } catch (error) {
    ctx.progress(`soak: ${String(error)}`);
  }
  const received = await ctx.receiver.stats();
  const stored = await probe.count();
  const accounting: Accounting = {
    eventsAccepted: poster.accepted,
    eventsStored: stored.events,
    healthy: HEALTHY.map((group, i) => ({ received: received[group]?.unique ?? 0, owed: owedOf(poster.acceptedByType, healthyTypes(i)) })),
    unhealthy: ids.slice(HEALTHY.length).map((id, i) => ({ stored: stored.deliveriesByEndpoint.get(id) ?? 0, owed: owedOf(poster.acceptedByType, unhealthyTypes(i)) })),
    duplicates: HEALTHY.reduce((sum, group) => sum + (received[group] === undefined ? 0 : received[group].count - received[group].unique), 0),
  };
  const unsigned = Object.values(received).reduce((sum, group) => sum + group.unsigned, 0);
  if (unsigned > 0) throw new Error(`${unsigned} requests arrived without a webhook-signature`);
  const peak = hookd.peakRssBytes();
  const peakRssMB = peak === null ? null : peak / (1024 * 1024);
  const trends = trendsOf(minutes);
  return {
    minutes: options.minutes,
    ratePerSecond: options.ratePerSecond,
    endpoints: { healthy: HEALTHY.length, failing: FAILING.length, rateLimited: 1, hanging: 1 },
    series: minutes,
    trends,
    verdicts: verdictsOf(minutes, trends, peakRssMB, apiReads, accounting),
    accounting,
    apiReadMs: spreadOf(apiReads),
    apiReadMsByKind: Object.fromEntries([...readsByKind].map(([kind, samples]) => [kind, spreadOf(samples)])),
    skipped,
    refused: poster.refused,
    peakRssMB,
  };
}

/** Lost deliveries break the run (like a missing delivery in any other scenario); missed targets do not. */
export function soakBroken(figures: SoakFigures): string | null {
  const lost = lostDeliveries(figures.accounting);
  return lost.length === 0 ? null : `soak: deliveries lost: ${lost.join('; ')}`;
}
