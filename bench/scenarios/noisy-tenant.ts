import { loadavg } from 'node:os';
import { withHookd, type BenchContext, type HookdRun } from '../context.js';
import type { HookdProcess } from '../hookd-process.js';
import { postPaced } from '../load.js';
import { BENCH_EVENT_TYPE, payloadOf, setUpEndpoints } from '../workload.js';
import { measurePacedLatency, type LatencyFigures } from './latency.js';

// 6. Noisy tenant (fair shares between accounts, issue 16): a healthy account's steady load of
// single events, alone, then beside a noisy account that has 20 endpoints to a receiver that never
// answers and has just replayed a burst of events to them. The healthy account's time to first
// attempt (receiver got it − POST returned), p99, with the noisy tenant as a multiple of alone.
// Without fair shares the noisy account's hanging attempts take every worker slot (20 endpoints ×
// 16 attempts each > 256 slots) and the healthy account's deliveries wait for their timeouts.
//
// Both halves run in one hookd process, one right after the other (alone, then the noisy burst,
// then beside): a p99 is a handful of the slowest samples, and two processes started apart would
// compare two moments of a shared machine as much as the two situations. Each half is tenantMs
// long (2,000 first attempts in the full run) so that its p99 rests on about twenty samples.

/** Longer than a run: the noisy account's attempts hang for the whole measurement. */
const NOISY_TIMEOUT_MS = 60_000;
const NOISY_ENDPOINTS = 20;
/** Events the noisy account posts, then replays (each replay: one delivery to each of its 20 endpoints). */
const NOISY_EVENTS = 15;
const NOISY_REPLAYS = 15;
/** The healthy account's load: light (one event every 10 ms), so that its latency is what fairness decides, not throughput. */
const HEALTHY_RATE_PER_SECOND = 100;
/** Sequence numbers of the second half: apart from the first's (its warm-up from 0, its measurement from 1,000,000). */
const BESIDE_FIRST_SEQ = 2_000_000;

/** One half: the healthy account's latency, and the machine's 1-minute load average when it ended. */
export interface TenantHalf {
  latency: LatencyFigures;
  loadAverage: number;
}

export interface NoisyTenantFigures {
  alone: TenantHalf;
  beside: TenantHalf;
  /** Attempts of the noisy account hanging while the second half was measured. */
  noisyRequests: number;
}

export async function measureNoisyTenant(ctx: BenchContext): Promise<HookdRun<NoisyTenantFigures>> {
  const healthyLatency = async (hookd: HookdProcess, firstSeq: number): Promise<TenantHalf> => {
    const latency = await measurePacedLatency(
      ctx,
      HEALTHY_RATE_PER_SECOND,
      {
        pace: (seq, durationMs, onPosted) => postPaced(hookd, seq, HEALTHY_RATE_PER_SECOND, durationMs, { onPosted, accountId: 'healthy' }),
        cpuSeconds: () => hookd.cpuSeconds(),
      },
      { durationMs: ctx.sizes.tenantMs, firstSeq },
    );
    return { latency, loadAverage: loadavg()[0]! };
  };
  return withHookd(ctx, {}, async (hookd) => {
    await setUpEndpoints(hookd, [
      { url: ctx.receiver.url('lat', 'lat'), accountId: 'healthy' },
      ...Array.from({ length: NOISY_ENDPOINTS }, () => ({ url: ctx.receiver.url('hang', 'noisy'), accountId: 'noisy', timeoutMs: NOISY_TIMEOUT_MS })),
    ]);
    const alone = await healthyLatency(hookd, 0);
    // The attacker's burst: events to its 20 hanging endpoints, each replayed NOISY_REPLAYS times.
    for (let i = 0; i < NOISY_EVENTS; i++) {
      const event = await hookd.expect<{ id: string }>(202, 'POST', '/v1/events', { type: BENCH_EVENT_TYPE, accountId: 'noisy', payload: payloadOf(-1 - i) });
      for (let replay = 0; replay < NOISY_REPLAYS; replay++) await hookd.expect(202, 'POST', `/v1/events/${event.id}/replay`, {});
    }
    // Measured once the noisy account's attempts hang on as many slots as they will get (the
    // count is read here: the measurement resets the receiver's counts after its warm-up).
    let noisyRequests = 0;
    for (let settled = 0, polls = 0; settled < 5 && polls < 150; polls++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      const count = (await ctx.receiver.group('noisy')).count;
      settled = count > 0 && count === noisyRequests ? settled + 1 : 0;
      noisyRequests = count;
    }
    return { alone, beside: await healthyLatency(hookd, BESIDE_FIRST_SEQ), noisyRequests };
  });
}
