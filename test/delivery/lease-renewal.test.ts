import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEARTBEAT_EVERY_MS } from '../../src/queue/liveness.js';
import { createEndpoint, createEventTypes, deliveriesOf, postEvent } from '../support/fixtures.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { startServer, type TestServer } from '../support/server.js';
import { waitFor } from '../support/wait-for.js';

// An attempt may outlive the lease it was claimed under (an endpoint with a long timeout): the
// worker renews the lease with its heartbeat, so the lease sweep never hands the delivery to a
// worker (itself or another) that would send it a second time while the first is in flight.

const LEASE_SECONDS = 5;
/** The receiver answers well after the lease would have run out and been swept: without renewal a second request would arrive meanwhile. */
const ANSWER_AFTER_MS = LEASE_SECONDS * 1000 + 3 * HEARTBEAT_EVERY_MS;

describe('an attempt slower than the lease', () => {
  let receiver: Receiver;
  let server: TestServer;
  beforeAll(async () => {
    receiver = await startReceiver();
    server = await startServer({ HOOKD_LEASE_SECONDS: String(LEASE_SECONDS) });
  });
  afterAll(async () => {
    await server?.close();
    await receiver?.close();
  });

  it('is sent once: its worker renews the lease while the request is in flight', async () => {
    receiver.script('/slow', [{ status: 200, body: 'took my time', delayMs: ANSWER_AFTER_MS }]);
    await createEventTypes(server, 'report.ready');
    await createEndpoint(server, { url: `${receiver.url}/slow`, eventTypes: ['report.ready'], timeoutMs: 60_000 });
    const { id } = await postEvent(server, { type: 'report.ready', payload: {} });
    const [delivery] = await waitFor(
      async () => {
        const deliveries = await deliveriesOf(server, id);
        return deliveries[0]?.status === 'succeeded' ? deliveries : null;
      },
      { timeoutMs: ANSWER_AFTER_MS + 30_000, intervalMs: 200, what: 'the slow delivery to succeed' },
    );
    expect(delivery).toMatchObject({ status: 'succeeded', attempts: 1, lastStatusCode: 200 });
    expect(receiver.requestsTo('/slow')).toHaveLength(1);
  }, 60_000);
});
