import { withHookd, type BenchContext, type HookdRun } from '../context.js';
import { postPaced } from '../load.js';
import { BENCH_EVENT_TYPE, payloadOf, setUpEndpoints } from '../workload.js';
import { measurePacedLatency, type LatencyFigures } from './latency.js';

// 6. Noisy tenant (fair shares between accounts, issue 16): a healthy account's steady load of
// single events, alone, then beside a noisy account that has 20 endpoints to a receiver that never
// answers and has just replayed a burst of events to them. The healthy account's time to first
// attempt (receiver got it − POST returned), p99, with the noisy tenant as a multiple of alone.
// Without fair shares the noisy account's hanging attempts take every worker slot (20 endpoints ×
// 16 attempts each > 256 slots) and the healthy account's deliveries wait for their timeouts.

/** Longer than a run: the noisy account's attempts hang for the whole measurement. */
const NOISY_TIMEOUT_MS = 60_000;
const NOISY_ENDPOINTS = 20;
/** Events the noisy account posts, then replays (each replay: one delivery to each of its 20 endpoints). */
const NOISY_EVENTS = 15;
const NOISY_REPLAYS = 15;
/** The healthy account's load: light, so that its latency is what fairness decides, not throughput. */
const HEALTHY_RATE_PER_SECOND = 50;

export async function measureNoisyTenant(ctx: BenchContext): Promise<{ alone: HookdRun<LatencyFigures>; beside: HookdRun<{ latency: LatencyFigures; noisyRequests: number }> }> {
  const healthyLatency = (hookd: Parameters<Parameters<typeof withHookd>[2]>[0]) =>
    measurePacedLatency(ctx, HEALTHY_RATE_PER_SECOND, {
      pace: (firstSeq, durationMs, onPosted) => postPaced(hookd, firstSeq, HEALTHY_RATE_PER_SECOND, durationMs, { onPosted, accountId: 'healthy' }),
      cpuSeconds: () => hookd.cpuSeconds(),
    });
  const alone = await withHookd(ctx, {}, async (hookd) => {
    await setUpEndpoints(hookd, [{ url: ctx.receiver.url('lat', 'lat'), accountId: 'healthy' }]);
    return healthyLatency(hookd);
  });
  const beside = await withHookd(ctx, {}, async (hookd) => {
    await setUpEndpoints(hookd, [
      { url: ctx.receiver.url('lat', 'lat'), accountId: 'healthy' },
      ...Array.from({ length: NOISY_ENDPOINTS }, () => ({ url: ctx.receiver.url('hang', 'noisy'), accountId: 'noisy', timeoutMs: NOISY_TIMEOUT_MS })),
    ]);
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
    return { latency: await healthyLatency(hookd), noisyRequests };
  });
  return { alone, beside };
}
