import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEndpoint, createEventTypes } from '../support/fixtures.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { startServerProcess, tempDir } from '../support/server.js';
import { waitFor } from '../support/wait-for.js';

describe('graceful shutdown', () => {
  let receiver: Receiver;
  let dir: string;
  beforeAll(async () => {
    receiver = await startReceiver();
    dir = tempDir();
  });
  afterAll(async () => {
    await receiver?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finishes the attempt in flight on SIGTERM and records it before exiting', async () => {
    const env = { HOOKD_DATABASE_URL: `sqlite:${join(dir, 'graceful.db')}`, HOOKD_ADMIN_KEY: 'hk_admin_graceful_test_0123456789' };
    receiver.script('/slow', [{ status: 200, body: 'took my time', delayMs: 1500 }]);
    const node = await startServerProcess(env);
    await createEventTypes(node, 'report.ready');
    await createEndpoint(node, { url: `${receiver.url}/slow`, eventTypes: ['report.ready'] });
    const { body } = await node.request('POST', '/v1/events', { type: 'report.ready', payload: {} });
    await waitFor(() => receiver.requestsTo('/slow').length === 1);
    expect(await node.stop()).toBe(0);

    // Restarted, the delivery is already finished: nothing is sent again.
    const again = await startServerProcess(env);
    try {
      const [delivery] = (await again.request('GET', `/v1/deliveries?eventId=${body.id}`)).body.data;
      expect(delivery).toMatchObject({ status: 'succeeded', attempts: 1, lastStatusCode: 200 });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(receiver.requestsTo('/slow')).toHaveLength(1);
    } finally {
      await again.stop();
    }
  });
});
