import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startServerProcess } from '../support/server.js';
import { waitFor } from '../support/wait-for.js';
import { useReceiverAndDirectory } from '../support/receiver-and-directory.js';

describe('operation timeouts across a restart', () => {
  const scene = useReceiverAndDirectory();

  it('fires a timeout that passed while the server was stopped, exactly once', async () => {
    const env = { HOOKD_DATABASE_URL: `sqlite:${join(scene.dir, 'ops.db')}`, HOOKD_ADMIN_KEY: 'hk_admin_ops_restart_test_0123456789' };
    const first = await startServerProcess(env);
    await first.request('POST', '/v1/event-types', { name: 'device.reboot' });
    const protocols: string[] = [];
    for (const subject of ['RTR-1', 'RTR-2', 'RTR-3']) {
      const response = await first.request('POST', '/v1/operations', { type: 'device.reboot', subject, callbackUrl: `${scene.receiver.url}/ixc`, timeoutSeconds: 2 });
      protocols.push(response.body.protocol);
    }
    expect(await first.stop()).toBe(0);
    // Let the timeouts pass while no node runs.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(scene.receiver.requestsTo('/ixc')).toHaveLength(0);

    const second = await startServerProcess(env);
    try {
      await waitFor(() => scene.receiver.requestsTo('/ixc').length === 3, { what: 'three timed_out webhooks after the restart' });
      // A second restart must not fire them again.
      await second.stop();
      const third = await startServerProcess(env);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await third.stop();
      const bodies = scene.receiver.requestsTo('/ixc').map((r) => JSON.parse(r.body).data);
      expect(bodies).toHaveLength(3);
      expect(bodies.map((b) => b.protocol).sort()).toEqual([...protocols].sort());
      expect(bodies.every((b) => b.status === 'timed_out')).toBe(true);
    } finally {
      if (second.child.exitCode === null) await second.stop();
    }
  });
});
