import { writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli-process.js';
import { createEventTypes } from '../support/fixtures.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { freePort, startServer, tempDir, type TestServer } from '../support/server.js';
import { waitFor } from '../support/wait-for.js';

// `hookd event-types`, `hookd events send`, `hookd endpoints create|list`: the built binary against a real hookd.

describe('hookd event-types, events and endpoints commands', () => {
  let server: TestServer;
  let receiver: Receiver;
  let env: Record<string, string>;
  let dir: string;

  beforeAll(async () => {
    server = await startServer();
    receiver = await startReceiver();
    await createEventTypes(server, 'invoice.paid', 'order.created');
    env = { HOOKD_URL: server.url, HOOKD_KEY: server.adminKey };
    dir = tempDir();
  });
  afterAll(async () => {
    await receiver?.close();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates an endpoint and prints its secret once', async () => {
    const created = await runCli(
      ['endpoints', 'create', '--url', `${receiver.url}/invoices`, '--event-types', 'invoice.paid', '--title', 'Billing', '--header', 'X-Team: billing'],
      env,
    );
    expect(created.code, created.stderr).toBe(0);
    const [, id] = created.stdout.match(/created (ep_\w+)/)!;
    const [, secret] = created.stdout.match(/secret\s+(whsec_\S+)/)!;
    const stored = (await server.request('GET', `/v1/endpoints/${id}`)).body;
    expect(stored).toMatchObject({ url: `${receiver.url}/invoices`, eventTypes: ['invoice.paid'], title: 'Billing', headers: { 'X-Team': 'billing' } });
    expect((await server.request('GET', `/v1/endpoints/${id}/secret`)).body.secret).toBe(secret);
  });

  it('sends an event that hookd delivers, with every option it takes', async () => {
    const sent = await runCli(
      ['events', 'send', 'invoice.paid', '--data', '{"invoiceId":"inv_42","amount":1999}', '--id', 'inv_42-paid', '--correlation-id', 'order-7', '--account', 'acme'],
      env,
    );
    expect(sent.code, sent.stderr).toBe(0);
    expect(sent.stdout).toMatch(/^sent inv_42-paid \(invoice\.paid\) → 1 delivery\n$/);
    const request = await waitFor(() => receiver.requestsTo('/invoices')[0]);
    expect(JSON.parse(request.body)).toMatchObject({ type: 'invoice.paid', data: { invoiceId: 'inv_42', amount: 1999 } });
    expect(request.headers['webhook-correlation-id']).toBe('order-7');
    expect((await server.request('GET', '/v1/events/inv_42-paid')).body.accountId).toBe('acme');
  });

  it('reads the payload from a file, and answers JSON with --json', async () => {
    const file = join(dir, 'payload.json');
    writeFileSync(file, JSON.stringify({ orderId: 'o-1' }));
    const sent = await runCli(['events', 'send', 'order.created', '--data', `@${file}`, '--json', '--callback-url', `${receiver.url}/callback`], env);
    expect(sent.code, sent.stderr).toBe(0);
    const accepted = JSON.parse(sent.stdout);
    expect(accepted).toMatchObject({ type: 'order.created', deliveries: 1 });
    const request = await waitFor(() => receiver.requestsTo('/callback')[0]);
    expect(JSON.parse(request.body).data).toEqual({ orderId: 'o-1' });
  });

  it('lists endpoints as a table, and as JSON for machines', async () => {
    await runCli(['endpoints', 'create', '--url', `${receiver.url}/orders`, '--event-types', 'order.created', '--account', 'acme', '--inactive'], env);
    const table = await runCli(['endpoints', 'list'], env);
    expect(table.code, table.stderr).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+STATE\s+ACCOUNT\s+EVENT TYPES\s+URL$/);
    expect(lines[1]).toMatch(new RegExp(`^ep_\\w+\\s+disabled \\(manual\\)\\s+acme\\s+order\\.created\\s+${receiver.url}/orders$`));
    expect(lines[2]).toMatch(new RegExp(`^ep_\\w+\\s+active\\s+-\\s+invoice\\.paid\\s+${receiver.url}/invoices  Billing$`));

    const newest = await runCli(['endpoints', 'list', '--limit', '1'], env);
    expect(newest.stdout.trimEnd().split('\n')).toHaveLength(2);
    expect(newest.stderr).toContain('more than 1 endpoints; showing the newest 1 (--limit)');

    const json = await runCli(['endpoints', 'list', '--json', '--account', 'acme'], env);
    const listed = JSON.parse(json.stdout) as Array<{ url: string; secret?: string }>;
    expect(listed.map((endpoint) => endpoint.url)).toEqual([`${receiver.url}/orders`]);
    expect(listed[0]!.secret).toBeUndefined();
  });

  it('adds event types to the catalog and lists them', async () => {
    const created = await runCli(['event-types', 'create', 'ticket.closed', '--description', 'A ticket was closed', '--category', 'support', '--example', '{"ticketId":1}'], env);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toBe('created event type ticket.closed\n');
    const listed = await runCli(['event-types', 'list', '--category', 'support'], env);
    expect(listed.stdout.trimEnd().split('\n')).toEqual([
      expect.stringMatching(/^NAME\s+CATEGORY\s+PARAMETERS\s+DESCRIPTION$/),
      expect.stringMatching(/^ticket\.closed\s+support\s+ticketId\s+A ticket was closed$/),
    ]);
    const again = await runCli(['event-types', 'create', 'ticket.closed'], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('409 conflict');
  });

  it('explains failures: hookd’s refusal with the fields at fault, a missing key, hookd not running', async () => {
    const refused = await runCli(['events', 'send', 'no.such.type', '--data', '{}'], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^hookd: POST \/v1\/events: 400 validation_failed: .+\n {2}\/type \(body\): .+/);

    const badJson = await runCli(['events', 'send', 'invoice.paid', '--data', '{oops'], env);
    expect(badJson.code).not.toBe(0);
    expect(badJson.stderr).toContain('not valid JSON');

    const noKey = await runCli(['endpoints', 'list'], { HOOKD_URL: server.url });
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain('an API key is required: --key or HOOKD_KEY');

    const wrongKey = await runCli(['endpoints', 'list', '--key', 'hk_admin_wrong'], { HOOKD_URL: server.url });
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.stderr).toContain('401 unauthorized');

    const nobody = await runCli(['endpoints', 'list', '--url', `http://127.0.0.1:${await freePort()}`], env);
    expect(nobody.code).toBe(1);
    expect(nobody.stderr).toMatch(/cannot reach hookd at http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED/);
  });
});
