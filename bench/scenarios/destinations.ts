import { benchNow } from '../clock.js';
import { BROKER_LABELS, openCounter, type BrokerCounter, type BrokerName } from '../broker-counters.js';
import { measureDelivery, warmUp, withHookd, type BenchContext, type DeliveryMeasurement, type HookdRun } from '../context.js';
import { batchBodies, postBatches } from '../load.js';
import { BATCH_POSTERS, BATCH_SIZE } from '../sizes.js';
import { setUpEndpoints } from '../workload.js';
import type { HookdProcess } from '../hookd-process.js';

// 9. Destinations: one endpoint's delivery rate to each broker beside HTTP, in the same run on
// the same machine, the same signed 1 KiB bodies: to the bench's receiver over HTTP, then to a
// RabbitMQ exchange, a JetStream stream and a Redis stream (bench/broker-counters.ts), each on a
// fresh hookd and database. A broker delivery counts once the broker holds the message (hookd's
// attempt waited for its acknowledgement); the broker's count is read every POLL_MS, so the end
// of a run is known to within that.

const POLL_MS = 20;
/** A run that stalls (a broker that stopped acknowledging) ends the bench rather than hanging it. */
const STALL_MS = 60_000;

export interface DestinationFigures {
  http: DeliveryMeasurement;
  brokers: Partial<Record<BrokerName, BrokerDelivery>>;
}

export interface BrokerDelivery {
  events: number;
  /** Messages the broker held at the end of the run (at least `events`). */
  delivered: number;
  seconds: number;
  deliveriesPerSecond: number;
  hookdCpuMicrosPerDelivery: number | null;
}

export async function measureHttpDestination(ctx: BenchContext): Promise<HookdRun<DeliveryMeasurement>> {
  return withHookd(ctx, {}, async (hookd) => {
    await setUpEndpoints(hookd, [{ url: ctx.receiver.url('count', 'dest-http') }]);
    await warmUp(ctx, hookd, ['dest-http']);
    return measureDelivery(ctx, hookd, ['dest-http'], ctx.sizes.destinationEvents);
  });
}

export async function measureBrokerDestination(ctx: BenchContext, broker: BrokerName): Promise<HookdRun<BrokerDelivery>> {
  const counter = await openCounter(broker);
  try {
    return await withHookd(ctx, {}, async (hookd) => {
      await setUpEndpoints(hookd, [{ url: counter.url, destination: counter.destination }]);
      await deliverAndCount(hookd, counter, 0, ctx.sizes.warmupEvents, `${BROKER_LABELS[broker]} warm-up`);
      const events = ctx.sizes.destinationEvents;
      const bar = ctx.bar(`${BROKER_LABELS[broker]} messages`, events);
      const cpuBefore = hookd.cpuSeconds();
      const { seconds, delivered } = await deliverAndCount(hookd, counter, 1_000_000, events, BROKER_LABELS[broker], (held) => bar.update(held));
      bar.finish();
      const cpuAfter = hookd.cpuSeconds();
      return {
        events,
        delivered,
        seconds,
        deliveriesPerSecond: events / seconds,
        hookdCpuMicrosPerDelivery: cpuBefore === null || cpuAfter === null ? null : ((cpuAfter - cpuBefore) * 1e6) / events,
      };
    });
  } finally {
    await counter.close();
  }
}

/** Posts `events` events in batches and waits until the broker holds as many more messages. */
async function deliverAndCount(
  hookd: HookdProcess,
  counter: BrokerCounter,
  firstSeq: number,
  events: number,
  what: string,
  onProgress?: (held: number) => void,
): Promise<{ seconds: number; delivered: number }> {
  const bodies = batchBodies(firstSeq, events, BATCH_SIZE);
  const before = await counter.count();
  const start = benchNow();
  await postBatches(hookd, bodies, BATCH_POSTERS);
  let held = 0;
  let lastChange = benchNow();
  for (;;) {
    const now = (await counter.count()) - before;
    const at = benchNow();
    if (now >= events) return { seconds: (at - start) / 1000, delivered: now };
    if (now !== held) {
      held = now;
      lastChange = at;
      onProgress?.(held);
    } else if (at - lastChange > STALL_MS) {
      throw new Error(`${what}: the broker held ${held} of ${events} messages and no more for ${STALL_MS / 1000} s`);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
