import { benchNow } from '../clock.js';
import { withHookd, type BenchContext, type HookdRun } from '../context.js';
import { batchBodies, postBatches, postSingles, singleBodies } from '../load.js';
import { BATCH_POSTERS, BATCH_SIZE, SINGLE_CLIENTS } from '../sizes.js';
import { setUpEndpoints } from '../workload.js';

// 3. Ingest: events accepted per second, one per request from 64 clients, and in batches. hookd
// runs as an API node (HOOKD_ROLE=api) with one subscribed endpoint: every event is stored with its
// delivery, durably, before the 202, and no worker competes for the CPU (delivery has its own
// figures).

export interface IngestFigures {
  singleEvents: number;
  singleEventsPerSecond: number;
  /** hookd CPU time per event accepted (less sensitive to a busy machine than the rate). */
  singleCpuMicrosPerEvent: number | null;
  batchEvents: number;
  batchSize: number;
  batchEventsPerSecond: number;
  batchCpuMicrosPerEvent: number | null;
}

function cpuMicrosPerEvent(before: number | null, after: number | null, events: number): number | null {
  return before === null || after === null ? null : ((after - before) * 1e6) / events;
}

export async function measureIngest(ctx: BenchContext): Promise<HookdRun<IngestFigures>> {
  return withHookd(ctx, { env: { HOOKD_ROLE: 'api' } }, async (hookd) => {
    await setUpEndpoints(hookd, [{ url: ctx.receiver.url('count', 'ingest') }]);
    const { ingestSingles, ingestBatchEvents, warmupEvents } = ctx.sizes;
    await postSingles(hookd, singleBodies(0, warmupEvents), SINGLE_CLIENTS);
    await postBatches(hookd, batchBodies(0, warmupEvents * 5, BATCH_SIZE), BATCH_POSTERS);

    const singles = singleBodies(100_000, ingestSingles);
    let cpu = hookd.cpuSeconds();
    let start = benchNow();
    await postSingles(hookd, singles, SINGLE_CLIENTS);
    const singleSeconds = (benchNow() - start) / 1000;
    const singleCpu = cpuMicrosPerEvent(cpu, hookd.cpuSeconds(), ingestSingles);

    const batches = batchBodies(200_000, ingestBatchEvents, BATCH_SIZE);
    cpu = hookd.cpuSeconds();
    start = benchNow();
    await postBatches(hookd, batches, BATCH_POSTERS);
    const batchSeconds = (benchNow() - start) / 1000;
    const batchCpu = cpuMicrosPerEvent(cpu, hookd.cpuSeconds(), ingestBatchEvents);
    return {
      singleEvents: ingestSingles,
      singleEventsPerSecond: ingestSingles / singleSeconds,
      singleCpuMicrosPerEvent: singleCpu,
      batchEvents: ingestBatchEvents,
      batchSize: BATCH_SIZE,
      batchEventsPerSecond: ingestBatchEvents / batchSeconds,
      batchCpuMicrosPerEvent: batchCpu,
    };
  });
}
