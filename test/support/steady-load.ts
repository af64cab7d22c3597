import type { ServerProcess } from './server.js';

// A steady stream of events for the crash tests: one at a time, round robin over the nodes alive
// at that moment, recording which were accepted (202). Bounded in count.

export interface Load {
  /** The `payload.n` of every event answered 202. */
  accepted: Set<number>;
  stop(): Promise<void>;
}

/** Posts `load.tick` events until stopped; `live` says which nodes are up now. */
export function steadyLoad(live: () => ServerProcess[]): Load {
  const accepted = new Set<number>();
  let running = true;
  let n = 0;
  const loop = (async () => {
    while (running && n < 20_000) {
      const nodes = live();
      const node = nodes[n % Math.max(1, nodes.length)];
      const number = n++;
      if (node === undefined) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        continue;
      }
      try {
        const response = await node.request('POST', '/v1/events', { type: 'load.tick', payload: { n: number } });
        if (response.status === 202) accepted.add(number);
      } catch {
        // The node died mid-request: that event was not accepted.
      }
      await new Promise((resolve) => setTimeout(resolve, 3));
    }
  })();
  return {
    accepted,
    async stop() {
      running = false;
      await loop;
    },
  };
}
