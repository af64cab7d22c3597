import { Pool } from 'undici';
import { benchNow } from '../clock.js';
import type { DashboardReply, DashboardRequest, ReadKind } from './dashboard-protocol.js';

// The soak's dashboard, in a process of its own (forked by dashboard.ts): every few seconds the
// endpoint list, one endpoint's stats (each in turn), the latest deliveries and the latest event
// with its deliveries, on one connection, as a browser would. Each read's latency is kept until the
// soak drains the minute's samples.

const READ_INTERVAL_MS = 3000;

let samples: number[] = [];
const byKind = new Map<ReadKind, number[]>();
let latestEventId: string | null = null;
let failure: string | null = null;
let stopped = false;
let wake: (() => void) | null = null;
let loop: Promise<void> | null = null;

function reply(message: DashboardReply): void {
  process.send!(message);
}

async function readRounds(url: string, adminKey: string, endpointIds: string[]): Promise<void> {
  const client = new Pool(url, { connections: 1 });
  const read = async (kind: ReadKind, path: string) => {
    const started = benchNow();
    const res = await client.request({ method: 'GET', path, headers: { authorization: `Bearer ${adminKey}` } });
    const body = await res.body.text();
    const ms = benchNow() - started;
    samples.push(ms);
    const ofKind = byKind.get(kind) ?? [];
    ofKind.push(ms);
    byKind.set(kind, ofKind);
    // A dashboard read that fails is hookd's bug, not a slow minute: it stops the run.
    if (res.statusCode !== 200) throw new Error(`GET ${path}: expected 200, got ${res.statusCode} ${body.slice(0, 300)}`);
  };
  try {
    for (let round = 0; !stopped; round++) {
      const due = benchNow() + READ_INTERVAL_MS;
      await read('endpoint list', '/v1/endpoints?limit=50');
      await read('endpoint stats', `/v1/endpoints/${endpointIds[round % endpointIds.length]}/stats`);
      await read('delivery list', '/v1/deliveries?limit=50');
      if (latestEventId !== null) await read('event', `/v1/events/${latestEventId}`);
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, Math.max(0, due - benchNow()));
      });
    }
  } finally {
    await client.close();
  }
}

process.on('message', (message: DashboardRequest) => {
  switch (message.type) {
    case 'start':
      loop = readRounds(message.url, message.adminKey, message.endpointIds).catch((error: unknown) => {
        failure = error instanceof Error ? error.message : String(error);
      });
      return;
    case 'latest':
      latestEventId = message.eventId;
      return;
    case 'drain': {
      if (failure !== null) return reply({ type: 'failed', message: failure });
      const taken = samples;
      samples = [];
      return reply({ type: 'samples', samples: taken });
    }
    case 'stop':
      stopped = true;
      wake?.();
      void (loop ?? Promise.resolve()).then(() =>
        reply(failure !== null ? { type: 'failed', message: failure } : { type: 'stopped', byKind: [...byKind] }),
      );
      return;
  }
});

// The bench ended (or died) without a stop: nothing is left to read for.
process.on('disconnect', () => process.exit(0));
