import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { startServerProcess, tempDir } from '../support/server.js';
import { waitFor } from '../support/wait-for.js';

describe('operation timeouts across a restart', () => {
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

  it('fires a timeout that passed while the server was stopped, exactly once', async () => {
    const env = { HOOKD_DATABASE_URL: `sqlite:${join(dir, 'ops.db')}`, HOOKD_ADMIN_KEY: 'hk_admin_ops_restart_test_0123456789' };
    const first = await startServerProcess(env);
    await first.request('POST', '/v1/event-types', { name: 'device.reboot' });
    const protocols: string[] = [];
    for (const subject of ['RTR-1', 'RTR-2', 'RTR-3']) {
      const response = await first.request('POST', '/v1/operations', { type: 'device.reboot', subject, callbackUrl: `${receiver.url}/ixc`, timeoutSeconds: 2 });
      protocols.push(response.body.protocol);
    }
    expect(await first.stop()).toBe(0);
    // Let the timeouts pass while no node runs.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(receiver.requestsTo('/ixc')).toHaveLength(0);

    const second = await startServerProcess(env);
    try {
      await waitFor(() => receiver.requestsTo('/ixc').length === 3, { what: 'three timed_out webhooks after the restart' });
      // A second restart must not fire them again.
      await second.stop();
      const third = await startServerProcess(env);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await third.stop();
      const bodies = receiver.requestsTo('/ixc').map((r) => JSON.parse(r.body).data);
      expect(bodies).toHaveLength(3);
      expect(bodies.map((b) => b.protocol).sort()).toEqual([...protocols].sort());
      expect(bodies.every((b) => b.status === 'timed_out')).toBe(true);
    } finally {
      if (second.child.exitCode === null) await second.stop();
    }
  });
});
