import { measureDelivery, warmUp, withHookd, type BenchContext, type DeliveryMeasurement, type HookdRun } from '../context.js';
import { setUpEndpoints } from '../workload.js';

// 2. Delivery throughput: events posted in batches, fanned out to `endpointCount` endpoints, from
// the first post to the last receipt.

export async function measureThroughput(ctx: BenchContext, endpointCount: number, events: number): Promise<HookdRun<DeliveryMeasurement>> {
  return withHookd(ctx, {}, async (hookd) => {
    const groups = Array.from({ length: endpointCount }, (_, i) => `fan${endpointCount}-${i}`);
    await setUpEndpoints(hookd, groups.map((group) => ({ url: ctx.receiver.url('count', group) })));
    await warmUp(ctx, hookd, groups);
    return measureDelivery(ctx, hookd, groups, events);
  });
}
