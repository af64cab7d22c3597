import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newId } from '../../src/domain/ids.js';
import { DatabaseQueue } from '../../src/queue/delivery-queue.js';
import { NODE_DEAD_AFTER_MS } from '../../src/queue/liveness.js';
import type { Store } from '../../src/store/store.js';
import { openTestStore, type TestStore } from '../support/test-store.js';
import { TEST_BACKEND } from '../support/server.js';

// The queue's side of node liveness, on the backend under test: when a node is taken for dead,
// and what a node starting takes back at once.

const T0 = 1_800_000_000_000;

describe(`node liveness in the queue (${TEST_BACKEND})`, () => {
  let store: Store;
  let opened: TestStore;
  let queue: DatabaseQueue;

  beforeEach(async () => {
    opened = await openTestStore('liveness');
    store = opened.store;
    queue = new DatabaseQueue(store);
  });
  afterEach(async () => {
    await opened.close();
  });

  /** One due delivery, claimed by `owner`. */
  async function claimedBy(owner: string, now: number): Promise<string> {
    const eventId = newId('evt', T0);
    const deliveryId = newId('dlv', T0);
    await store.ingestEvents(
      [
        {
          event: { id: eventId, type: 't', accountId: null, payload: '{}', correlationId: null, callbackUrl: null, occurredAt: T0, createdAt: T0 },
          deliveries: [
            { id: deliveryId, eventId, endpointId: null, accountId: null, eventType: 't', url: 'https://example.com/', status: 'pending', attempts: 0, nextAttemptAt: T0, lastStatusCode: null, lastError: null, correlationId: null, createdAt: T0, completedAt: null },
          ],
          clientId: false,
        },
      ],
      0,
      T0,
    );
    const claimed = await queue.claim(owner, now, now + 120_000, (due) => due.map((account) => ({ account, limit: 1 })));
    expect(claimed.deliveries.map((d) => d.id)).toEqual([deliveryId]);
    return deliveryId;
  }

  it('takes a node for dead only after watching it miss its beats for the whole stretch itself', async () => {
    // Beats, not joins: on SQLite a join takes every other node for a dead predecessor.
    await queue.beat('w1', T0, [], 0);
    await queue.beat('w2', T0, [], 0);
    const held = await claimedBy('w1', T0);
    const later = T0 + NODE_DEAD_AFTER_MS + 1;
    // w2 has beaten only since just now (the database was away): w1's silence proves nothing yet.
    expect(await queue.beat('w2', later, [], 0)).toEqual([]);
    expect(await queue.recoverLeases('w2', later, later)).toBe(0);
    expect((await store.getDelivery(held))?.status).toBe('sending');
    // w2 has beaten all along: w1 is dead and what it held is due again.
    expect(await queue.recoverLeases('w2', later, T0)).toBe(1);
    expect((await store.getDelivery(held))?.status).toBe('pending');
  });

  it('renews through the heartbeat only what the node still holds', async () => {
    await queue.join('w1', T0);
    const held = await claimedBy('w1', T0);
    expect(await queue.beat('w1', T0 + 1000, [held, 'dlv_gone'], T0 + 500_000)).toEqual([held]);
    expect(await queue.recoverLeases('w1', T0 + 200_000, T0)).toBe(0);
    expect((await store.getDelivery(held))?.status).toBe('sending');
  });

  it(
    TEST_BACKEND === 'sqlite'
      ? 'a process starting on the SQLite file takes back at once what the one before it held'
      : 'a node starting on PostgreSQL takes nothing from the others, however recently they beat',
    async () => {
      await queue.join('before', T0);
      const held = await claimedBy('before', T0);
      const taken = await queue.join('after', T0 + 1000);
      expect(taken).toBe(TEST_BACKEND === 'sqlite' ? 1 : 0);
      expect((await store.getDelivery(held))?.status).toBe(TEST_BACKEND === 'sqlite' ? 'pending' : 'sending');
    },
  );
});
