import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli-process.js';
import { createEndpoint, createEventTypes } from '../support/fixtures.js';
import { startServerProcess, type ApiClient, type ApiResponse } from '../support/server.js';
import { waitFor } from '../support/wait-for.js';
import { useReceiverAndDirectory } from '../support/receiver-and-directory.js';

// `hookd backup` copies a live SQLite database while events keep arriving, and hookd serves the
// copy: every event acknowledged before the backup began is in it, each with its delivery.

const LOAD_MAX_EVENTS = 3000;
const LOAD_MAX_MS = 60_000;
const POSTERS = 4;

async function listAll(api: ApiClient, path: string): Promise<Array<Record<string, unknown>>> {
  const all: Array<Record<string, unknown>> = [];
  let cursor: string | null = null;
  do {
    const page: ApiResponse<{ data: Array<Record<string, unknown>>; nextCursor: string | null }> = await api.request('GET', `${path}?limit=250${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`);
    expect(page.status).toBe(200);
    all.push(...page.body.data);
    cursor = page.body.nextCursor;
  } while (cursor !== null);
  return all;
}

describe('hookd backup', () => {
  const scene = useReceiverAndDirectory();

  it('copies a database under load consistently, and hookd serves the copy', async () => {
    const live = join(scene.dir, 'live.db');
    const copy = join(scene.dir, 'copy.db');
    const server = await startServerProcess({ HOOKD_DATABASE_URL: `sqlite:${live}` });
    const acknowledged: string[] = [];
    let loading = true;
    let beforeBackup: string[];
    try {
      await createEventTypes(server, 'order.paid');
      await createEndpoint(server, { url: `${scene.receiver.url}/hooks`, eventTypes: ['order.paid'] });
      const started = Date.now();
      const posters = Array.from({ length: POSTERS }, async (_, poster) => {
        for (let n = 0; loading && acknowledged.length < LOAD_MAX_EVENTS && Date.now() - started < LOAD_MAX_MS; n++) {
          const answer = await server.request('POST', '/v1/events', { type: 'order.paid', payload: { poster, n, filler: 'x'.repeat(512) } });
          expect(answer.status).toBe(202);
          acknowledged.push(answer.body.id);
        }
      });
      await waitFor(() => acknowledged.length >= 200, { timeoutMs: 30_000, what: '200 events written' });

      beforeBackup = [...acknowledged];
      const backup = await runCli(['backup', copy, '--database-url', `sqlite:${live}`]);
      const duringBackup = acknowledged.length - beforeBackup.length;
      loading = false;
      await Promise.all(posters);
      expect(backup.stderr).toBe('');
      expect(backup.code).toBe(0);
      expect(backup.stdout).toMatch(/^hookd: backed up .*live\.db to .*copy\.db \([\d.]+ MB in [\d.]+ s\)\n/);
      // The copy is useless without the key file, which it does not hold: the operator is told.
      expect(backup.stdout).toMatch(/\nhookd: its secrets are sealed with .*hookd-encryption-key, which the copy does not hold: keep a copy of it too.*\n$/);
      // The load really ran across the backup, or this proves nothing about consistency under load.
      expect(duringBackup).toBeGreaterThan(0);
    } finally {
      loading = false;
      await server.stop();
    }

    const restored = await startServerProcess({ HOOKD_DATABASE_URL: `sqlite:${copy}`, HOOKD_ROLE: 'api' });
    try {
      const events = await listAll(restored, '/v1/events');
      const ids = new Set(events.map((event) => event.id as string));
      for (const id of beforeBackup) expect(ids.has(id), `event ${id} acknowledged before the backup`).toBe(true);
      expect(events.length).toBeLessThanOrEqual(acknowledged.length);
      // One snapshot: each event in the copy came with its delivery, in the same transaction.
      const deliveries = await listAll(restored, '/v1/deliveries');
      expect(deliveries.filter((delivery) => delivery.endpointId !== null)).toHaveLength(events.length);
      const one = await restored.request('GET', `/v1/events/${beforeBackup[0]}`);
      expect(one.body).toMatchObject({ type: 'order.paid', payload: { filler: 'x'.repeat(512) } });
    } finally {
      await restored.stop();
    }
  }, 120_000);

  it('refuses a PostgreSQL database and a missing SQLite file in one line each', async () => {
    const postgres = await runCli(['backup', join(scene.dir, 'pg.db'), '--database-url', 'postgres://postgres@127.0.0.1:5432/postgres']);
    expect(postgres.code).toBe(2);
    expect(postgres.stderr).toMatch(/^hookd: hookd backup copies SQLite databases; back PostgreSQL up with pg_dump .*\n$/);

    const missing = await runCli(['backup', join(scene.dir, 'out.db'), '--database-url', `sqlite:${join(scene.dir, 'nothing-here.db')}`]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^hookd: there is no SQLite database at .*nothing-here\.db: set HOOKD_DATABASE_URL \(--database-url\).*\n$/);
  });
});
