import { Pool } from 'undici';
import { benchNow } from '../clock.js';
import type { HookdProcess } from '../hookd-process.js';

// What an operator's dashboard asks while the load runs: every few seconds the endpoint list, one
// endpoint's stats (each in turn), the latest deliveries and the latest event with its deliveries.
// Each read's latency is kept until the soak takes the minute's samples. The reads have a connection
// of their own, as a browser would: on the load's pool they would wait behind queued posts.

export const READ_INTERVAL_MS = 3000;

/** The four reads of a round, named for the report. */
export type ReadKind = 'endpoint list' | 'endpoint stats' | 'delivery list' | 'event';

export interface DashboardReader {
  /** The latencies (ms) of the reads made since the last call; throws once a read has failed. */
  drain(): number[];
  /** Every read's latency (ms) since the start, by kind: which read is slow. */
  readonly byKind: ReadonlyMap<ReadKind, readonly number[]>;
  /** Stops after the round in flight; throws if a read failed. */
  stop(): Promise<void>;
}

export function startDashboardReads(hookd: HookdProcess, endpointIds: readonly string[], latestEventId: () => string | null): DashboardReader {
  const client = new Pool(hookd.url, { connections: 1 });
  let samples: number[] = [];
  let stopped = false;
  let wake: (() => void) | null = null;
  let failure: unknown = null;
  const byKind = new Map<ReadKind, number[]>();
  const read = async (kind: ReadKind, path: string) => {
    const started = benchNow();
    const res = await client.request({ method: 'GET', path, headers: { authorization: `Bearer ${hookd.adminKey}` } });
    const body = await res.body.text();
    const ms = benchNow() - started;
    samples.push(ms);
    const ofKind = byKind.get(kind) ?? [];
    ofKind.push(ms);
    byKind.set(kind, ofKind);
    // A dashboard read that fails is hookd's bug, not a slow minute: it stops the run.
    if (res.statusCode !== 200) throw new Error(`GET ${path}: expected 200, got ${res.statusCode} ${body.slice(0, 300)}`);
  };
  const loop = (async () => {
    for (let round = 0; !stopped; round++) {
      const due = benchNow() + READ_INTERVAL_MS;
      await read('endpoint list', '/v1/endpoints?limit=50');
      await read('endpoint stats', `/v1/endpoints/${endpointIds[round % endpointIds.length]}/stats`);
      await read('delivery list', '/v1/deliveries?limit=50');
      const eventId = latestEventId();
      if (eventId !== null) await read('event', `/v1/events/${eventId}`);
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, Math.max(0, due - benchNow()));
      });
    }
  })().catch((error: unknown) => {
    failure = error;
  });
  return {
    byKind,
    drain() {
      if (failure !== null) throw failure;
      const taken = samples;
      samples = [];
      return taken;
    },
    async stop() {
      stopped = true;
      wake?.();
      await loop;
      await client.close();
      if (failure !== null) throw failure;
    },
  };
}
