import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../support/postgres.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { startServerProcess, tempDir, type ServerProcess } from '../support/server.js';
import { steadyLoad } from '../support/steady-load.js';
import { waitFor } from '../support/wait-for.js';

// An event answered 202 is delivered at least once even if its node is killed with SIGKILL at any
// moment. Under a steady load a node is killed at random moments and restarted; afterwards every
// accepted event has reached the receiver, and any duplicate is a delivery that was in flight.

const ADMIN_KEY = 'hk_admin_crash_test_0123456789';
const KILLS = 3;

async function crashRun(receiver: Receiver, env: Record<string, string>, nodeCount: number) {
  const start = () => startServerProcess({ ...env, HOOKD_ADMIN_KEY: ADMIN_KEY, HOOKD_LEASE_SECONDS: '5', HOOKD_LOG_LEVEL: 'error' });
  const nodes: Array<ServerProcess | null> = [];
  for (let i = 0; i < nodeCount; i++) nodes.push(await start());
  await nodes[0]!.request('POST', '/v1/event-types', { name: 'load.tick' });
  await nodes[0]!.request('POST', '/v1/endpoints', { url: `${receiver.url}/crash`, eventTypes: ['load.tick'] });

  const load = steadyLoad(() => nodes.filter((node): node is ServerProcess => node !== null));
  const killedAt: number[] = [];
  for (let kill = 0; kill < KILLS; kill++) {
    await new Promise((resolve) => setTimeout(resolve, 300 + Math.random() * 700));
    const victim = kill % nodeCount;
    const node = nodes[victim]!;
    nodes[victim] = null;
    await node.kill();
    // When the node was seen dead: until then it could still send (SIGKILL takes a moment to land),
    // and a request it sent in that moment is in flight at the kill, as much as one sent before.
    killedAt.push(Date.now());
    nodes[victim] = await start();
  }
  await new Promise((resolve) => setTimeout(resolve, 300));
  await load.stop();

  // Leases of killed nodes run out (5 s) and the sweep (every 5 s) hands their deliveries back.
  const received = () => new Set(receiver.requestsTo('/crash').map((r) => JSON.parse(r.body).data.n as number));
  await waitFor(() => [...load.accepted].every((n) => received().has(n)), { timeoutMs: 60_000, intervalMs: 250, what: 'every accepted event delivered' });
  for (const node of nodes) await node?.stop();

  expect(load.accepted.size).toBeGreaterThan(50);
  const byId = new Map<string, number[]>();
  for (const request of receiver.requestsTo('/crash')) {
    const id = String(request.headers['webhook-id']);
    byId.set(id, [...(byId.get(id) ?? []), request.receivedAt]);
  }
  // A duplicate was first sent before some kill: it was in flight (or its result unrecorded) then.
  for (const [, times] of byId) {
    if (times.length > 1) expect(killedAt.some((killed) => times[0]! <= killed)).toBe(true);
  }
  return { accepted: load.accepted.size, duplicates: [...byId.values()].filter((times) => times.length > 1).length };
}

describe('no accepted event is lost when nodes are killed', () => {
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await startReceiver();
  });
  afterAll(async () => receiver?.close());

  it('SQLite: one node, killed and restarted three times under load', async () => {
    const dir = tempDir();
    try {
      const result = await crashRun(receiver, { HOOKD_DATABASE_URL: `sqlite:${join(dir, 'crash.db')}` }, 1);
      expect(result.accepted).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('PostgreSQL: two nodes, each killed in turn under load', async () => {
    receiver.requests.length = 0;
    const database = await createTestDatabase();
    try {
      const result = await crashRun(receiver, { HOOKD_DATABASE_URL: database.url }, 2);
      expect(result.accepted).toBeGreaterThan(0);
    } finally {
      await database.drop();
    }
  }, 120_000);
});
