import { randomBytes } from 'node:crypto';
import { signWebhook, verifyWebhook } from '@hookd/sdk';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli, type CliProcess } from '../support/cli-process.js';
import { createEndpoint, createEventTypes, postEvent } from '../support/fixtures.js';
import { startReceiver } from '../support/receiver.js';
import { startServer, type TestServer } from '../support/server.js';
import { waitFor } from '../support/wait-for.js';

// `hookd listen` as a user runs it: the built binary receiving real deliveries from a real hookd.

const newSecret = () => 'whsec_' + randomBytes(32).toString('base64');

describe('hookd listen', () => {
  let server: TestServer;
  const running: CliProcess[] = [];

  beforeAll(async () => {
    server = await startServer();
    await createEventTypes(server, 'invoice.paid');
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((cli) => cli.stop()));
  });
  afterAll(async () => server?.close());

  async function listen(...args: string[]): Promise<{ cli: CliProcess; url: string }> {
    const cli = startCli(['listen', '--port', '0', ...args]);
    running.push(cli);
    const [, url] = await cli.waitForOutput(/receiving webhooks on (http:\/\/127\.0\.0\.1:\d+)/, 'stderr');
    return { cli, url: url! };
  }

  async function deliveryOf(eventId: string) {
    return waitFor(async () => {
      const [delivery] = (await server.request('GET', `/v1/deliveries?eventId=${eventId}`)).body.data;
      return delivery?.status === 'succeeded' || delivery?.status === 'failed' ? delivery : null;
    });
  }

  it('prints a real delivery as verified and answers the chosen status, which hookd records', async () => {
    const secret = newSecret();
    const { cli, url } = await listen('--secret', secret, '--status', '202');
    await createEndpoint(server, { url: `${url}/webhooks`, eventTypes: ['invoice.paid'], secret });
    const { id } = await postEvent(server, { type: 'invoice.paid', payload: { invoiceId: 'inv_42', amount: 1999 }, correlationId: 'order-7' });

    await cli.waitForOutput(/→ 202/);
    const printed = cli.stdout();
    expect(printed).toContain('POST /webhooks');
    expect(printed).toMatch(/webhook-id\s+msg_\w+/);
    expect(printed).toMatch(/webhook-event-type\s+invoice\.paid/);
    expect(printed).toMatch(/webhook-correlation-id\s+order-7/);
    expect(printed).toMatch(/user-agent\s+hookd\//);
    expect(printed).toContain('✔ signature verified');
    expect(printed).toContain('"invoiceId": "inv_42"');
    // Not a terminal: no colour codes in the output.
    expect(printed).not.toContain('\u001b[');

    const delivery = await deliveryOf(id);
    expect(delivery).toMatchObject({ status: 'succeeded', lastStatusCode: 202 });
  });

  it('says so when the signature does not verify, and plays a list of statuses in turn', async () => {
    const { cli, url } = await listen('--secret', newSecret(), '--status', '503,200');
    const endpoint = await createEndpoint(server, {
      url: `${url}/wrong-secret`,
      eventTypes: ['invoice.paid'],
      retry: { schedule: 'fixed', intervalSeconds: 1, maxAttempts: 2 },
    });
    const { id } = await postEvent(server, { type: 'invoice.paid', payload: { invoiceId: 'inv_43' } });

    await cli.waitForOutput(/→ 200/);
    expect(cli.stdout()).toContain('✘ signature NOT verified: no signature matches');
    expect(cli.stdout()).not.toContain('✔ signature verified');
    expect(cli.stdout().indexOf('→ 503')).toBeLessThan(cli.stdout().indexOf('→ 200'));

    const delivery = await deliveryOf(id);
    expect(delivery).toMatchObject({ status: 'succeeded', attempts: 2, endpointId: endpoint.id });
    const attempts = (await server.request('GET', `/v1/deliveries/${delivery.id}/attempts`)).body.data;
    expect(attempts.map((attempt: { statusCode: number }) => attempt.statusCode).reverse()).toEqual([503, 200]);
  });

  it('verifies GET deliveries against their request target, and reports as JSON lines', async () => {
    const secret = newSecret();
    const { cli, url } = await listen('--secret', secret, '--json');
    await createEndpoint(server, { url: `${url}/lookup`, method: 'GET', queryParams: { invoice: '{{data.invoiceId}}' }, eventTypes: ['invoice.paid'], secret });
    await postEvent(server, { type: 'invoice.paid', payload: { invoiceId: 'inv 44' } });

    await cli.waitForOutput(/\n/);
    const line = JSON.parse(cli.stdout().split('\n')[0]!);
    expect(line).toMatchObject({ method: 'GET', target: '/lookup?invoice=inv+44', body: '', status: 200, verification: { checked: true, verified: true } });
  });

  it('checks nothing without a secret, colours under FORCE_COLOR, and stops cleanly on Ctrl-C', async () => {
    const cli = startCli(['listen', '--port', '0'], { FORCE_COLOR: '1' });
    running.push(cli);
    const [, url] = await cli.waitForOutput(/receiving webhooks on (http:\/\/127\.0\.0\.1:\d+)/, 'stderr');
    await createEndpoint(server, { url: `${url!}/plain`, eventTypes: ['invoice.paid'] });
    await postEvent(server, { type: 'invoice.paid', payload: { invoiceId: 'inv_45' } });
    await cli.waitForOutput(/→ /);
    expect(cli.stdout()).toContain('signature not checked');
    expect(cli.stdout()).toContain('\u001b[');
    expect(await cli.stop('SIGINT')).toBe(0);
    expect(cli.stderr()).toMatch(/received 1 webhook\b/);
  });

  it('verifies an ed25519 endpoint\'s v1a signatures with its whpk_ public key', async () => {
    const endpoint = await createEndpoint(server, { url: 'https://placeholder.example.com/', eventTypes: ['invoice.paid'], signing: 'ed25519' });
    const { publicKey } = (await server.request('GET', `/v1/endpoints/${endpoint.id}/secret`)).body as { publicKey: string };
    expect(publicKey).toMatch(/^whpk_/);
    const { cli, url } = await listen('--secret', publicKey);
    expect((await server.request('PATCH', `/v1/endpoints/${endpoint.id}`, { url: `${url}/ed25519` })).status).toBe(200);
    await postEvent(server, { type: 'invoice.paid', payload: { invoiceId: 'inv_ed' } });
    await cli.waitForOutput(/POST \/ed25519/);
    await cli.waitForOutput(/signature verified/);
    expect(cli.stdout()).not.toContain('signature NOT');
    const refused = await runCli(['listen', '--port', '0', '--secret', 'whpk_short']);
    expect(refused.stderr).toContain('expected whpk_ followed by the base64 of 32 bytes');
  });

  it('refuses a secret that is not whsec_ base64', async () => {
    const refused = await runCli(['listen', '--port', '0', '--secret', 'not-a-secret']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('expected whsec_ followed by base64');
  });

  it('names the endpoint that sent each webhook, by title, when given a key of the hookd', async () => {
    await createEventTypes(server, 'naming.test');
    const { cli, url } = await listen('--url', server.url, '--key', server.adminKey);
    expect(cli.stderr()).toContain(`naming endpoints from ${server.url}`);
    // Two endpoints on one receiver URL: only the name tells them apart.
    const crm = await createEndpoint(server, { url: `${url}/same`, title: 'CRM sync', eventTypes: ['naming.test'] });
    const billing = await createEndpoint(server, { url: `${url}/same`, title: 'Billing', eventTypes: ['naming.test'] });
    await postEvent(server, { type: 'naming.test', payload: {} });
    await waitFor(() => (cli.stdout().match(/→ 200/g)?.length ?? 0) >= 2);
    expect(cli.stdout()).toMatch(new RegExp(`from “CRM sync”  ${crm.id}`));
    expect(cli.stdout()).toMatch(new RegExp(`from “Billing”  ${billing.id}`));

    const json = (await listen('--json', '--key', server.adminKey, '--url', server.url)).cli;
    const [, jsonUrl] = json.stderr().match(/receiving webhooks on (\S+)/)!;
    const third = await createEndpoint(server, { url: `${jsonUrl}/json`, title: 'Warehouse', eventTypes: ['naming.test'] });
    await postEvent(server, { type: 'naming.test', payload: {} });
    const [line] = await json.waitForOutput(/^.+\n/);
    expect(JSON.parse(line)).toMatchObject({ endpoint: { id: third.id, title: 'Warehouse' } });

    // Without a key it says once that it does not name them.
    const unnamed = (await listen()).cli;
    expect(unnamed.stderr()).toContain('not naming endpoints (no --key)');
  });

  it('forwards each verified webhook to a local app and relays its answer to hookd', async () => {
    await createEventTypes(server, 'forward.test');
    const app = await startReceiver();
    try {
      app.script('/app/webhooks', [{ status: 201, body: '{"handled":true}', headers: { 'x-app': 'yes', 'content-type': 'application/json' } }]);
      const secret = newSecret();
      const { cli, url } = await listen('--secret', secret, '--forward-to', `${app.url}/app/webhooks`);
      expect(cli.stderr()).toContain(`forwarding to ${app.url}/app/webhooks`);
      await createEndpoint(server, { url: `${url}/in?source=hookd`, eventTypes: ['forward.test'], secret });
      const { id } = await postEvent(server, { type: 'forward.test', payload: { order: 7 } });

      // The app got the webhook as hookd sent it, and can verify it itself.
      const [forwarded] = await waitFor(() => (app.requestsTo('/app/webhooks').length > 0 ? app.requestsTo('/app/webhooks') : null));
      expect(forwarded!.method).toBe('POST');
      expect(forwarded!.url).toBe('/app/webhooks?source=hookd');
      expect(JSON.parse(forwarded!.body)).toMatchObject({ type: 'forward.test', data: { order: 7 } });
      expect(() => verifyWebhook(secret, forwarded!.headers as Record<string, string>, forwarded!.body)).not.toThrow();

      // hookd recorded the app's answer as the attempt's.
      const delivery = await deliveryOf(id);
      expect(delivery).toMatchObject({ status: 'succeeded', lastStatusCode: 201 });
      const [attempt] = (await server.request('GET', `/v1/deliveries/${delivery.id}/attempts`)).body.data;
      expect(attempt).toMatchObject({ statusCode: 201, responseBody: '{"handled":true}' });
      expect(JSON.stringify(attempt.responseHeaders)).toContain('x-app');
      await cli.waitForOutput(/→ forwarded to .*: 201 in \d+ ms, relayed to hookd/);

      // A forged webhook never reaches the app; an app that is down is a 502 for hookd.
      const forged = await fetch(`${url}/in`, { method: 'POST', headers: { 'webhook-id': 'msg_1', 'webhook-timestamp': String(Math.floor(Date.now() / 1000)), 'webhook-signature': 'v1,AAAA' }, body: '{}' });
      expect(forged.status).toBe(401);
      expect(app.requestsTo('/app/webhooks')).toHaveLength(1);
      await app.close();
      const down = await fetch(`${url}/in`, { method: 'POST', headers: signedHeaders(secret, '{}'), body: '{}' });
      expect(down.status).toBe(502);
      expect(await down.text()).toMatch(/could not reach the app: ECONNREFUSED/);
    } finally {
      await app.close();
    }
  });

  it('refuses --forward-to together with --status', async () => {
    const refused = await runCli(['listen', '--port', '0', '--forward-to', 'http://127.0.0.1:3000', '--status', '500']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/--forward-to.*cannot be used with option '--status/);
  });
});

function signedHeaders(secret: string, body: string): Record<string, string> {
  const timestamp = Math.floor(Date.now() / 1000);
  return { 'webhook-id': 'msg_forward_check', 'webhook-timestamp': String(timestamp), 'webhook-signature': signWebhook(secret, 'msg_forward_check', timestamp, body), 'content-type': 'application/json' };
}
