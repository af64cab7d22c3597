import { measureDelivery, warmUp, withHookd, type BenchContext, type DeliveryMeasurement, type HookdRun } from '../context.js';
import { setUpEndpoints } from '../workload.js';

// 6. Backlog: the same one-endpoint delivery run on a database holding a small and a large number
// of pending deliveries due in the future (a week from now). The queue must not slow down as it
// grows: the cost per due delivery should stay flat.

export async function measureWithBacklog(ctx: BenchContext, backlog: number): Promise<HookdRun<DeliveryMeasurement>> {
  return withHookd(ctx, { backlog }, async (hookd) => {
    await setUpEndpoints(hookd, [{ url: ctx.receiver.url('count', 'backlog') }]);
    await warmUp(ctx, hookd, ['backlog']);
    return measureDelivery(ctx, hookd, ['backlog'], ctx.sizes.backlogEvents);
  });
}
