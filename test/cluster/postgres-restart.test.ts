import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOwnPostgres, type OwnPostgres } from '../../bench/own-postgres.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { startServerProcess, type ServerProcess } from '../support/server.js';
import { waitFor } from '../support/wait-for.js';

// The database stops and starts again under load (a restart, a failover): the node reports
// not-ready while it is away, then carries on by itself, and no accepted event is lost.

describe('a PostgreSQL restart during load', () => {
  let postgres: OwnPostgres;
  let receiver: Receiver;
  let node: ServerProcess | null = null;

  beforeAll(async () => {
    [postgres, receiver] = await Promise.all([startOwnPostgres({ fsync: 'off' }), startReceiver()]);
  });
  afterAll(async () => {
    await node?.stop();
    await receiver?.close();
    postgres?.destroy();
  });

  it('is survived without manual action', async () => {
    node = await startServerProcess({ HOOKD_DATABASE_URL: postgres.url, HOOKD_ADMIN_KEY: 'hk_admin_pg_restart_0123456789', HOOKD_LOG_LEVEL: 'error' });
    await node.request('POST', '/v1/event-types', { name: 'load.tick' });
    await node.request('POST', '/v1/endpoints', { url: `${receiver.url}/through`, eventTypes: ['load.tick'] });

    const accepted = new Set<number>();
    const statuses = new Map<number, number>();
    let running = true;
    const load = (async () => {
      for (let n = 0; running && n < 10_000; n++) {
        const response = await node!.request('POST', '/v1/events', { type: 'load.tick', payload: { n } }).catch(() => null);
        if (response !== null) statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        if (response?.status === 202) accepted.add(n);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();

    await waitFor(() => accepted.size >= 50, { what: 'load before the restart' });
    postgres.stop();
    const notReady = await waitFor(async () => (await fetch(`${node!.url}/ready`)).status === 503, { what: '/ready to report 503' }).catch(
      (error: Error) => {
        throw new Error(`${error.message}\nhookd said:\n${node!.output().slice(-3000)}`);
      },
    );
    expect(notReady).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    postgres.start();
    await waitFor(async () => (await fetch(`${node!.url}/ready`)).status === 200, { timeoutMs: 20_000, what: '/ready to recover' });
    const acceptedBefore = accepted.size;
    await waitFor(() => accepted.size > acceptedBefore + 50, { timeoutMs: 20_000, what: 'ingest to resume' });
    running = false;
    await load;

    const received = () => new Set(receiver.requestsTo('/through').map((r) => JSON.parse(r.body).data.n as number));
    await waitFor(() => [...accepted].every((n) => received().has(n)), { timeoutMs: 30_000, intervalMs: 250, what: 'every accepted event delivered' });
    // While the database was away, ingest said so plainly: 503, never a 500.
    expect(statuses.get(500) ?? 0).toBe(0);
    expect(statuses.get(503) ?? 0).toBeGreaterThan(0);
  }, 90_000);
});
