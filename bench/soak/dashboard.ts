import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { HookdProcess } from '../hookd-process.js';
import type { DashboardReply, DashboardRequest, ReadKind } from './dashboard-protocol.js';

// What an operator's dashboard asks while the load runs (dashboard-reader.ts), read from a process
// of its own, as a browser would: timed on the bench's event loop, which also sends the load, a
// read's latency included the bench's own waits (docs/performance.md, section 30). The bench tells
// the reader the latest event it posted, once a second, for the read of one event.

export type { ReadKind } from './dashboard-protocol.js';

export interface DashboardReader {
  /** The latencies (ms) of the reads made since the last call; throws once a read has failed. */
  drain(): Promise<number[]>;
  /** Stops after the round in flight; every read's latency (ms) since the start, by kind; throws if a read failed. */
  stop(): Promise<Map<ReadKind, number[]>>;
}

export function startDashboardReads(hookd: HookdProcess, endpointIds: readonly string[], latestEventId: () => string | null): DashboardReader {
  const child: ChildProcess = fork(fileURLToPath(new URL('./dashboard-reader.js', import.meta.url)), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const pending: Array<(reply: DashboardReply) => void> = [];
  let exited: Error | null = null;
  child.on('message', (reply: DashboardReply) => pending.shift()?.(reply));
  child.once('exit', (code) => {
    exited = new Error(`dashboard reader exited with ${code}`);
    // Whatever was asked gets an answer that says so.
    for (const answer of pending.splice(0)) answer({ type: 'failed', message: exited.message });
  });
  const send = (request: DashboardRequest) => {
    if (exited === null) child.send(request);
  };
  const ask = (request: DashboardRequest): Promise<DashboardReply> => {
    if (exited !== null) return Promise.resolve({ type: 'failed', message: exited.message });
    return new Promise((resolve) => {
      pending.push(resolve);
      child.send(request);
    });
  };
  send({ type: 'start', url: hookd.url, adminKey: hookd.adminKey, endpointIds: [...endpointIds] });
  let told: string | null = null;
  const tell = setInterval(() => {
    const latest = latestEventId();
    if (latest !== null && latest !== told) send({ type: 'latest', eventId: latest });
    told = latest;
  }, 1000);
  return {
    async drain() {
      const reply = await ask({ type: 'drain' });
      if (reply.type === 'failed') throw new Error(reply.message);
      if (reply.type !== 'samples') throw new Error('dashboard reader: unexpected reply');
      return reply.samples;
    },
    async stop() {
      clearInterval(tell);
      const reply = await ask({ type: 'stop' });
      child.disconnect();
      if (reply.type === 'failed') throw new Error(reply.message);
      if (reply.type !== 'stopped') throw new Error('dashboard reader: unexpected reply');
      return new Map(reply.byKind);
    },
  };
}
