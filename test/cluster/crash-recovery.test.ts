import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TAKEOVER_WITHIN_MS } from '../../src/queue/liveness.js';
import { createTestDatabase } from '../support/postgres.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { startServerProcess, tempDir, type ServerProcess } from '../support/server.js';
import { steadyLoad } from '../support/steady-load.js';
import { waitFor } from '../support/wait-for.js';

// Crash recovery in seconds: a node killed with SIGKILL under load, with deliveries in flight, at
// the default lease (two minutes). What it held is not left until its leases run out: restarted
// on the same SQLite file it takes it all back at start; on PostgreSQL a live node takes it over
// once the dead node's heartbeat has stopped long enough (src/queue/liveness.ts).

const ADMIN_KEY = 'hk_admin_recovery_test_0123456789';
/** The receiver holds each request this long, so that the killed node has attempts in flight. */
const ANSWER_AFTER_MS = 1000;
/**
 * The product's promise, every accepted delivery within 15 s of the restart (of the kill when a
 * live node takes over): the heartbeat's takeover bound (8 s), plus 7 s for sending the backlog and
 * for a busy machine.
 */
const RECOVERY_BOUND_MS = TAKEOVER_WITHIN_MS + 7_000;

async function killUnderLoad(receiver: Receiver, env: Record<string, string>, nodeCount: number, restart: boolean) {
  const start = () =>
    startServerProcess({
      ...env,
      HOOKD_ADMIN_KEY: ADMIN_KEY,
      HOOKD_LOG_LEVEL: 'error',
      // Room for every request the receiver holds: none waits in its lane.
      HOOKD_ENDPOINT_CONCURRENCY: '256',
    });
  const nodes: Array<ServerProcess | null> = [];
  for (let i = 0; i < nodeCount; i++) nodes.push(await start());
  await nodes[0]!.request('POST', '/v1/event-types', { name: 'load.tick' });
  await nodes[0]!.request('POST', '/v1/endpoints', { url: `${receiver.url}/recover`, eventTypes: ['load.tick'] });
  receiver.script('/recover', [{ status: 200, delayMs: ANSWER_AFTER_MS }]);

  const load = steadyLoad(() => nodes.filter((node): node is ServerProcess => node !== null));
  // Killed while it has attempts in flight: the receiver holds the requests it got in the last second.
  await waitFor(() => receiver.requestsTo('/recover').length >= 20, { timeoutMs: 30_000, what: 'attempts in flight' });
  const victim = nodes[0]!;
  nodes[0] = null;
  await victim.kill();
  // Once it has exited: a request it wrote just before may still be arriving at the signal.
  const killedAt = Date.now();
  if (restart) nodes[0] = await start();
  const recoveringSince = restart ? Date.now() : killedAt;
  await waitFor(() => load.accepted.size > 0 && receiver.requestsTo('/recover').at(-1)!.receivedAt > recoveringSince, {
    timeoutMs: 30_000,
    what: 'deliveries after the kill',
  });
  await load.stop();

  // Done when every accepted event has reached the receiver and nothing is left leased or due: the
  // attempts that were in flight on the killed node have been made again and recorded.
  const survivor = nodes.find((node): node is ServerProcess => node !== null)!;
  const left = async (status: string) => (await survivor.request('GET', `/v1/deliveries?status=${status}&limit=1`)).body.data.length;
  const received = () => new Set(receiver.requestsTo('/recover').map((request) => JSON.parse(request.body).data.n as number));
  await waitFor(async () => [...load.accepted].every((n) => received().has(n)) && (await left('sending')) === 0 && (await left('pending')) === 0, {
    timeoutMs: 180_000,
    intervalMs: 250,
    what: 'every accepted event delivered and recorded',
  });
  for (const node of nodes) await node?.stop();

  const requests = receiver.requestsTo('/recover');
  const byId = new Map<string, number[]>();
  for (const request of requests) {
    const id = String(request.headers['webhook-id']);
    byId.set(id, [...(byId.get(id) ?? []), request.receivedAt]);
  }
  return {
    accepted: load.accepted.size,
    lastSentAfterMs: Math.max(...requests.map((request) => request.receivedAt)) - recoveringSince,
    sentAgain: [...byId.values()].filter((times) => times.length > 1),
    killedAt,
  };
}

describe('a node killed under load: what it held is delivered within seconds', () => {
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await startReceiver();
  });
  afterAll(async () => receiver?.close());

  it('SQLite: restarted on the same file, the node takes back at once what it held', async () => {
    const dir = tempDir();
    try {
      const result = await killUnderLoad(receiver, { HOOKD_DATABASE_URL: `sqlite:${join(dir, 'recovery.db')}` }, 1, true);
      expect(result.accepted).toBeGreaterThan(20);
      expect(result.lastSentAfterMs).toBeLessThanOrEqual(RECOVERY_BOUND_MS);
      // Attempts in flight at the kill were sent again (taken back, not left to the lease), and only those.
      expect(result.sentAgain.length).toBeGreaterThan(0);
      for (const times of result.sentAgain) expect(times[0]!).toBeLessThanOrEqual(result.killedAt);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);

  it('PostgreSQL: the other node takes over, the dead one is not restarted', async () => {
    receiver.requests.length = 0;
    const database = await createTestDatabase();
    try {
      const result = await killUnderLoad(receiver, { HOOKD_DATABASE_URL: database.url }, 2, false);
      expect(result.accepted).toBeGreaterThan(20);
      expect(result.lastSentAfterMs).toBeLessThanOrEqual(RECOVERY_BOUND_MS);
      expect(result.sentAgain.length).toBeGreaterThan(0);
      for (const times of result.sentAgain) expect(times[0]!).toBeLessThanOrEqual(result.killedAt);
    } finally {
      await database.drop();
    }
  }, 180_000);
});
