import { withHookd, type BenchContext, type HookdRun } from '../context.js';
import { postPaced } from '../load.js';
import type { PacedRun } from '../pacing.js';
import { setUpEndpoints } from '../workload.js';

// 4. Latency: a steady load of single-event posts at half the measured one-endpoint throughput;
// for each event, the time from its POST returning to the receiver getting the request. It can be
// negative: hookd wakes its worker at commit, and the delivery may beat the 202 to its client.

export interface LatencyFigures {
  targetRatePerSecond: number;
  achievedRatePerSecond: number;
  events: number;
  /** Posts not sent because 512 were already outstanding (hookd, or the peer, could not keep up). */
  skipped: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  /** The same from the moment the POST was sent. */
  fromSendP50Ms: number;
  fromSendP99Ms: number;
  /** CPU time per event of hookd's (or the peer's) process over the measured run: its single-event ingest and its delivery. */
  cpuMicrosPerEvent: number | null;
}

export function percentile(sorted: number[], fraction: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))]!;
}

export async function measureLatency(ctx: BenchContext, ratePerSecond: number): Promise<HookdRun<LatencyFigures>> {
  return withHookd(ctx, {}, async (hookd) => {
    await setUpEndpoints(hookd, [{ url: ctx.receiver.url('lat', 'lat') }]);
    return measurePacedLatency(ctx, ratePerSecond, {
      pace: (firstSeq, durationMs, onPosted) => postPaced(hookd, firstSeq, ratePerSecond, durationMs, { onPosted }),
      cpuSeconds: () => hookd.cpuSeconds(),
    });
  });
}

/** What takes a steady load of single events (hookd, or a peer) and delivers them to the `lat` group. */
export interface PacedSubject {
  pace(firstSeq: number, durationMs: number, onPosted?: (posted: number, skipped: number) => void): Promise<PacedRun>;
  cpuSeconds(): number | null;
}

/** Another length than the latency figure's, and other sequence numbers (a second measurement in the same process). */
export interface PacedRunOptions {
  durationMs?: number;
  firstSeq?: number;
}

/** Warm-up at the rate (not measured), then the measured run: when each event arrived against when it was handed over. */
export async function measurePacedLatency(ctx: BenchContext, ratePerSecond: number, subject: PacedSubject, options: PacedRunOptions = {}): Promise<LatencyFigures> {
  const durationMs = options.durationMs ?? ctx.sizes.latencyMs;
  const firstSeq = options.firstSeq ?? 0;
  const warm = await subject.pace(firstSeq, Math.min(2000, durationMs / 2));
  await ctx.receiver.waitForArrivals('lat', [...warm.returnedAt.keys()]);
  await ctx.receiver.reset();

  const cpuBefore = subject.cpuSeconds();
  const bar = ctx.bar(`events posted at ${ratePerSecond}/s`, Math.round((ratePerSecond * durationMs) / 1000));
  const progress = (posted: number, skipped: number) => bar.update(posted, skipped === 0 ? undefined : `${skipped} skipped`);
  const run = await subject.pace(firstSeq + 1_000_000, durationMs, progress);
  // A subject that paces in another process (a peer) reports no progress on the way.
  progress(run.sentAt.size + run.skipped, run.skipped);
  bar.finish();
  const arrivals = await ctx.receiver.waitForArrivals('lat', [...run.returnedAt.keys()]);
  const cpuAfter = subject.cpuSeconds();
  const fromReturn: number[] = [];
  const fromSend: number[] = [];
  for (const [seq, returned] of run.returnedAt) {
    const arrived = arrivals.get(seq);
    if (arrived === undefined) throw new Error(`latency: event ${seq} was never received`);
    fromReturn.push(arrived - returned);
    fromSend.push(arrived - run.sentAt.get(seq)!);
  }
  fromReturn.sort((a, b) => a - b);
  fromSend.sort((a, b) => a - b);
  const sent = [...run.sentAt.values()];
  const span = (Math.max(...sent) - Math.min(...sent)) / 1000;
  return {
    targetRatePerSecond: ratePerSecond,
    achievedRatePerSecond: span > 0 ? sent.length / span : 0,
    events: fromReturn.length,
    skipped: run.skipped,
    p50Ms: percentile(fromReturn, 0.5),
    p90Ms: percentile(fromReturn, 0.9),
    p99Ms: percentile(fromReturn, 0.99),
    maxMs: fromReturn[fromReturn.length - 1]!,
    fromSendP50Ms: percentile(fromSend, 0.5),
    fromSendP99Ms: percentile(fromSend, 0.99),
    cpuMicrosPerEvent: cpuBefore === null || cpuAfter === null ? null : ((cpuAfter - cpuBefore) * 1e6) / fromReturn.length,
  };
}
