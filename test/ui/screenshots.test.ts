import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../../src/domain/clock.js';
import { createEndpoint, postEvent } from '../support/fixtures.js';
import { startReceiver, type Receiver, type Reply } from '../support/receiver.js';
import { startServer, type TestServer } from '../support/server.js';
import { waitFor } from '../support/wait-for.js';
import { launchBrowser, requireChromium, signIn, type TestBrowser } from './browser.js';

// Every main page of the dashboard and the portal, rendered with a day of realistic traffic and
// photographed. In `npm test` the pictures go to a temporary folder and the test checks that each
// page rendered what it should without a script error; `npm run screenshots` writes them to
// docs/screenshots/ for the README.

const HOUR = 3600_000;

/** The server's clock starts a day back and is moved forward hour by hour while traffic is sent. */
class TravellingClock implements Clock {
  offsetMs = -23 * HOUR;
  now(): number {
    return Date.now() + this.offsetMs;
  }
}

describe('screenshots of the main pages', { timeout: 120_000 }, () => {
  const outDir = process.env.HOOKD_SCREENSHOTS_DIR ? resolve(process.env.HOOKD_SCREENSHOTS_DIR) : mkdtempSync(join(tmpdir(), 'hookd-shots-'));
  const clock = new TravellingClock();
  let server: TestServer;
  let receiver: Receiver;
  let browser: TestBrowser;
  let embedder: Server;
  let embedderUrl: string;
  const ids: Record<string, string> = {};
  let hour = 0;

  const busy = async () => {
    const pending = (await server.request('GET', '/v1/deliveries?status=pending&limit=250')).body.data as Array<{ attempts: number }>;
    const sending = (await server.request('GET', '/v1/deliveries?status=sending&limit=1')).body.data as unknown[];
    return sending.length > 0 || pending.some((d) => d.attempts === 0);
  };

  beforeAll(async () => {
    mkdirSync(outDir, { recursive: true });
    // Without a browser the suite stops here, before anything else was started.
    requireChromium();
    [server, receiver, browser] = await Promise.all([startServer({}, undefined, clock), startReceiver(), launchBrowser()]);
    embedder = createServer((request, response) => {
      const src = new URL(request.url ?? '/', 'http://x').searchParams.get('src') ?? '';
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(
        `<!doctype html><meta charset="utf-8"><title>Acme Telecom — Settings</title><body style="margin:0;font:14px system-ui;background:#e9eef3">` +
          `<header style="background:#0f172a;color:#fff;padding:14px 24px;font-weight:600">Acme Telecom · Settings › Integrations</header>` +
          `<main style="padding:20px 24px"><h2 style="margin:0 0 12px;font-size:18px">Webhooks</h2>` +
          `<iframe src="${src.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}" title="Webhooks" style="width:100%;height:720px;border:1px solid #cbd5e1;border-radius:8px;background:#fff"></iframe></main></body>`,
      );
    });
    await new Promise<void>((done) => embedder.listen(0, '127.0.0.1', done));
    embedderUrl = `http://127.0.0.1:${(embedder.address() as AddressInfo).port}`;

    // Receivers: quick, with a slow spell and an outage in the afternoon for the charts to show.
    receiver.script('/crm', () => ({ status: 200, body: '{"matched":true}', headers: { 'content-type': 'application/json' }, delayMs: 8 + (hour % 5) * 6 }));
    receiver.script('/billing', (_request, index): Reply =>
      hour >= 14 && hour <= 16 && index % 2 === 0
        ? { status: 503, body: '{"error":"maintenance"}', headers: { 'content-type': 'application/json', 'retry-after': '1' } }
        : { status: 200, body: '{"ok":true}', headers: { 'content-type': 'application/json' }, delayMs: 20 + (hour % 7) * 12 + (hour >= 18 ? 60 : 0) },
    );
    receiver.script('/warehouse', () => ({ status: 202, body: '', delayMs: 4 }));
    receiver.script('/fax', () => ({ status: 200, body: 'received' }));

    const catalog = [
      {
        name: 'call.incoming',
        description: 'A call reached the PBX',
        category: 'telephony',
        schema: {
          type: 'object',
          properties: {
            callId: { type: 'string', description: 'the call' },
            from: { type: 'string', description: 'caller number' },
            to: { type: 'string', description: 'dialled number' },
            pbx: { type: 'object', properties: { extension: { type: 'string', description: 'ringing extension' } } },
          },
          required: ['callId'],
        },
        examples: [{ callId: 'c-42', from: '+33 1 23 45 67 89', to: '+33 9 87 65 43 21', pbx: { extension: '204' } }],
      },
      {
        name: 'invoice.paid',
        description: 'An invoice was paid',
        category: 'billing',
        schema: { type: 'object', properties: { invoiceId: { type: 'string', description: 'the invoice' }, amount: { type: 'integer', description: 'in cents' }, currency: { type: 'string' } }, required: ['invoiceId'] },
        examples: [{ invoiceId: 'inv_42', amount: 1999, currency: 'EUR' }],
      },
      { name: 'inbound_fax', description: 'Inbound Fax', category: 'fax', examples: [{ faxId: 1, pages: 3, accountId: 'initech' }] },
      { name: 'device.reboot', description: 'A device finished rebooting', category: 'acs', examples: [{ protocol: '…', subject: 'RTR-42', status: 'succeeded' }] },
    ];
    for (const type of catalog) expect((await server.request('POST', '/v1/event-types', type)).status).toBe(201);
    for (const [id, name] of [
      ['acme', 'Acme Telecom'],
      ['globex', 'Globex Clinics'],
      ['initech', 'Initech'],
    ]) {
      await server.request('PUT', `/v1/accounts/${id}`, { name });
    }
    ids.crm = (
      await createEndpoint(server, {
        title: 'CRM lookup',
        description: 'Screen-pops the caller in the CRM',
        url: `${receiver.url}/crm`,
        method: 'GET',
        accountId: 'acme',
        eventTypes: ['call.incoming'],
        headers: { 'X-Api-Key': 'k-123' },
        queryParams: { src: 'hookd', call: '{{data.callId}}' },
        body: { format: 'json', fields: ['from', 'pbx.extension:ext'] },
      })
    ).id;
    ids.billing = (
      await createEndpoint(server, {
        title: 'Billing sync',
        url: `${receiver.url}/billing`,
        accountId: 'globex',
        eventTypes: ['invoice.paid'],
        body: { format: 'json', fields: ['invoiceId', 'amount'], userParams: { source: 'hookd' } },
        retry: { schedule: 'custom', delaysSeconds: [1] },
      })
    ).id;
    ids.fax = (
      await createEndpoint(server, {
        title: 'Fax inbox',
        url: `${receiver.url}/fax`,
        accountId: 'initech',
        eventTypes: ['inbound_fax'],
        body: { format: 'text', template: 'Fax {{data.faxId}}: {{data.pages}} pages', contentType: 'text/plain' },
        retry: { schedule: 'fixed', intervalSeconds: 300, maxAttempts: 16, dropOn4xx: true },
      })
    ).id;
    ids.warehouse = (await createEndpoint(server, { title: 'Data warehouse', url: `${receiver.url}/warehouse`, eventTypes: ['*'] })).id;

    // A day of traffic, an hour at a time.
    for (hour = 0; hour < 24; hour++) {
      const calls = 2 + (hour % 4);
      for (let i = 0; i < calls; i++) {
        await postEvent(server, { type: 'call.incoming', accountId: 'acme', payload: { callId: `c-${hour}-${i}`, from: `+33 1 23 45 ${10 + hour} ${10 + i}`, to: '+33 9 87 65 43 21', pbx: { extension: String(200 + i) } } });
      }
      for (let i = 0; i < 2 + (hour % 3); i++) {
        await postEvent(server, { type: 'invoice.paid', accountId: 'globex', payload: { invoiceId: `inv_${hour}${i}`, amount: 1000 + hour * 37 + i, currency: 'EUR' }, correlationId: `batch-${hour}` });
      }
      if (hour % 3 === 0) await postEvent(server, { type: 'inbound_fax', accountId: 'initech', payload: { faxId: hour, pages: 1 + (hour % 4), accountId: 'initech' } });
      await waitFor(async () => !(await busy()), { timeoutMs: 20_000, what: `hour ${hour}'s deliveries to be attempted` });
      if (hour < 23) clock.offsetMs += HOUR;
    }
    clock.offsetMs = 0;
    // Billing retries after a second: let them all finish.
    await waitFor(async () => (await server.request('GET', `/v1/deliveries?endpointId=${ids.billing}&status=pending&limit=1`)).body.data.length === 0, { timeoutMs: 20_000, what: 'billing retries' });

    const done = await server.request('POST', '/v1/operations', { type: 'device.reboot', accountId: 'acme', subject: 'RTR-42', timeoutSeconds: 3600 });
    await server.request('POST', `/v1/operations/${done.body.protocol}/complete`, { status: 'succeeded', data: { uptime: 3 } });
    await server.request('POST', '/v1/operations', { type: 'device.reboot', accountId: 'globex', subject: 'RTR-7', timeoutSeconds: 3600 });
    const late = await server.request('POST', '/v1/operations', { type: 'device.reboot', accountId: 'initech', subject: 'ONT-3', timeoutSeconds: 1 });
    await waitFor(async () => (await server.request('GET', `/v1/operations/${late.body.protocol}`)).body.status === 'timed_out', { what: 'an operation to time out' });
  }, 120_000); // seeding a day of traffic takes more than the 30 s default on a loaded two-core machine

  afterAll(async () => {
    await browser?.close();
    // Only when it was made: `embedder?.close(done)` on a beforeAll that failed early never calls done.
    if (embedder) await new Promise((done) => embedder.close(done));
    await receiver?.close();
    await server?.close();
    if (!process.env.HOOKD_SCREENSHOTS_DIR) rmSync(outDir, { recursive: true, force: true });
  });

  const shoot = async (page: Awaited<ReturnType<TestBrowser['newPage']>>, name: string) => {
    const path = join(outDir, name);
    await page.screenshot({ path, animations: 'disabled' });
    expect(statSync(path).size, name).toBeGreaterThan(20_000);
    expect(page.errors, name).toEqual([]);
  };

  it('photographs the dashboard: endpoints, the editor with its preview, health charts, deliveries and attempts', async () => {
    const page = await browser.newPage();
    await page.setViewportSize({ width: 1360, height: 860 });
    await signIn(page, server.url, server.adminKey);
    await expect.poll(() => page.getByTestId('endpoints-table').locator('tbody tr').count()).toBe(4);
    await shoot(page, 'dashboard-endpoints.png');

    await page.setViewportSize({ width: 1360, height: 1040 });
    await page.goto(`${server.url}/endpoints/${ids.crm}/edit`);
    await expect.poll(() => page.getByTestId('preview-request-line').textContent()).toContain(`GET ${receiver.url}/crm?src=hookd&call=c-42&from=`);
    await expect.poll(() => page.getByText('updating…').count()).toBe(0);
    await shoot(page, 'endpoint-editor.png');

    await page.setViewportSize({ width: 1360, height: 900 });
    await page.goto(`${server.url}/endpoints/${ids.billing}`);
    await page.getByTestId('attempts-chart').waitFor();
    await expect.poll(() => page.getByTestId('attempts-chart').getAttribute('aria-label')).toMatch(/^\d+ attempts in the last 24 hours/);
    await shoot(page, 'endpoint-health.png');

    await page.goto(`${server.url}/deliveries`);
    await expect.poll(() => page.getByTestId('deliveries-table').locator('tbody tr').count()).toBe(50);
    await shoot(page, 'deliveries.png');

    const retried = (await server.request('GET', `/v1/deliveries?endpointId=${ids.billing}&status=succeeded&limit=250`)).body.data.find((d: { attempts: number }) => d.attempts === 2);
    expect(retried).toBeDefined();
    await page.goto(`${server.url}/deliveries/${retried.id}`);
    await expect.poll(() => page.getByTestId('attempts').locator('details').count()).toBe(2);
    await page.locator('details.attempt summary').nth(1).click();
    await shoot(page, 'delivery-attempts.png');

    await page.goto(`${server.url}/catalog/call.incoming`);
    await page.getByTestId('parameters').waitFor();
    await shoot(page, 'event-catalog.png');

    await page.goto(`${server.url}/operations`);
    await expect.poll(() => page.getByTestId('operations-table').locator('tbody tr').count()).toBe(3);
    await shoot(page, 'operations.png');

    await page.goto(`${server.url}/accounts`);
    await page.locator('tr[data-account="acme"]').getByRole('button', { name: 'Open portal' }).click();
    await page.getByLabel('Portal link').waitFor();
    await shoot(page, 'accounts.png');
    await page.close();
  });

  it('photographs the portal of one account, standalone and embedded with a theme', async () => {
    // Relative without HOOKD_PUBLIC_URL: completed with the server's origin, as a browser would.
    const url = server.url + (await server.request('POST', '/v1/accounts/acme/portal-sessions', {})).body.url;
    const page = await browser.newPage();
    await page.setViewportSize({ width: 1280, height: 760 });
    await page.goto(url);
    await expect.poll(() => page.getByTestId('endpoints-table').locator('tbody tr').count()).toBe(1);
    await shoot(page, 'portal.png');

    const second = server.url + ((await server.request('POST', '/v1/accounts/acme/portal-sessions', {})).body.url as string);
    await page.setViewportSize({ width: 1280, height: 860 });
    await page.goto(`${embedderUrl}/?src=${encodeURIComponent(second.replace('/portal#', '/portal?accent=%230f766e#'))}`);
    const frame = page.frameLocator('iframe[title="Webhooks"]');
    await frame.getByRole('link', { name: 'Deliveries' }).click();
    await expect.poll(() => frame.getByTestId('deliveries-table').locator('tbody tr').count()).toBe(50);
    await shoot(page, 'portal-embedded.png');
    await page.close();
  });
});
