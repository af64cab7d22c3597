import { Hookd, HookdConnectionError, HookdError, type Endpoint } from '@hookd/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { freePort, startServer, type TestServer } from '../support/server.js';
import { waitFor } from '../support/wait-for.js';

// The SDK against the real server: every route of /openapi.json is called through it (a recording
// fetch proves it), with typed answers and typed errors.

interface Call {
  method: string;
  path: string;
}

/** The OpenAPI template (`/v1/endpoints/{id}`) a concrete path matches; literal paths win (`/preview`). */
function templateOf(path: string, templates: string[]): string | undefined {
  if (templates.includes(path)) return path;
  return templates.find((template) => new RegExp(`^${template.replace(/\{\w+\}/g, '[^/]+')}$`).test(path));
}

describe('the SDK client', () => {
  let server: TestServer;
  let receiver: Receiver;
  let hookd: Hookd;
  const calls: Call[] = [];

  beforeAll(async () => {
    server = await startServer();
    receiver = await startReceiver();
    const recordingFetch: typeof fetch = (input, init) => {
      const url = new URL(String(input));
      calls.push({ method: init?.method ?? 'GET', path: url.pathname });
      return fetch(input, init);
    };
    hookd = new Hookd({ url: server.url, key: server.adminKey, fetch: recordingFetch });
  });
  afterAll(async () => {
    await receiver?.close();
    await server?.close();
  });

  it('manages the event type catalog', async () => {
    const created = await hookd.eventTypes.create({ name: 'invoice.paid', description: 'An invoice was paid', examples: [{ invoiceId: 'inv_1' }] });
    expect(created).toMatchObject({ name: 'invoice.paid', archived: false });
    expect(created.parameters).toEqual([expect.objectContaining({ path: 'invoiceId', type: 'string' })]);
    await hookd.eventTypes.create({ name: 'invoice.voided' });
    expect((await hookd.eventTypes.update('invoice.voided', { category: 'billing' })).category).toBe('billing');
    expect((await hookd.eventTypes.get('invoice.voided')).category).toBe('billing');
    await hookd.eventTypes.archive('invoice.voided');
    expect((await hookd.eventTypes.get('invoice.voided')).archived).toBe(true);
    const names = (await hookd.eventTypes.list()).data.map((type) => type.name);
    expect(names).toContain('invoice.paid');
    expect(names).not.toContain('invoice.voided');
  });

  it('creates an endpoint, sends an event to it and follows the delivery to its attempts', async () => {
    const endpoint = await hookd.endpoints.create({ url: `${receiver.url}/sdk`, eventTypes: ['invoice.paid'], accountId: 'acme' });
    expect(endpoint.secret).toMatch(/^whsec_/);
    expect((await hookd.endpoints.getSecret(endpoint.id)).secret).toBe(endpoint.secret);

    const accepted = await hookd.events.send({ type: 'invoice.paid', accountId: 'acme', payload: { invoiceId: 'inv_42' }, occurredAt: new Date() });
    expect(accepted).toMatchObject({ type: 'invoice.paid', accountId: 'acme', deliveries: 1 });
    const event = await hookd.events.get(accepted.id);
    expect(event.payload).toEqual({ invoiceId: 'inv_42' });
    expect((await hookd.events.get(accepted.id, { payload: 'text' })).payload).toBe('{"invoiceId":"inv_42"}');
    const [delivery] = event.deliveries;
    const succeeded = await waitFor(async () => {
      const current = await hookd.deliveries.get(delivery!.id);
      return current.status === 'succeeded' ? current : null;
    });
    expect(succeeded.lastStatusCode).toBe(200);
    const attempts = await hookd.deliveries.attempts(delivery!.id);
    expect(attempts.data).toHaveLength(1);
    expect(attempts.data[0]).toMatchObject({ statusCode: 200, deliveryId: delivery!.id });
    expect((await hookd.deliveries.list({ endpointId: endpoint.id })).data.map((d) => d.id)).toEqual([delivery!.id]);
    expect((await hookd.events.list({ accountId: 'acme', since: new Date(Date.now() - 60_000) })).data.map((e) => e.id)).toContain(accepted.id);

    const again = await hookd.deliveries.retry(delivery!.id);
    expect(again.id).toBe(delivery!.id);
    await waitFor(async () => (await hookd.deliveries.attempts(delivery!.id)).data.length === 2);

    const replayed = await hookd.events.replay(accepted.id, { endpointIds: [endpoint.id] });
    expect(replayed.deliveries).toHaveLength(1);
    expect(replayed.deliveries[0]!.id).not.toBe(delivery!.id);

    const batch = await hookd.events.sendBatch([
      { type: 'invoice.paid', accountId: 'acme', payload: { invoiceId: 'inv_43' }, id: 'inv-43-paid' },
      { type: 'invoice.paid', accountId: 'acme', payload: { invoiceId: 'inv_44' } },
    ]);
    expect(batch.data.map((item) => item.duplicate)).toEqual([false, false]);
    const repeated = await hookd.events.send({ type: 'invoice.paid', accountId: 'acme', payload: { invoiceId: 'inv_43' }, id: 'inv-43-paid' });
    expect(repeated.id).toBe('inv-43-paid');
  });

  it('operates endpoints: update, rotate, test, recover, resume, stats, preview, delete', async () => {
    receiver.script('/flaky', (_request, index) => (index < 2 ? { status: 503 } : { status: 200 }));
    const endpoint = await hookd.endpoints.create({
      url: `${receiver.url}/flaky`,
      eventTypes: ['invoice.paid'],
      retry: { schedule: 'fixed', intervalSeconds: 1, maxAttempts: 1 },
    });
    const since = new Date(Date.now() - 1000);
    await hookd.events.send({ type: 'invoice.paid', payload: { invoiceId: 'a' } });
    await hookd.events.send({ type: 'invoice.paid', payload: { invoiceId: 'b' } });
    await waitFor(async () => (await hookd.deliveries.list({ endpointId: endpoint.id, status: 'failed' })).data.length === 2);
    expect(await hookd.endpoints.recover(endpoint.id, { since })).toEqual({ requeued: 2 });
    await waitFor(async () => (await hookd.deliveries.list({ endpointId: endpoint.id, status: 'succeeded' })).data.length === 2);

    // Not paused: resume returns the endpoint as it is.
    expect((await hookd.endpoints.resume(endpoint.id)).state).toMatchObject({ mode: 'normal', until: null });

    const tested = await hookd.endpoints.test(endpoint.id, { payload: { invoiceId: 'test' } });
    expect(tested.attempt.statusCode).toBe(200);
    const stats = await hookd.endpoints.stats(endpoint.id);
    expect(stats.lastHour.attempts.total).toBeGreaterThanOrEqual(5);

    const updated: Endpoint = await hookd.endpoints.update(endpoint.id, { title: 'Flaky CRM', signing: 'both' });
    expect(updated).toMatchObject({ title: 'Flaky CRM', signing: 'both' });
    expect((await hookd.endpoints.get(endpoint.id)).title).toBe('Flaky CRM');
    const rotated = await hookd.endpoints.rotateSecret(endpoint.id, { graceSeconds: 60 });
    expect(rotated.secret).not.toBe(endpoint.secret);
    expect((await hookd.endpoints.getSecret(endpoint.id)).secret).toBe(rotated.secret);
    expect(rotated.previousSecretExpiresAt).not.toBeNull();
    // Rotation replaced the ed25519 key pair too: the new public key first, the old one still listed.
    const { keys } = await hookd.endpoints.getPublicKeys(endpoint.id);
    expect(keys.map((key) => key.publicKey)).toEqual([rotated.publicKey, expect.stringMatching(/^whpk_/)]);
    expect(keys[1]!.until).toBe(rotated.previousSecretExpiresAt);

    const preview = await hookd.endpoints.preview({
      endpoint: { url: 'https://crm.example.com/hooks', method: 'GET', queryParams: { invoice: '{{data.invoiceId}}' } },
      eventType: 'invoice.paid',
      payload: { invoiceId: 'inv_7' },
    });
    expect(preview).toMatchObject({ method: 'GET', url: 'https://crm.example.com/hooks?invoice=inv_7', body: null });

    const listed: string[] = [];
    for await (const each of hookd.endpoints.list({ limit: 1 })) listed.push(each.id);
    expect(listed).toContain(endpoint.id);
    await hookd.endpoints.delete(endpoint.id);
    await expect(hookd.endpoints.get(endpoint.id)).rejects.toMatchObject({ status: 404, code: 'not_found' });
  });

  it('cancels a pending delivery', async () => {
    receiver.script('/later', [{ status: 503 }]);
    const endpoint = await hookd.endpoints.create({
      url: `${receiver.url}/later`,
      eventTypes: ['invoice.paid'],
      retry: { schedule: 'fixed', intervalSeconds: 3600, maxAttempts: 3 },
    });
    await hookd.events.send({ type: 'invoice.paid', payload: { invoiceId: 'c' } });
    const pending = await waitFor(async () => {
      const [delivery] = (await hookd.deliveries.list({ endpointId: endpoint.id })).data;
      return delivery?.status === 'pending' && delivery.attempts === 1 ? delivery : null;
    });
    expect((await hookd.deliveries.cancel(pending.id)).status).toBe('canceled');
  });

  it('manages keys and accounts, and runs an operation to its webhook', async () => {
    const created = await hookd.keys.create({ kind: 'account', accountId: 'acme', name: 'portal' });
    expect(created.key).toMatch(/^hk_account_/);
    expect((await hookd.keys.list()).data.map((key) => key.id)).toContain(created.id);
    await hookd.keys.revoke(created.id);
    await expect(new Hookd({ url: server.url, key: created.key }).endpoints.list()).rejects.toMatchObject({ status: 401 });

    expect((await hookd.accounts.update('acme', { name: 'Acme Inc.' })).name).toBe('Acme Inc.');
    expect((await hookd.accounts.get('acme')).name).toBe('Acme Inc.');
    expect((await hookd.accounts.list()).data.map((account) => account.id)).toContain('acme');
    const portal = await hookd.accounts.createPortalSession('acme', { ttlSeconds: 600 });
    expect(portal.url).toMatch(/\/portal#token=/);
    const customer = new Hookd({ url: server.url, key: portal.token });
    expect(await customer.me()).toMatchObject({ kind: 'account', accountId: 'acme' });
    expect((await hookd.me()).kind).toBe('admin');

    await hookd.eventTypes.create({ name: 'device.reboot' });
    const started = await hookd.operations.create({ type: 'device.reboot', subject: 'RTR-42', callbackUrl: `${receiver.url}/op`, timeoutSeconds: 60 });
    expect(started.status).toBe('pending');
    expect((await hookd.operations.complete(started.protocol, { status: 'succeeded', data: { uptime: 3 } })).status).toBe('succeeded');
    expect((await hookd.operations.get(started.protocol)).status).toBe('succeeded');
    expect((await hookd.operations.list({ type: 'device.reboot' })).data.map((op) => op.protocol)).toEqual([started.protocol]);
    await waitFor(() => receiver.requestsTo('/op').length === 1);
    expect(receiver.requestsTo('/op')[0]!.headers['webhook-correlation-id']).toBe(started.protocol);
    expect((await hookd.callbackSecret()).secret).toMatch(/^whsec_/);
    const accountSecret = (await customer.accounts.callbackSecret('acme')).secret;
    expect(accountSecret).toMatch(/^whsec_/);
    expect((await hookd.accounts.callbackSecret('acme')).secret).toBe(accountSecret);
    await expect(customer.accounts.callbackSecret('globex')).rejects.toMatchObject({ status: 404 });
  });

  it('walks every page of a list with for await', async () => {
    for (let i = 0; i < 7; i++) await hookd.eventTypes.create({ name: `paged.type${i}` });
    const first = await hookd.eventTypes.list({ limit: 3 });
    expect(first.data).toHaveLength(3);
    expect(first.nextCursor).not.toBeNull();
    const names: string[] = [];
    for await (const type of hookd.eventTypes.list({ limit: 3 })) names.push(type.name);
    expect(names.filter((name) => name.startsWith('paged.'))).toEqual([0, 1, 2, 3, 4, 5, 6].map((i) => `paged.type${i}`));
    expect(new Set(names).size).toBe(names.length);
  });

  it('throws HookdError with the status, code and the fields at fault', async () => {
    const error = await hookd.endpoints.create({ url: 'ftp://example.com', eventTypes: ['invoice.paid'] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HookdError);
    expect(error).toMatchObject({ status: 400, code: 'validation_failed', request: 'POST /v1/endpoints' });
    expect((error as HookdError).details).toContainEqual(expect.objectContaining({ field: '/url', in: 'body' }));

    await expect(hookd.deliveries.get('dlv_missing')).rejects.toMatchObject({ name: 'HookdError', status: 404, code: 'not_found' });
    await expect(new Hookd({ url: server.url, key: 'hk_admin_wrong' }).accounts.list()).rejects.toMatchObject({ status: 401, code: 'unauthorized' });
    const publisher = await hookd.keys.create({ kind: 'publisher' });
    await expect(new Hookd({ url: server.url, key: publisher.key }).endpoints.list()).rejects.toMatchObject({ status: 403, code: 'forbidden' });
  });

  it('throws HookdConnectionError when hookd is not there', async () => {
    const nobody = new Hookd({ url: `http://127.0.0.1:${await freePort()}`, key: 'k' });
    const error = await nobody.events.send({ type: 'invoice.paid', payload: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HookdConnectionError);
    expect((error as Error).message).toMatch(/cannot reach hookd at http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED/);
  });

  // Runs last: the tests above went through every method of the SDK.
  it('has called every operation of /openapi.json through the SDK', async () => {
    const document = (await (await fetch(`${server.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    const templates = Object.keys(document.paths);
    const operations = templates.flatMap((path) => Object.keys(document.paths[path]!).map((method) => `${method.toUpperCase()} ${path}`));
    const called = new Set(calls.map((call) => `${call.method} ${templateOf(call.path, templates) ?? call.path}`));
    expect(operations.filter((operation) => !called.has(operation))).toEqual([]);
    expect(operations.length).toBeGreaterThanOrEqual(37);
  });
});
