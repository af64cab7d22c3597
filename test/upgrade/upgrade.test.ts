import { copyFileSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { verifyWebhook } from '@hookd/sdk';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/paths.js';
import { startServerProcess } from '../support/server.js';
import { waitFor } from '../support/wait-for.js';
import { useReceiverAndDirectory } from '../support/receiver-and-directory.js';

// Upgrading in place: a SQLite database written by hookd at commit 393a044 (before the production
// work; made by make-fixture.mjs beside this file) is migrated by the current hookd on its first
// start and served as it was — keys, endpoints with their secrets, events, deliveries, attempts —
// and new events are delivered from it.

const FIXTURE = join(packageRoot, 'test/upgrade/hookd-393a044.db');
const made = JSON.parse(readFileSync(join(packageRoot, 'test/upgrade/hookd-393a044.json'), 'utf8')) as {
  adminKey: string;
  accountKey: string;
  crm: string;
  gone: string;
  events: string[];
};
const CRM_SECRET = 'whsec_' + Buffer.alloc(32, 7).toString('base64');

describe('upgrading a database of the previous version', () => {
  const scene = useReceiverAndDirectory();

  it('migrates it on start and serves what it held, then delivers new events', async () => {
    const path = join(scene.dir, 'hookd.db');
    copyFileSync(FIXTURE, path);
    const before = new Database(path, { readonly: true });
    const versionsBefore = (before.prepare('SELECT max(version) AS v FROM schema_migrations').get() as { v: number }).v;
    before.close();
    expect(versionsBefore).toBe(6);

    const server = await startServerProcess({ HOOKD_DATABASE_URL: `sqlite:${path}` });
    try {
      // Keys stored by the old version still authenticate, with their scopes.
      const endpoints = await server.request('GET', '/v1/endpoints', undefined, made.adminKey);
      expect(endpoints.status).toBe(200);
      const byId = new Map(endpoints.body.data.map((endpoint: { id: string }) => [endpoint.id, endpoint]));
      expect(byId.get(made.crm)).toMatchObject({ title: 'CRM sync', eventTypes: ['invoice.paid'], active: true });
      // Disabled by the 410 it answered under the old version.
      expect(byId.get(made.gone)).toMatchObject({ title: 'Old ERP', accountId: 'acme', active: false });
      const forAccount = await server.request('GET', '/v1/endpoints', undefined, made.accountKey);
      expect(forAccount.body.data.map((endpoint: { id: string }) => endpoint.id)).toEqual([made.gone]);
      expect((await server.request('GET', `/v1/endpoints/${made.crm}/secret`, undefined, made.adminKey)).body.secret).toBe(CRM_SECRET);

      // Events, their deliveries and attempts.
      for (const [index, id] of made.events.entries()) {
        const event = await server.request('GET', `/v1/events/${id}`, undefined, made.adminKey);
        expect(event.status).toBe(200);
        expect(event.body).toMatchObject({ type: 'invoice.paid', accountId: 'acme', payload: { invoiceId: `inv_${index + 1}` }, correlationId: `order-${index + 1}` });
        // Stored before hookd kept the posted text: the text is the value re-serialised, as it was sent then.
        const text = await server.request('GET', `/v1/events/${id}?payload=text`, undefined, made.adminKey);
        expect(text.body.payload).toBe(JSON.stringify(event.body.payload));
      }
      const delivered = await server.request('GET', `/v1/deliveries?endpointId=${made.crm}`, undefined, made.adminKey);
      expect(delivered.body.data).toHaveLength(5);
      for (const delivery of delivered.body.data) expect(delivery).toMatchObject({ status: 'succeeded', attempts: 1, lastStatusCode: 200 });
      const attempts = await server.request('GET', `/v1/deliveries/${delivered.body.data[0].id}/attempts`, undefined, made.adminKey);
      expect(attempts.body.data).toEqual([expect.objectContaining({ statusCode: 200 })]);

      // And it goes on working: the old endpoint, pointed at a receiver of now, gets a new event signed with its old secret.
      expect((await server.request('PATCH', `/v1/endpoints/${made.crm}`, { url: `${scene.receiver.url}/crm` }, made.adminKey)).status).toBe(200);
      const posted = await server.request('POST', '/v1/events', { type: 'invoice.paid', payload: { invoiceId: 'inv_after_upgrade' } }, made.adminKey);
      expect(posted.status).toBe(202);
      const [request] = await waitFor(() => (scene.receiver.requestsTo('/crm').length > 0 ? scene.receiver.requestsTo('/crm') : null), { what: 'the new event delivered' });
      expect(JSON.parse(request!.body)).toMatchObject({ type: 'invoice.paid', data: { invoiceId: 'inv_after_upgrade' } });
      expect(() => verifyWebhook(CRM_SECRET, request!.headers as Record<string, string>, request!.body)).not.toThrow();
    } finally {
      expect(await server.stop()).toBe(0);
    }

    // Every migration of this version is recorded as applied.
    const after = new Database(path, { readonly: true });
    const applied = after.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as Array<{ version: number }>;
    // The old version kept its secrets in the clear; the first start sealed them with the key file it made.
    const secrets = after.prepare("SELECT secret FROM endpoints UNION ALL SELECT value FROM settings WHERE name = 'callback_secret'").all() as Array<{ secret: string }>;
    after.close();
    expect(secrets.length).toBeGreaterThan(1);
    for (const { secret } of secrets) expect(secret).toMatch(/^enc:v1:/);
    expect(readFileSync(path).toString('latin1')).not.toContain(CRM_SECRET.slice('whsec_'.length));
    const shipped = readdirSync(join(packageRoot, 'migrations/sqlite')).filter((name) => /^\d{4}_.*\.sql$/.test(name));
    expect(applied.map((row) => row.version)).toEqual(shipped.map((name) => Number(name.slice(0, 4))));
  });
});
