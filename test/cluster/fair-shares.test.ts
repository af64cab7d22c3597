import { afterAll, beforeAll, describe, it } from 'vitest';
import { HANG_TIMEOUT_MS, noisyAccountDoesNotStarveAnother } from '../support/noisy-account.js';
import { createTestDatabase } from '../support/postgres.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { startServerProcess, type ServerProcess } from '../support/server.js';

// Fair shares between accounts across two hookd processes on one PostgreSQL database: each node's
// claim takes every account's due deliveries within its share, so the noisy account's backlog and
// hanging attempts on both nodes do not keep the healthy account's deliveries from being claimed.

describe('fair shares between accounts on two nodes', () => {
  let receiver: Receiver;
  let database: { url: string; drop: () => Promise<void> };
  let nodes: ServerProcess[] = [];

  beforeAll(async () => {
    [receiver, database] = await Promise.all([startReceiver(), createTestDatabase()]);
    const env = {
      HOOKD_DATABASE_URL: database.url,
      HOOKD_ADMIN_KEY: 'hk_admin_fair_shares_test_0123456789',
      HOOKD_WORKER_CONCURRENCY: '8',
      HOOKD_ENDPOINT_CONCURRENCY: '4',
    };
    // Started together: the migrations run once, under the advisory lock.
    nodes = await Promise.all([startServerProcess(env), startServerProcess(env)]);
  });
  afterAll(async () => {
    // The receiver first: it ends the hanging requests, so the nodes need not wait for their timeout.
    await receiver?.close();
    await Promise.all(nodes.map((node) => node.stop()));
    await database?.drop();
  });

  it("delivers another account's events through both nodes while one account's 20 endpoints hang", async () => {
    await noisyAccountDoesNotStarveAnother(nodes, receiver);
  }, 3 * HANG_TIMEOUT_MS);
});
