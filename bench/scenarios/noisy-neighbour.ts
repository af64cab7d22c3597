import { measureDelivery, warmUp, withHookd, type BenchContext, type DeliveryMeasurement, type HookdRun } from '../context.js';
import { setUpEndpoints } from '../workload.js';

// 5. Noisy neighbour: nine healthy endpoints alone, then the same nine beside a tenth that never
// answers. The healthy ones' throughput with the bad one, as a share of without.

/** The hanging endpoint's timeout: long enough to hold its slots, short enough to time out within a run. */
export const HANGING_TIMEOUT_MS = 5000;

export interface NoisyFigures {
  healthyAlone: DeliveryMeasurement;
  healthyBesideHanging: DeliveryMeasurement;
  /** Requests the hanging endpoint received during the measured part of the run. */
  hangingRequests: number;
}

const HEALTHY = Array.from({ length: 9 }, (_, i) => `healthy-${i}`);

export async function measureNoisyNeighbour(
  ctx: BenchContext,
): Promise<{ alone: HookdRun<DeliveryMeasurement>; beside: HookdRun<{ measurement: DeliveryMeasurement; hangingRequests: number }> }> {
  const events = ctx.sizes.noisyEvents;
  const alone = await withHookd(ctx, {}, async (hookd) => {
    await setUpEndpoints(hookd, HEALTHY.map((group) => ({ url: ctx.receiver.url('count', group) })));
    await warmUp(ctx, hookd, HEALTHY);
    return measureDelivery(ctx, hookd, HEALTHY, events);
  });
  const beside = await withHookd(ctx, {}, async (hookd) => {
    await setUpEndpoints(hookd, [
      ...HEALTHY.map((group) => ({ url: ctx.receiver.url('count', group) })),
      { url: ctx.receiver.url('hang', 'hanging'), timeoutMs: HANGING_TIMEOUT_MS },
    ]);
    await warmUp(ctx, hookd, HEALTHY);
    const measurement = await measureDelivery(ctx, hookd, HEALTHY, events);
    return { measurement, hangingRequests: (await ctx.receiver.group('hanging')).count };
  });
  return { alone, beside };
}
