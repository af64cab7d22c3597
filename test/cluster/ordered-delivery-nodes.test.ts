import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveryStatuses, ORDERED_RETRY, orderViolations, payloadOf, postNumbered, scriptRandomFailures } from '../support/fifo-order.js';
import { createTestDatabase } from '../support/postgres.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { startServerProcess, tempDir, type ServerProcess } from '../support/server.js';
import { waitFor } from '../support/wait-for.js';

// Ordered delivery across nodes and through a kill -9 (README "Ordered delivery"): the chains of
// ordering keys live in the database, so two nodes ingesting and claiming on one PostgreSQL keep
// each key one at a time and in order, and a node killed with deliveries in flight leaves no key
// stuck and none out of order (its leases are taken over with their links).

const ADMIN_KEY = 'hk_admin_ordered_nodes_0123456789';
const SEED = 1618;
const FAIL_RATE = 0.2;
const KEYS = 20;
/** The receiver holds each answer this long, so that the node killed has attempts in flight. */
const ANSWER_AFTER_MS = 40;

async function orderedAcrossAKill(receiver: Receiver, env: Record<string, string>, nodeCount: number, restart: boolean) {
  const start = () => startServerProcess({ ...env, HOOKD_ADMIN_KEY: ADMIN_KEY, HOOKD_LOG_LEVEL: 'error' });
  const nodes: ServerProcess[] = [];
  for (let i = 0; i < nodeCount; i++) nodes.push(await start());
  await nodes[0]!.request('POST', '/v1/event-types', { name: 'order.placed' });
  const endpoint = (
    await nodes[0]!.request('POST', '/v1/endpoints', { url: `${receiver.url}/nodes`, eventTypes: ['order.placed'], ordering: 'fifo', retry: ORDERED_RETRY })
  ).body as { id: string };
  const statuses = scriptRandomFailures(receiver, '/nodes', SEED, FAIL_RATE, ANSWER_AFTER_MS);
  const numbers = new Map<string, number>();
  // Half the events posted on the nodes in turn, the rest once one node has been killed.
  await postNumbered(nodes, 'order.placed', { from: 0, to: 300, keys: KEYS, batch: 50 }, numbers);
  await waitFor(() => receiver.requestsTo('/nodes').length >= 60, { timeoutMs: 60_000, what: 'deliveries under way' });
  await nodes[0]!.kill();
  const survivors = restart ? [await start()] : nodes.slice(1);
  await postNumbered(survivors, 'order.placed', { from: 300, to: 600, keys: KEYS, batch: 50 }, numbers);

  const final = new Set(['succeeded', 'failed']);
  await waitFor(async () => [...(await deliveryStatuses(survivors[0]!, endpoint.id)).values()].every((status) => final.has(status)), {
    timeoutMs: 240_000,
    intervalMs: 500,
    what: 'every delivery ended',
  });
  const ended = await deliveryStatuses(survivors[0]!, endpoint.id);
  for (const node of survivors) await node.stop();
  return { ended, numbers, statuses };
}

describe('ordered delivery across nodes and a kill -9', () => {
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await startReceiver();
  });
  afterAll(async () => receiver?.close());

  const check = ({ ended, numbers, statuses }: Awaited<ReturnType<typeof orderedAcrossAKill>>) => {
    expect(orderViolations(receiver.requestsTo('/nodes'), statuses)).toEqual([]);
    expect(ended.size).toBe(600);
    // Nothing lost, nothing stuck: every event ended as the receiver's last answer to it says (an
    // attempt in flight at the kill was answered to no one, and made again).
    const lastAnswer = new Map<number, number>();
    for (const request of receiver.requestsTo('/nodes').sort((a, b) => a.receivedOrder - b.receivedOrder)) {
      lastAnswer.set(payloadOf(request).n, statuses.get(request)!);
    }
    for (const [eventId, status] of ended) expect([eventId, status]).toEqual([eventId, lastAnswer.get(numbers.get(eventId)!) === 200 ? 'succeeded' : 'failed']);
  };

  it('PostgreSQL: two nodes ingest and deliver one key at a time in order; one is killed and the other takes over its chains', async () => {
    receiver.requests.length = 0;
    const database = await createTestDatabase();
    try {
      check(await orderedAcrossAKill(receiver, { HOOKD_DATABASE_URL: database.url }, 2, false));
    } finally {
      await database.drop();
    }
  }, 300_000);

  it('SQLite: killed and restarted on the same file, the node keeps every key in order', async () => {
    receiver.requests.length = 0;
    const dir = tempDir();
    try {
      check(await orderedAcrossAKill(receiver, { HOOKD_DATABASE_URL: `sqlite:${join(dir, 'ordered.db')}` }, 1, true));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
