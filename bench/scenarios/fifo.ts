import { measureDelivery, warmUp, withHookd, type BenchContext, type DeliveryMeasurement, type HookdRun } from '../context.js';
import { FIFO_KEYS } from '../sizes.js';
import { setUpEndpoints } from '../workload.js';

// 10. What ordered delivery costs: the same events to one endpoint, unordered, then to one `fifo`
// endpoint over FIFO_KEYS ordering keys (README "Ordered delivery"). The fifo run pays for ingest
// through the transaction path (the chains' tail rows), no hand-off, a claim per delivery, and a
// transaction per result batch that ends chain members; each key has one delivery in flight.

async function measureOrdering(ctx: BenchContext, ordering: 'none' | 'fifo', events: number): Promise<HookdRun<DeliveryMeasurement>> {
  return withHookd(ctx, {}, async (hookd) => {
    const group = `ordering-${ordering}`;
    const keys = ordering === 'fifo' ? FIFO_KEYS : undefined;
    await setUpEndpoints(hookd, [{ url: ctx.receiver.url('count', group), ordering }]);
    await warmUp(ctx, hookd, [group], keys);
    return measureDelivery(ctx, hookd, [group], events, keys);
  });
}

export async function measureFifo(ctx: BenchContext): Promise<{ unordered: HookdRun<DeliveryMeasurement>; fifo: HookdRun<DeliveryMeasurement> }> {
  return {
    unordered: await measureOrdering(ctx, 'none', ctx.sizes.fifoEvents),
    fifo: await measureOrdering(ctx, 'fifo', ctx.sizes.fifoEvents),
  };
}
