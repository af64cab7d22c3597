import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newId } from '../../src/domain/ids.js';
import type { Delivery } from '../../src/domain/types.js';
import { DatabaseQueue, type HandedDelivery, type QueueConsumer } from '../../src/queue/delivery-queue.js';
import type { Store } from '../../src/store/store.js';
import { endpoint } from '../store/conformance.js';
import { openTestStore, type TestStore } from '../support/test-store.js';
import { TEST_BACKEND } from '../support/server.js';
import { waitFor } from '../support/wait-for.js';

// The hand-off at ingest (src/queue/delivery-queue.ts), on the backend under test: a new delivery
// goes straight to the node's worker when nothing older of its account waits in the queue. An
// account the last claim held to its share (hanging attempts on its slots, work left due) must not
// send every other account's new deliveries through a claim; its own new ones queue behind its
// older ones and are not handed over ahead of them. A paused endpoint's new deliveries are stored
// parked, and do not turn the hand-off off for the rest.

const T0 = 1_800_000_000_000;

describe(`the hand-off at ingest, per account (${TEST_BACKEND})`, () => {
  let store: Store;
  let queue: DatabaseQueue;
  let opened: TestStore;
  /** What the queue handed to the consumer, and how often it woke it. */
  let handed: string[];
  let wakes: number;
  let detach: () => void;

  beforeEach(async () => {
    opened = await openTestStore('hand-off', { ownDatabase: true });
    store = opened.store;
    queue = new DatabaseQueue(store);
    handed = [];
    wakes = 0;
  });
  afterEach(async () => {
    detach?.();
    await opened.close();
  });

  /** The node's worker as the queue sees it, with room for anything. */
  const consumer: QueueConsumer = {
    owner: 'w1',
    leaseMs: 60_000,
    reserveSlots: () => true,
    returnSlots: () => undefined,
    startHandedOver: (deliveries: HandedDelivery[]) => handed.push(...deliveries.map(({ delivery }) => delivery.id)),
    wake: () => {
      wakes += 1;
    },
  };

  async function createEndpoint(accountId: string): Promise<string> {
    const created = endpoint({ accountId });
    await store.createEndpoint(created);
    return created.id;
  }

  /** One event of `accountId` with `count` deliveries to `endpointId`, through the queue (handed over or queued). Returns their ids. */
  async function enqueue(accountId: string, endpointId: string, count: number): Promise<string[]> {
    return (await enqueueTo(accountId, Array.from({ length: count }, () => endpointId))).ids;
  }

  /** One event of `accountId` with a delivery to each of `endpointIds`: their ids, in that order, and those stored parked. */
  async function enqueueTo(accountId: string, endpointIds: string[]): Promise<{ ids: string[]; parked: readonly string[] }> {
    const eventId = newId('evt', T0);
    const deliveries: Delivery[] = endpointIds.map((endpointId) => ({
      id: newId('dlv', T0), eventId, endpointId, accountId, eventType: 't', url: 'https://example.com/hook', status: 'pending', attempts: 0,
      nextAttemptAt: T0, lastStatusCode: null, lastError: null, correlationId: null, createdAt: T0, completedAt: null,
    }));
    const event = { id: eventId, type: 't', accountId, payload: '{}', correlationId: null, callbackUrl: null, occurredAt: T0, createdAt: T0 };
    const wakesBefore = wakes;
    const [outcome] = await queue.enqueue([{ event, deliveries, clientId: false }], 0, T0);
    if (outcome?.outcome !== 'created') throw new Error(`expected the event to be created, got ${outcome?.outcome}`);
    const parked = outcome.parked ?? [];
    // PostgreSQL also hears of queued work over its NOTIFY channel, a moment after the commit: a
    // claim made before that echo would have its findings dropped by it.
    const queued = deliveries.some((delivery) => !handed.includes(delivery.id) && !parked.includes(delivery.id));
    if (queued && TEST_BACKEND === 'postgres') await waitFor(() => wakes >= wakesBefore + 2, { what: 'the NOTIFY of the queued work' });
    return { ids: deliveries.map((delivery) => delivery.id), parked };
  }

  /** The worker's claim at `now`: up to `limit` of each account with work due. */
  async function claim(limit: number, now = T0): Promise<string[]> {
    const { deliveries } = await queue.claim('w1', now, now + 60_000, (due) => due.map((account) => ({ account, limit })));
    return deliveries.map((delivery) => delivery.id).sort();
  }

  /**
   * How many wake-ups came since `before`, once every NOTIFY sent so far has arrived: one more is
   * sent now, and on PostgreSQL notifications arrive in the order they were sent.
   */
  async function wakesSince(before: number): Promise<number> {
    const fence = wakes;
    queue.announceDue();
    if (TEST_BACKEND === 'postgres') await waitFor(() => wakes >= fence + 2, { what: 'the NOTIFY sent as a fence' });
    return wakes - before - (TEST_BACKEND === 'postgres' ? 2 : 1);
  }

  it("hands another account's new deliveries over while one account is held to its share, and queues that one's behind its older ones", async () => {
    const noisy = await createEndpoint('noisy');
    const healthy = await createEndpoint('healthy');
    detach = queue.attach(consumer);
    // PostgreSQL: listening, which wakes the worker once (work may have come meanwhile).
    if (TEST_BACKEND === 'postgres') await waitFor(() => wakes > 0, { what: 'the work channel to listen' });

    // Nothing claimed yet: not even the first delivery is handed over (the queue may hold older ones).
    const older = await enqueue('noisy', noisy, 5);
    expect(handed).toEqual([]);
    // The noisy account is held to 2: 3 of its deliveries stay due.
    const held = await claim(2);
    expect(held).toHaveLength(2);

    const healthyIds = await enqueue('healthy', healthy, 1);
    expect(handed).toEqual(healthyIds);
    const newer = await enqueue('noisy', noisy, 1);
    expect(handed).toEqual(healthyIds);

    // The next claim takes the noisy account's three older ones and its new one, not the healthy
    // one (already leased), and leaves nothing due: now the noisy account's new work is handed over too.
    const rest = await claim(100);
    expect(rest).toHaveLength(4);
    expect(rest).toContain(newer[0]);
    expect([...held, ...rest.filter((id) => id !== newer[0])].sort()).toEqual([...older].sort());
    const last = await enqueue('noisy', noisy, 1);
    expect(handed).toEqual([...healthyIds, ...last]);
  });

  it('stores a paused endpoint\'s new deliveries parked: not handed over, not due, no wake-up, and the hand-off stays on', async () => {
    const paused = await createEndpoint('acct');
    const healthy = await createEndpoint('acct');
    detach = queue.attach(consumer);
    if (TEST_BACKEND === 'postgres') await waitFor(() => wakes > 0, { what: 'the work channel to listen' });
    // A claim that finds nothing due: from now on new deliveries are handed over.
    expect(await claim(100)).toEqual([]);
    const pausedUntil = T0 + 60_000;
    expect(await store.pauseEndpoint(paused, pausedUntil, 'retry_after', T0)).toBe(true);

    const wakesBefore = wakes;
    const mixed = await enqueueTo('acct', [healthy, paused]);
    const [toHealthy, toPaused] = mixed.ids;
    expect(mixed.parked).toEqual([toPaused]);
    expect(handed).toEqual([toHealthy]);
    expect(await wakesSince(wakesBefore)).toBe(0);
    expect((await store.getDelivery(toPaused!))?.status).toBe('pending');

    // Not due while the pause lasts, and it did not turn the hand-off off.
    expect(await claim(100)).toEqual([]);
    expect(await queue.nextDueAt()).toBe(pausedUntil);
    const later = await enqueue('acct', healthy, 1);
    expect(handed).toEqual([toHealthy, ...later]);

    // Once the pause is over, the claim brings it back and takes it.
    expect(await claim(100, pausedUntil + 1)).toEqual([toPaused]);
  });
});
