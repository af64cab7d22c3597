import { afterAll, beforeAll, describe, it } from 'vitest';
import { HANG_TIMEOUT_MS, noisyAccountDoesNotStarveAnother } from '../support/noisy-account.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { startServer, type TestServer } from '../support/server.js';

// Fair shares between accounts on one node (SQLite, or PostgreSQL with HOOKD_TEST_BACKEND):
// see test/support/noisy-account.ts; test/cluster/fair-shares.test.ts runs it on two nodes.

describe('fair shares between accounts on one node', () => {
  let server: TestServer;
  let receiver: Receiver;

  beforeAll(async () => {
    [server, receiver] = await Promise.all([startServer({ HOOKD_WORKER_CONCURRENCY: '8', HOOKD_ENDPOINT_CONCURRENCY: '4' }), startReceiver()]);
  });
  afterAll(async () => {
    // The receiver first: it ends the hanging requests, so shutdown need not wait for their timeout.
    await receiver?.close();
    await server?.close();
  });

  it("delivers another account's events while one account's 20 endpoints hang", async () => {
    await noisyAccountDoesNotStarveAnother([server], receiver);
  }, 3 * HANG_TIMEOUT_MS);
});
